// A small PDF writer for tests: pages of lines, each in Helvetica or Helvetica-Bold at its own size, laid out top to
// bottom the way a paper's text is (a line's pieces may be separate text objects, as typesetters often emit them).
import * as fs from 'node:fs';

export interface PdfPiece {
  text: string;
  size?: number;
  bold?: boolean;
}

/** One line of text: a string in the body font, or pieces set side by side on one baseline. */
export type PdfLine = string | { text: string; size?: number; bold?: boolean } | { pieces: PdfPiece[] };

const BODY_SIZE = 10;

function escape(s: string): string {
  return s.replace(/[\\()]/g, (c) => `\\${c}`);
}

function pieces(line: PdfLine): PdfPiece[] {
  if (typeof line === 'string') {
    return [{ text: line }];
  }
  return 'pieces' in line ? line.pieces : [line];
}

function pageContent(lines: PdfLine[]): string {
  const ops: string[] = [];
  let y = 760;
  for (const line of lines) {
    const ps = pieces(line);
    const size = Math.max(...ps.map((p) => p.size ?? BODY_SIZE));
    y -= size * 1.4;
    let x = 72;
    for (const p of ps) {
      const s = p.size ?? BODY_SIZE;
      ops.push(`BT /${p.bold ? 'F2' : 'F1'} ${s} Tf ${x.toFixed(1)} ${y.toFixed(1)} Td (${escape(p.text)}) Tj ET`);
      // Helvetica is about half an em wide per character on average; a gap of one space follows each piece.
      x += (p.text.length + 1) * s * 0.5;
    }
    if (line === '') {
      y -= BODY_SIZE * 0.6;
    }
  }
  return ops.join('\n');
}

/** The bytes of a PDF with the given pages (each a list of lines; an empty string is a blank line). */
export function pdfBytes(pages: PdfLine[][]): Buffer {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) - 1 + 1;
  const catalog = add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // the page tree, filled in once the pages have numbers
  const regular = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const bold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const lines of pages) {
    const content = pageContent(lines);
    const stream = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    kids.push(
      add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${regular} 0 R /F2 ${bold} 0 R >> >> /Contents ${stream} 0 R >>`),
    );
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export function writePdf(file: string, pages: PdfLine[][]): void {
  fs.writeFileSync(file, pdfBytes(pages));
}

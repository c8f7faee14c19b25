// Text of a PDF (pdfjs-dist), with a blank line between paragraphs and pages, for sections and source ranges.
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export class PdfError extends Error {}

interface TextItem { str: string; hasEOL?: boolean; transform?: number[]; height?: number }

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let loaded: Promise<Pdfjs> | undefined;

/**
 * pdfjs ships as ES modules and must stay one (it finds its worker from its own URL), so the build copies it next to
 * the extension bundle and it is imported from there; in tests it comes from node_modules.
 */
function loadPdfjs(): Promise<Pdfjs> {
  // Text extraction needs no canvas; pdfjs only constructs a DOMMatrix, which Node lacks without the optional canvas package.
  const g = globalThis as { DOMMatrix?: unknown };
  g.DOMMatrix ??= class DOMMatrix {
    a = 1; b = 0; c = 0; d = 1; e = 0; f = 0;
    constructor(init?: number[]) { if (Array.isArray(init) && init.length >= 6) { [this.a, this.b, this.c, this.d, this.e, this.f] = init; } }
  };
  const bundled = path.join(__dirname, 'pdfjs', 'pdf.mjs');
  const url = pathToFileURL(existsSync(bundled) ? bundled : require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href;
  loaded ??= withNavigator(() => import(/* webpackIgnore: true */ url) as Promise<Pdfjs>);
  return loaded;
}

/**
 * pdfjs assigns a `navigator` global when it finds none with a language; VS Code's extension host guards that global
 * with a getter, so the assignment would throw. Give pdfjs a plain one while it loads, then put the host's back.
 */
async function withNavigator<T>(load: () => Promise<T>): Promise<T> {
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  let hasLanguage = false;
  try { hasLanguage = Boolean((globalThis as { navigator?: { language?: string } }).navigator?.language); } catch { /* a throwing getter */ }
  if (hasLanguage || (desc && !desc.configurable)) { return load(); }
  Object.defineProperty(globalThis, 'navigator', { value: { language: 'en-US', platform: '', userAgent: '' }, configurable: true, writable: true });
  try { return await load(); } finally {
    if (desc) { Object.defineProperty(globalThis, 'navigator', desc); } else { delete (globalThis as { navigator?: unknown }).navigator; }
  }
}

export async function pdfText(file: string): Promise<{ text: string; pages: number }> {
  const pdfjs = await loadPdfjs();
  const data = new Uint8Array(await fs.readFile(file));
  let doc;
  try {
    doc = await pdfjs.getDocument({ data, isEvalSupported: false, useSystemFonts: false, verbosity: 0, disableFontFace: true }).promise;
  } catch (e) {
    throw new PdfError(`Cannot read this PDF: ${(e as Error).message}`);
  }
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      let out = '';
      let lastY: number | undefined;
      let lineHeight = 0;
      for (const item of content.items as TextItem[]) {
        if (typeof item.str !== 'string') { continue; }
        const y = item.transform?.[5];
        // A vertical jump of more than one and a half lines starts a new paragraph.
        if (lastY !== undefined && y !== undefined && lineHeight > 0 && lastY - y > lineHeight * 1.5 && !out.endsWith('\n\n')) {
          out = `${out.trimEnd()}\n\n`;
        }
        out += item.str;
        if (item.hasEOL) { out += '\n'; }
        if (y !== undefined) { if (lastY !== undefined && lastY > y) { lineHeight = lineHeight ? Math.min(lineHeight, lastY - y) : lastY - y; } lastY = y; }
      }
      pages.push(out.trim());
      page.cleanup();
    }
    const text = pages.filter(Boolean).join('\n\n');
    if (!text.trim()) { throw new PdfError('This PDF has no text layer (it may be scanned images); run OCR on it first.'); }
    return { text: `${text}\n`, pages: doc.numPages };
  } finally {
    await doc.destroy();
  }
}

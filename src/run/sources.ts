// Source documents of a run: where they are recorded, a PDF's extracted text (.autodata/sources/), and their sections.
import * as path from 'node:path';
import { splitSections } from '../core/chunks';
import type { Target } from '../shared/schemas';
import { writeFileAtomic } from './atomic-file';
import { resolveInside } from './jsonl';
import { pdfText } from './pdf-text';
import { decodeText, EncodingError } from './text-decoding';
import { assertRegularOrMissing, NotAFileError, readRegular } from './workspace-boundary';

export class SourceError extends Error {}

/** As recorded in journals and dataset records: relative to the workspace (with `/`), absolute when outside it. */
export function documentPath(workspace: string, file: string): string {
  const rel = path.relative(workspace, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

export const isPdf = (file: string): boolean => /\.pdf$/i.test(file);

/**
 * Extracts a PDF's text once into .autodata/sources/<recorded path with / as __>.txt: items link to ranges of that
 * text (a PDF has no text offsets of its own), and a resumed run reads it back. Returns the text file's path.
 */
export async function extractPdf(workspace: string, file: string): Promise<{ file: string; text: string; pages: number }> {
  let extracted: { text: string; pages: number };
  try {
    // A FIFO or device named .pdf is refused here, before a reader could block on it.
    if ((await assertRegularOrMissing(file)) === 'missing') {
      throw new Error('no such file');
    }
    extracted = await pdfText(file);
  } catch (e) {
    throw new SourceError(`${path.basename(file)}: ${(e as Error).message}`);
  }
  const name = documentPath(workspace, file).replace(/[\\/:]/g, '__');
  const out = await resolveInside(workspace, `.autodata/sources/${name}.txt`);
  await writeFileAtomic(out, extracted.text, workspace);
  return { file: out, text: extracted.text, pages: extracted.pages };
}

/**
 * A source file's text; refuses folders, FIFOs, devices, missing files, binary files and text that is not UTF-8 (or
 * declared UTF-16 by its byte-order mark) with a message a person can act on. FIFOs and devices are refused without
 * being opened for long: checked first, then opened non-blocking and checked again.
 */
export async function readText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readRegular(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof NotAFileError) {
      throw new SourceError(`cannot read ${e.message}`);
    }
    throw new SourceError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`);
  }
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (!utf16 && bytes.includes(0)) {
    throw new SourceError(`${file} looks like a binary file: give Markdown, text, LaTeX or PDF files`);
  }
  let text: string;
  try {
    text = decodeText(bytes, file).text;
  } catch (e) {
    throw new SourceError((e as EncodingError).message);
  }
  if (text.includes('\u0000')) {
    throw new SourceError(`${file} looks like a binary file: give Markdown, text, LaTeX or PDF files`);
  }
  return text;
}

/** A document's sections, the same way wherever the run starts. `plain`: plain text, whose headings may be numbered lines. */
export function sectionsOf(text: string, sectionMaxChars: number, plain: boolean): Target[] {
  return splitSections(text, { maxChars: sectionMaxChars, minChars: Math.min(400, sectionMaxChars / 4), numberedHeadings: plain });
}

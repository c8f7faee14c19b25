// Source documents of a run: where they are recorded, a PDF's extracted text (.autodata/sources/), and their sections.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { splitSections } from '../core/chunks';
import type { Target } from '../shared/schemas';
import { resolveInside } from './jsonl';
import { pdfText } from './pdf-text';

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
    extracted = await pdfText(file);
  } catch (e) {
    throw new SourceError(`${path.basename(file)}: ${(e as Error).message}`);
  }
  const name = documentPath(workspace, file).replace(/[\\/:]/g, '__');
  const out = await resolveInside(workspace, `.autodata/sources/${name}.txt`);
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, extracted.text, 'utf8');
  return { file: out, text: extracted.text, pages: extracted.pages };
}

/** A source file's text; refuses folders, missing files and binary files with a message a person can act on. */
export async function readText(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`);
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

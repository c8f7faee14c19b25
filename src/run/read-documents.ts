// Documents to generate from, read (PDFs through their extracted text) and split into sections: the CLI's files and
// the editor's Explorer selection alike.
import * as path from 'node:path';
import type { Target } from '../shared/schemas';
import { documentPath, extractPdf, isPdf, readText, sectionsOf } from './sources';

export interface Source {
  /** As recorded in journals and dataset records: relative to the workspace (with `/`), absolute when outside it. */
  docPath: string;
  text: string;
  /** This process's sections of the document (all of them, or its shard's). */
  targets: Target[];
}

const PLAIN_TEXT = /\.(?:txt|text)$/i;

/** A file's text and where it is recorded (a PDF's extracted text, as the extension does). */
async function readSource(workspace: string, file: string): Promise<{ docPath: string; text: string; plain: boolean }> {
  if (isPdf(file)) {
    const extracted = await extractPdf(workspace, file);
    return { docPath: documentPath(workspace, extracted.file), text: extracted.text, plain: true };
  }
  return { docPath: documentPath(workspace, file), text: await readText(file), plain: PLAIN_TEXT.test(file) };
}

/**
 * Reads the files (in order of their recorded paths, so every machine of a sharded job sees the same order whatever
 * order its shell passed them in) and splits each into sections. Empty files are reported through `skip`.
 */
export async function readDocuments(files: readonly string[], workspace: string, sectionMaxChars: number, skip: (why: string) => void): Promise<Source[]> {
  const unique = [...new Set(files.map((f) => path.resolve(f)))];
  const out: Source[] = [];
  for (const file of unique) {
    const { docPath, text, plain } = await readSource(workspace, file);
    if (!text.trim()) {
      skip(`${docPath} is empty`);
      continue;
    }
    out.push({ docPath, text, targets: sectionsOf(text, sectionMaxChars, plain) });
  }
  return out.sort((a, b) => (a.docPath < b.docPath ? -1 : a.docPath > b.docPath ? 1 : 0));
}

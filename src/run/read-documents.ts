// Documents to generate from, read (PDFs through their extracted text) and split into sections: the CLI's files and
// the editor's Explorer selection alike.
import * as fs from 'node:fs/promises';
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

/** The documents a folder stands for: these extensions, below it. */
export const DOCUMENT_EXTENSIONS = ['md', 'markdown', 'txt', 'tex', 'pdf'];
/** Folders never searched for documents: dependencies, version control, Autodata's own files. */
export const SKIPPED_FOLDERS = ['node_modules', '.git', '.autodata'];

const DOCUMENT = new RegExp(`\\.(?:${DOCUMENT_EXTENSIONS.join('|')})$`, 'i');

/**
 * The documents below a folder (its subfolders too, not following symbolic links to folders), or the file itself. A
 * file named on its own is taken whatever its extension; a folder contributes only documents.
 */
async function documentsAt(file: string): Promise<string[]> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isDirectory()) {
    return [file];
  }
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.includes(entry.name)) {
          await walk(full);
        }
      } else if ((entry.isFile() || entry.isSymbolicLink()) && DOCUMENT.test(entry.name)) {
        out.push(full);
      }
    }
  };
  await walk(file);
  return out;
}

/** A file's text and where it is recorded (a PDF's extracted text, as the extension does). */
async function readSource(workspace: string, file: string): Promise<{ docPath: string; text: string; plain: boolean }> {
  if (isPdf(file)) {
    const extracted = await extractPdf(workspace, file);
    return { docPath: documentPath(workspace, extracted.file), text: extracted.text, plain: true };
  }
  return { docPath: documentPath(workspace, file), text: await readText(file), plain: PLAIN_TEXT.test(file) };
}

/**
 * Reads the files, and the documents below each folder given (in order of their recorded paths, so every machine of a
 * sharded job sees the same order whatever order its shell passed them in), and splits each into sections. Empty
 * files, and folders with no document, are reported through `skip`.
 */
export async function readDocuments(files: readonly string[], workspace: string, sectionMaxChars: number, skip: (why: string) => void): Promise<Source[]> {
  const found: string[] = [];
  for (const f of files) {
    const inside = await documentsAt(path.resolve(f));
    if (inside.length === 0) {
      skip(`${f} holds no document (${DOCUMENT_EXTENSIONS.map((x) => `.${x}`).join(', ')})`);
    }
    found.push(...inside);
  }
  const unique = [...new Set(found)];
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

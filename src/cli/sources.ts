// Input documents for the CLI: read (PDFs through their extracted text), split into sections, and dealt to shards.
import * as path from 'node:path';
import type { Target } from '../shared/schemas';
import { documentPath, extractPdf, isPdf, readText, sectionsOf } from '../run/sources';
import { UsageError } from './args';

export { SourceError } from '../run/sources';

export interface Source {
  /** As recorded in journals and dataset records: relative to the workspace (with `/`), absolute when outside it. */
  docPath: string;
  text: string;
  /** This process's sections of the document (all of them, or its shard's). */
  targets: Target[];
}

export interface Shard {
  index: number;
  count: number;
}

/** "2/4": the second of four shards (1-based, as in jest and Playwright). */
export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n, e.g. --shard 1/4 (got "${spec}")`);
  }
  return { index, count };
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
export async function readSources(files: readonly string[], workspace: string, sectionMaxChars: number, skip: (why: string) => void): Promise<Source[]> {
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

/**
 * The sections of one shard: every n-th section counted across all the files, so shards get equal shares even when
 * files differ in size, and n shards together cover every section exactly once. Files left without a section drop out.
 */
export function shardOf(sources: readonly Source[], shard: Shard | undefined): Source[] {
  if (!shard || shard.count === 1) {
    return [...sources];
  }
  let k = 0;
  return sources.map((s) => ({ ...s, targets: s.targets.filter(() => k++ % shard.count === shard.index - 1) })).filter((s) => s.targets.length > 0);
}

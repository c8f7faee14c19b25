// Input documents for the CLI: read (PDFs through their extracted text), split into sections, and dealt to shards.
import type { Source } from '../run/read-documents';
import { UsageError } from './args';

export { SourceError } from '../run/sources';

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

export { readDocuments as readSources, type Source } from '../run/read-documents';

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

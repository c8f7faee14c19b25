// Combines the dataset parts that shards wrote into one dataset: every item exactly once by id, the same source
// document hashed the same way in every part (shards that read different versions of a document are refused), and an
// id that two parts give different items is refused, so nothing conflicting is written.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetRecord } from '../shared/schemas';
import { Dataset } from './dataset';
import { readJsonl } from './jsonl';

export class MergeError extends Error {}

export interface MergeReport {
  parts: number;
  /** Distinct items across the parts. */
  items: number;
  /** Items written now (the rest were in the dataset already). */
  written: number;
  /** Lines repeated across or within parts (the same item). */
  repeated: number;
}

/** The `.jsonl` files of a folder, in name order. */
export async function partsIn(folder: string): Promise<string[]> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => path.join(folder, n));
}

/** A stable rendering of a record, to tell one item written twice from two items under one id. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(canonical).join(',')}]`;
  }
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export async function mergeParts(parts: readonly string[], out: string, workspace: string): Promise<MergeReport> {
  if (parts.length === 0) {
    throw new MergeError('no dataset parts to merge');
  }
  const byId = new Map<string, { record: DatasetRecord; key: string; part: string }>();
  const hashes = new Map<string, { sha256: string; part: string }>();
  let repeated = 0;
  for (const part of parts) {
    if (path.resolve(part) === path.resolve(out)) {
      throw new MergeError(`${part} is the dataset being merged into: name the parts only`);
    }
    const { values, badLines } = await readJsonl(part);
    if (badLines.length) {
      throw new MergeError(`${part}: line(s) ${badLines.slice(0, 5).join(', ')} are not JSON; nothing was merged`);
    }
    for (const [i, v] of values.entries()) {
      const r = DatasetRecord.safeParse(v);
      if (!r.success) {
        throw new MergeError(`${part}: item ${i + 1} is not a dataset record (${r.error.issues[0]?.message}); nothing was merged`);
      }
      const record = r.data;
      const seen = hashes.get(record.source.path);
      if (seen && seen.sha256 !== record.source.sha256) {
        throw new MergeError(
          `${record.source.path} was read as two different documents (sha256 ${seen.sha256.slice(0, 12)}… in ${path.basename(seen.part)}, ${record.source.sha256.slice(0, 12)}… in ${path.basename(part)}): the shards did not see the same files; nothing was merged`,
        );
      }
      hashes.set(record.source.path, { sha256: record.source.sha256, part });
      const key = canonical(record);
      const prior = byId.get(record.id);
      if (prior) {
        if (prior.key !== key) {
          throw new MergeError(`item ${record.id} differs between ${path.basename(prior.part)} and ${path.basename(part)}; nothing was merged`);
        }
        repeated++;
        continue;
      }
      byId.set(record.id, { record, key, part });
    }
  }
  const dataset = new Dataset(out, workspace);
  await dataset.open();
  const written = await dataset.appendAll([...byId.values()].map((x) => x.record));
  return { parts: parts.length, items: byId.size, written: written.length, repeated };
}

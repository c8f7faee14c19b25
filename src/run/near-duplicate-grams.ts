// What the near-duplicate index keeps of a dataset item: its question's grams and its id's hash. Shared by the index's
// queries (near-duplicate-index.ts, main thread) and its build (near-duplicate-build.ts, the index worker).
import { createHash } from 'node:crypto';
import { ngramHashes } from '../core/similarity';

/** A question's grams as sorted distinct 32-bit values (the low bits of the similarity module's 53-bit hashes). */
export function gramsOf(question: string): Uint32Array {
  const hashes = ngramHashes(question);
  const out = new Uint32Array(hashes.size);
  let i = 0;
  for (const h of hashes) {
    out[i++] = h % 4294967296;
  }
  // Insertion sort: a question has tens of grams, where a typed array's sort costs more than it saves.
  for (let k = 1; k < out.length; k++) {
    const v = out[k];
    let j = k;
    while (j > 0 && out[j - 1] > v) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = v;
  }
  // Two 53-bit hashes can share their low 32 bits: keep each value once.
  let n = 0;
  for (let k = 0; k < out.length; k++) {
    if (k === 0 || out[k] !== out[k - 1]) {
      out[n++] = out[k];
    }
  }
  return n === out.length ? out : out.slice(0, n);
}

/** 53 bits of an id's SHA-1: the exactly-once lookup checks the line itself on a match. */
export function idHashOf(id: string): number {
  const d = createHash('sha1').update(id).digest();
  return d.readUInt32BE(0) * 0x200000 + (d.readUInt32BE(4) >>> 11);
}

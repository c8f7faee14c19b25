// One immutable piece of the near-duplicate index (near-duplicate-index.ts): typed arrays only, so a persisted segment is
// loaded as views over the bytes read from its file (no parsing), and two segments merge into one without the dataset.
// Built in the index worker (near-duplicate-build.ts), a segment crosses to the main thread as its file's bytes in shared
// memory, viewed there the same way.
//
// Per entry: its id hash, its line's byte offset and its number of distinct grams; an inverted index (sorted distinct
// grams → posting lists of entry numbers, ascending) answers both which entries share a gram and, by a binary search in
// a posting list, whether one entry has it, so no entry keeps its own copy of its grams.

const MAGIC = 0x4e444932; // "NDI2"
const HEADER = 8; // uint32s: magic, then the seven arrays' lengths

export interface SegmentEntry {
  idHash: number;
  offset: number;
  /** Sorted distinct grams. */
  grams: Uint32Array;
}

/**
 * Entry numbers ordered by id hash (then number): one native sort of (the hash's top 32 bits · 2^21 + entry), exact in
 * a double, then the rare runs whose top bits are equal put in order of their whole hash.
 */
function sortedById(idHash: Float64Array): Uint32Array {
  const n = idHash.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = Math.floor(idHash[i] / 2097152) * 2097152 + i;
  }
  keys.sort();
  const byId = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    byId[i] = keys[i] % 2097152;
  }
  for (let i = 1; i < n; i++) {
    const e = byId[i];
    let j = i;
    while (j > 0 && (idHash[byId[j - 1]] > idHash[e] || (idHash[byId[j - 1]] === idHash[e] && byId[j - 1] > e))) {
      byId[j] = byId[j - 1];
      j--;
    }
    byId[j] = e;
  }
  return byId;
}

export class Segment {
  constructor(
    readonly idHash: Float64Array,
    readonly offset: Float64Array,
    readonly gramCount: Uint32Array,
    /** Entry numbers sorted by id hash, for the exactly-once lookup. */
    readonly byId: Uint32Array,
    readonly distinct: Uint32Array,
    /** distinct.length + 1 starts into `post`. */
    readonly postStart: Uint32Array,
    readonly post: Uint32Array,
  ) {}

  get size(): number {
    return this.idHash.length;
  }

  get bytes(): number {
    return [this.idHash, this.offset, this.gramCount, this.byId, this.distinct, this.postStart, this.post].reduce((n, a) => n + a.byteLength, 0);
  }

  static build(entries: readonly SegmentEntry[]): Segment {
    const n = entries.length;
    const idHash = new Float64Array(n);
    const offset = new Float64Array(n);
    const gramCount = new Uint32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      idHash[i] = entries[i].idHash;
      offset[i] = entries[i].offset;
      gramCount[i] = entries[i].grams.length;
      total += gramCount[i];
    }
    const byId = sortedById(idHash);
    // (gram, entry) pairs as gram · 2^21 + entry: exact in a double (entry < 2^21), so one numeric sort groups them.
    const keys = new Float64Array(total);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (const g of entries[i].grams) {
        keys[k++] = g * 2097152 + i;
      }
    }
    keys.sort();
    const post = new Uint32Array(total);
    let distinctCount = 0;
    let last = -1;
    for (let j = 0; j < total; j++) {
      const g = Math.floor(keys[j] / 2097152);
      if (g !== last) {
        distinctCount++;
        last = g;
      }
    }
    const distinct = new Uint32Array(distinctCount);
    const postStart = new Uint32Array(distinctCount + 1);
    last = -1;
    let d = 0;
    for (let j = 0; j < total; j++) {
      const g = Math.floor(keys[j] / 2097152);
      post[j] = keys[j] - g * 2097152;
      if (g !== last) {
        distinct[d] = g;
        postStart[d] = j;
        d++;
        last = g;
      }
    }
    postStart[distinctCount] = total;
    return new Segment(idHash, offset, gramCount, byId, distinct, postStart, post);
  }

  /**
   * `a`'s entries then `b`'s, in one segment: the same answers as the two, earliest first. Linear in their sizes; calls
   * `pause` often enough that it can hand the event loop back every few milliseconds.
   */
  static async merge(a: Segment, b: Segment, pause: () => Promise<void> | undefined): Promise<Segment> {
    const na = a.size;
    const n = na + b.size;
    const cat = <T extends Float64Array | Uint32Array>(x: T, y: T, make: new (n: number) => T): T => {
      const out = new make(x.length + y.length);
      out.set(x);
      out.set(y, x.length);
      return out;
    };
    const idHash = cat(a.idHash, b.idHash, Float64Array);
    const offset = cat(a.offset, b.offset, Float64Array);
    const gramCount = cat(a.gramCount, b.gramCount, Uint32Array);
    const byId = new Uint32Array(n);
    for (let i = 0, j = 0, o = 0; o < n; o++) {
      if (j >= b.size || (i < na && a.idHash[a.byId[i]] <= b.idHash[b.byId[j]])) {
        byId[o] = a.byId[i++];
      } else {
        byId[o] = b.byId[j++] + na;
      }
      if ((o & 0xffff) === 0) {
        await pause();
      }
    }
    let distinctCount = 0;
    for (let i = 0, j = 0; i < a.distinct.length || j < b.distinct.length; distinctCount++) {
      const ga = i < a.distinct.length ? a.distinct[i] : Infinity;
      const gb = j < b.distinct.length ? b.distinct[j] : Infinity;
      if (ga <= gb) {
        i++;
      }
      if (gb <= ga) {
        j++;
      }
      if ((distinctCount & 0x3ffff) === 0) {
        await pause();
      }
    }
    await pause();
    const distinct = new Uint32Array(distinctCount);
    const postStart = new Uint32Array(distinctCount + 1);
    const post = new Uint32Array(a.post.length + b.post.length);
    let p = 0;
    for (let i = 0, j = 0, d = 0; d < distinctCount; d++) {
      const ga = i < a.distinct.length ? a.distinct[i] : Infinity;
      const gb = j < b.distinct.length ? b.distinct[j] : Infinity;
      distinct[d] = Math.min(ga, gb);
      postStart[d] = p;
      if (ga <= gb) {
        post.set(a.post.subarray(a.postStart[i], a.postStart[i + 1]), p);
        p += a.postStart[i + 1] - a.postStart[i];
        i++;
      }
      if (gb <= ga) {
        for (let k = b.postStart[j]; k < b.postStart[j + 1]; k++) {
          post[p++] = b.post[k] + na;
        }
        j++;
      }
      if ((d & 0x3fff) === 0) {
        await pause();
      }
    }
    postStart[distinctCount] = p;
    return new Segment(idHash, offset, gramCount, byId, distinct, postStart, post);
  }

  private parts(): Array<Float64Array | Uint32Array> {
    return [this.idHash, this.offset, this.gramCount, this.byId, this.distinct, this.postStart, this.post];
  }

  /** The file's bytes as pieces (views, no copy of the arrays), written one after another. */
  encodeParts(): Uint8Array[] {
    const parts = this.parts();
    const header = new Uint32Array([MAGIC, ...parts.map((p) => p.length)]);
    const chunks: Uint8Array[] = [new Uint8Array(header.buffer)];
    for (const p of parts) {
      chunks.push(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
      const pad = (8 - (p.byteLength % 8)) % 8;
      if (pad) {
        chunks.push(new Uint8Array(pad));
      }
    }
    return chunks;
  }

  encode(): Buffer {
    return Buffer.concat(this.encodeParts());
  }

  /** The file's bytes in shared memory, so another thread decodes them as views without a copy. */
  encodeShared(): SharedArrayBuffer {
    const parts = this.encodeParts();
    const out = new Uint8Array(new SharedArrayBuffer(parts.reduce((n, p) => n + p.byteLength, 0)));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out.buffer as SharedArrayBuffer;
  }

  /** Views over `buf` (copied once only if it is not 8-byte aligned). Throws on a file that is not a whole segment. */
  static decode(buf: Buffer): Segment {
    let bytes: Uint8Array = buf;
    if (buf.byteOffset % 8 !== 0) {
      bytes = new Uint8Array(buf.length);
      bytes.set(buf);
    }
    const ab = bytes.buffer;
    const base = bytes.byteOffset;
    if (bytes.length < HEADER * 4) {
      throw new Error('not a segment');
    }
    const header = new Uint32Array(ab, base, HEADER);
    if (header[0] !== MAGIC) {
      throw new Error('not a segment');
    }
    let at = HEADER * 4;
    const take = <T>(make: new (b: ArrayBufferLike, o: number, l: number) => T, len: number, width: number): T => {
      if (at + len * width > bytes.length) {
        throw new Error('a cut segment');
      }
      const v = new make(ab, base + at, len);
      at += len * width;
      at += (8 - (at % 8)) % 8;
      return v;
    };
    const s = new Segment(
      take(Float64Array, header[1], 8),
      take(Float64Array, header[2], 8),
      take(Uint32Array, header[3], 4),
      take(Uint32Array, header[4], 4),
      take(Uint32Array, header[5], 4),
      take(Uint32Array, header[6], 4),
      take(Uint32Array, header[7], 4),
    );
    if (at !== bytes.length || s.offset.length !== s.size || s.postStart.length !== s.distinct.length + 1) {
      throw new Error('a cut segment');
    }
    return s;
  }

  /** Entry numbers whose id hash is `h`. */
  withIdHash(h: number): number[] {
    const out: number[] = [];
    let lo = 0;
    let hi = this.byId.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.idHash[this.byId[mid]] < h) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (let i = lo; i < this.byId.length && this.idHash[this.byId[i]] === h; i++) {
      out.push(this.byId[i]);
    }
    return out;
  }

  /** The posting list of a gram, as a [start, end) range of `post`. */
  postings(g: number): [number, number] {
    let lo = 0;
    let hi = this.distinct.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.distinct[mid] < g) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < this.distinct.length && this.distinct[lo] === g ? [this.postStart[lo], this.postStart[lo + 1]] : [0, 0];
  }

  /** Whether entry `e` is in the (ascending) posting range [from, to). */
  private listed(e: number, from: number, to: number): boolean {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.post[mid] < e) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < to && this.post[lo] === e;
  }

  /**
   * The entry most similar to the query grams `q` (sorted, distinct) at or above `threshold` (ties: the earliest), by
   * Jaccard. Prefix filtering: only the rarest |q| − ⌈t·|q|⌉ + 1 grams' lists give candidates; a length filter drops
   * entries whose size alone rules them out; each candidate's overlap is counted in the query grams' lists.
   */
  best(q: Uint32Array, threshold: number): { entry: number; score: number } | undefined {
    if (q.length === 0) {
      return undefined;
    }
    const minSize = threshold * q.length - 1e-9;
    const maxSize = q.length / threshold + 1e-9;
    const prefixLength = q.length - Math.ceil(threshold * q.length - 1e-9) + 1;
    const ranges = Array.from(q, (g) => this.postings(g)).sort((x, y) => x[1] - x[0] - (y[1] - y[0]));
    const seen = new Set<number>();
    let best: { entry: number; score: number } | undefined;
    for (const [from, to] of ranges.slice(0, prefixLength)) {
      for (let k = from; k < to; k++) {
        const e = this.post[k];
        if (seen.has(e)) {
          continue;
        }
        seen.add(e);
        const size = this.gramCount[e];
        if (size < minSize || size > maxSize) {
          continue;
        }
        let shared = 0;
        for (const [f, t] of ranges) {
          if (t > f && this.listed(e, f, t)) {
            shared++;
          }
        }
        const score = shared / (q.length + size - shared);
        if (score >= threshold - 1e-12 && (!best || score > best.score || (score === best.score && e < best.entry))) {
          best = { entry: e, score };
        }
      }
    }
    return best;
  }
}

// The dataset's questions and ids, indexed once and kept under .autodata/near-duplicate-index/: a run start reads only
// the dataset lines added since the index was last brought up to date, and the whole index is rebuilt when the dataset
// shrank or its indexed bytes changed. The index answers the near-duplicate check (the same word 3-gram Jaccard as
// src/core/similarity.ts) and the exactly-once check by id, holding typed arrays rather than one object per item.
//
// Layout: immutable segments of at most SEGMENT entries, each with its entries' id hashes, line offsets and grams and
// an inverted index (sorted distinct grams → posting lists); meta.json names the segments and the bytes they cover.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KnownQuestions } from '../core/asked-questions';
import { jaccardSorted, ngramHashes } from '../core/similarity';
import { writeFileAtomic } from './atomic-file';
import { readLinesFrom } from './jsonl-lines';

const VERSION = 1;
const SEGMENT = 4096;
const EDGE = 4096;

export class DatasetLineError extends Error {
  constructor(readonly lines: number[]) {
    super(`line ${lines.slice(0, 3).join(', ')}${lines.length > 3 ? ', …' : ''} is not JSON`);
  }
}

interface Meta {
  version: number;
  size: number;
  lines: number;
  head: string;
  tail: string;
  segments: string[];
}

/** One immutable segment: typed arrays over one buffer. */
class Segment {
  constructor(
    readonly idHash: Float64Array,
    readonly offset: Float64Array,
    /** idHash positions sorted by hash, for the exactly-once lookup. */
    readonly byId: Uint32Array,
    readonly gramStart: Uint32Array,
    readonly grams: Uint32Array,
    readonly distinct: Uint32Array,
    readonly postStart: Uint32Array,
    readonly post: Uint32Array,
  ) {}

  get size(): number {
    return this.idHash.length;
  }

  static build(entries: ReadonlyArray<{ idHash: number; offset: number; grams: Uint32Array }>): Segment {
    const n = entries.length;
    const idHash = Float64Array.from(entries, (e) => e.idHash);
    const offset = Float64Array.from(entries, (e) => e.offset);
    const byId = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => idHash[a] - idHash[b]);
    const gramStart = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      gramStart[i + 1] = gramStart[i] + entries[i].grams.length;
    }
    const grams = new Uint32Array(gramStart[n]);
    // (gram, entry) pairs as gram · 2^21 + entry: exact in a double (entry < 2^21), so one numeric sort groups them.
    const keys = new Float64Array(gramStart[n]);
    for (let i = 0; i < n; i++) {
      grams.set(entries[i].grams, gramStart[i]);
      for (let k = gramStart[i]; k < gramStart[i + 1]; k++) {
        keys[k] = grams[k] * 2097152 + i;
      }
    }
    keys.sort();
    const post = new Uint32Array(keys.length);
    const distinctList: number[] = [];
    const startList: number[] = [];
    let last = -1;
    for (let k = 0; k < keys.length; k++) {
      const g = Math.floor(keys[k] / 2097152);
      post[k] = keys[k] - g * 2097152;
      if (g !== last) {
        distinctList.push(g);
        startList.push(k);
        last = g;
      }
    }
    startList.push(keys.length);
    return new Segment(idHash, offset, byId, gramStart, grams, Uint32Array.from(distinctList), Uint32Array.from(startList), post);
  }

  encode(): Buffer {
    const parts = [this.idHash, this.offset, this.byId, this.gramStart, this.grams, this.distinct, this.postStart, this.post];
    const header = new Uint32Array(parts.map((p) => p.length));
    const chunks: Buffer[] = [Buffer.from(header.buffer)];
    for (const p of parts) {
      const b = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
      chunks.push(b, Buffer.alloc((8 - (b.length % 8)) % 8));
    }
    return Buffer.concat(chunks);
  }

  static decode(buf: Buffer): Segment {
    // A copy aligned to 8 bytes, so every array is a view without copying again.
    const ab = new ArrayBuffer(buf.length);
    new Uint8Array(ab).set(buf);
    const lengths = new Uint32Array(ab, 0, 8);
    let at = 32;
    const take = <T>(make: new (b: ArrayBuffer, o: number, l: number) => T, len: number, width: number): T => {
      const v = new make(ab, at, len);
      at += len * width;
      at += (8 - (at % 8)) % 8;
      return v;
    };
    const [a, b, c, d, e, f, g, h] = lengths;
    return new Segment(
      take(Float64Array, a, 8),
      take(Float64Array, b, 8),
      take(Uint32Array, c, 4),
      take(Uint32Array, d, 4),
      take(Uint32Array, e, 4),
      take(Uint32Array, f, 4),
      take(Uint32Array, g, 4),
      take(Uint32Array, h, 4),
    );
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
}

/** A question's grams as sorted distinct 32-bit values (the low bits of the similarity module's 53-bit hashes). */
export function gramsOf(question: string): Uint32Array {
  const set = new Set<number>();
  for (const h of ngramHashes(question)) {
    set.add(h % 4294967296);
  }
  return Uint32Array.from(set).sort();
}

/** 53 bits of an id's SHA-1: the exactly-once lookup checks the line itself on a match. */
export function idHashOf(id: string): number {
  const d = createHash('sha1').update(id).digest();
  return d.readUInt32BE(0) * 0x200000 + (d.readUInt32BE(4) >>> 11);
}

export class NearDuplicateIndex implements KnownQuestions {
  private readonly segments: Segment[] = [];
  /** Items appended by this process (not yet in a persisted segment). */
  private readonly recent = new Map<string, { question: string; grams: Uint32Array }>();
  private meta: Meta = { version: VERSION, size: 0, lines: 0, head: '', tail: '', segments: [] };
  /** How the last open went, for logs and benchmarks. */
  lastOpen = { rebuilt: false, linesRead: 0, bytesRead: 0 };

  private constructor(
    readonly dataset: string,
    readonly dir: string,
  ) {}

  /**
   * Opens the index of `dataset` kept in `dir`, reading only the dataset lines added since it was last brought up to
   * date (all of them when the dataset shrank or changed). Throws DatasetLineError naming lines that are not JSON.
   */
  static async open(dataset: string, dir: string): Promise<NearDuplicateIndex> {
    const index = new NearDuplicateIndex(dataset, dir);
    await index.load();
    await index.catchUp();
    return index;
  }

  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0) + this.recent.size;
  }

  /** Whether an item with this id is in the dataset (checked against its line on a hash match). */
  has(id: string): boolean {
    if (this.recent.has(id)) {
      return true;
    }
    const h = idHashOf(id);
    for (const s of this.segments) {
      for (const e of s.withIdHash(h)) {
        if (this.lineAt(s.offset[e])?.id === id) {
          return true;
        }
      }
    }
    return false;
  }

  /** Records an item this process appended. */
  add(id: string, question: string): void {
    this.recent.set(id, { question, grams: gramsOf(question) });
  }

  /** Undoes `add` (the append failed). */
  forget(id: string): void {
    this.recent.delete(id);
  }

  /** The most similar dataset question at or above `threshold` (ties: the earliest), scored as QuestionIndex scores. */
  similarTo(question: string, threshold: number): { id: string; score: number; question: string } | undefined {
    const q = gramsOf(question);
    let best: { seg: number; entry: number; score: number } | undefined;
    if (q.length > 0) {
      const minSize = threshold * q.length - 1e-9;
      const maxSize = q.length / threshold + 1e-9;
      const prefixLength = q.length - Math.ceil(threshold * q.length - 1e-9) + 1;
      this.segments.forEach((s, si) => {
        const ranges = Array.from(q, (g) => s.postings(g)).sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
        const seen = new Set<number>();
        for (const [from, to] of ranges.slice(0, prefixLength)) {
          for (let k = from; k < to; k++) {
            const e = s.post[k];
            if (seen.has(e)) {
              continue;
            }
            seen.add(e);
            const size = s.gramStart[e + 1] - s.gramStart[e];
            if (size < minSize || size > maxSize) {
              continue;
            }
            const score = jaccardSorted(q, s.grams.subarray(s.gramStart[e], s.gramStart[e + 1]));
            if (
              score >= threshold - 1e-12 &&
              (!best || score > best.score || (score === best.score && (si < best.seg || (si === best.seg && e < best.entry))))
            ) {
              best = { seg: si, entry: e, score };
            }
          }
        }
      });
    }
    let hit: { id: string; score: number; question: string } | undefined;
    if (best) {
      const line = this.lineAt(this.segments[best.seg].offset[best.entry]);
      hit = { id: line?.id ?? '(unknown)', score: best.score, question: line?.question ?? '' };
    }
    for (const [id, r] of this.recent) {
      const score = jaccardSorted(q, r.grams);
      if (score >= threshold - 1e-12 && (!hit || score > hit.score)) {
        hit = { id, score, question: r.question };
      }
    }
    return hit;
  }

  /** The item on the dataset line at `offset` (a short synchronous read: only on a match). */
  private lineAt(offset: number): { id?: string; question?: string } | undefined {
    const fd = fs.openSync(this.dataset, 'r');
    try {
      const chunks: Buffer[] = [];
      let pos = offset;
      for (;;) {
        const buf = Buffer.alloc(16_384);
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        const nl = buf.subarray(0, n).indexOf(10);
        chunks.push(buf.subarray(0, nl === -1 ? n : nl));
        if (nl !== -1 || n === 0) {
          break;
        }
        pos += n;
      }
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown; question?: unknown };
      return { id: typeof v.id === 'string' ? v.id : undefined, question: typeof v.question === 'string' ? v.question : undefined };
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  private metaFile(): string {
    return path.join(this.dir, 'meta.json');
  }

  /** Loads the persisted segments when they still describe the dataset's first bytes; else starts empty. */
  private async load(): Promise<void> {
    let meta: Meta | undefined;
    try {
      meta = JSON.parse(await fs.promises.readFile(this.metaFile(), 'utf8')) as Meta;
    } catch {
      meta = undefined;
    }
    const stat = await fs.promises.stat(this.dataset).catch(() => undefined);
    const valid =
      meta?.version === VERSION &&
      Array.isArray(meta.segments) &&
      stat !== undefined &&
      stat.size >= meta.size &&
      (await this.edges(meta.size)).head === meta.head &&
      (await this.edges(meta.size)).tail === meta.tail;
    if (!valid || !meta) {
      this.lastOpen.rebuilt = meta !== undefined;
      await fs.promises.rm(this.dir, { recursive: true, force: true });
      return;
    }
    try {
      for (const name of meta.segments) {
        this.segments.push(Segment.decode(await fs.promises.readFile(path.join(this.dir, name))));
      }
      this.meta = meta;
    } catch {
      this.segments.length = 0;
      this.lastOpen.rebuilt = true;
      await fs.promises.rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Hashes of the first and last bytes of the dataset's first `size` bytes. */
  private async edges(size: number): Promise<{ head: string; tail: string }> {
    if (size === 0) {
      return { head: '', tail: '' };
    }
    const h = await fs.promises.open(this.dataset, 'r');
    try {
      const read = async (at: number, len: number) => {
        const b = Buffer.alloc(len);
        const { bytesRead } = await h.read(b, 0, len, at);
        return createHash('sha256').update(b.subarray(0, bytesRead)).digest('hex');
      };
      const len = Math.min(EDGE, size);
      return { head: await read(0, len), tail: await read(size - len, len) };
    } finally {
      await h.close();
    }
  }

  /**
   * Reads the lines appended since the index's end (by this process or another); a dataset that was replaced or cut
   * shorter is indexed again from its start.
   */
  async refresh(): Promise<void> {
    const stat = await fs.promises.stat(this.dataset).catch(() => undefined);
    const same = stat !== undefined && stat.size >= this.meta.size && (this.meta.size === 0 || (await this.edges(this.meta.size)).tail === this.meta.tail);
    if (!same) {
      this.segments.length = 0;
      this.recent.clear();
      this.meta = { version: VERSION, size: 0, lines: 0, head: '', tail: '', segments: [] };
      await fs.promises.rm(this.dir, { recursive: true, force: true });
    }
    await this.catchUp();
  }

  /** Reads the lines added since the index's end into new segments, and persists them. */
  private async catchUp(): Promise<void> {
    const bad: number[] = [];
    let pending: Array<{ idHash: number; offset: number; grams: Uint32Array }> = [];
    const fresh: Segment[] = [];
    const flush = async () => {
      if (pending.length) {
        fresh.push(Segment.build(pending));
        pending = [];
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    let full = false;
    const { end, lines } = await readLinesFrom(
      this.dataset,
      this.meta.size,
      this.meta.lines + 1,
      ({ text, offset, line }) => {
        if (!text.trim()) {
          return;
        }
        let v: { id?: unknown; question?: unknown };
        try {
          v = JSON.parse(text) as typeof v;
        } catch {
          bad.push(line);
          return;
        }
        if (typeof v?.id !== 'string') {
          return;
        }
        pending.push({ idHash: idHashOf(v.id), offset, grams: gramsOf(typeof v.question === 'string' ? v.question : '') });
        full ||= pending.length >= SEGMENT;
      },
      async () => {
        if (full) {
          full = false;
          await flush();
        }
      },
    );
    await flush();
    this.lastOpen.linesRead = lines;
    this.lastOpen.bytesRead = end - this.meta.size;
    if (bad.length) {
      throw new DatasetLineError(bad);
    }
    this.segments.push(...fresh);
    if (end === this.meta.size) {
      return;
    }
    const names: string[] = [];
    await fs.promises.mkdir(this.dir, { recursive: true });
    for (const s of fresh) {
      const name = `segment-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.bin`;
      await fs.promises.writeFile(path.join(this.dir, name), s.encode());
      names.push(name);
    }
    const { head, tail } = await this.edges(end);
    this.meta = { version: VERSION, size: end, lines: this.meta.lines + lines, head, tail, segments: [...this.meta.segments, ...names] };
    await writeFileAtomic(this.metaFile(), JSON.stringify(this.meta));
  }
}

// The dataset's questions and ids, indexed once and kept under .autodata/near-duplicate-index/: a run start reads only
// the dataset lines added since the index was last brought up to date, and the whole index is rebuilt when the dataset
// shrank or its indexed bytes changed. The index answers the near-duplicate check (the same word 3-gram Jaccard as
// src/core/similarity.ts) and the exactly-once check by id, holding typed arrays rather than one object per item.
//
// Layout: immutable segments (near-duplicate-segment.ts), loaded as views over their files' bytes; meta.json names
// them and the dataset bytes they cover. Segments are merged as they come (the newest two while the newer is at least
// as large), so there are O(log n) of them. Reading lines, building and merging yield to the event loop every few
// milliseconds. Every change to the folder (loading, writing segments and meta.json, deleting merged-away or orphaned
// files) holds `<folder>.lock`, and new files are written only when meta.json is still the one this process started
// from, so processes opening the same index at once leave no file that meta.json does not name.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KnownQuestions } from '../core/asked-questions';
import { jaccardSorted, ngramHashes } from '../core/similarity';
import { writeFileAtomic } from './atomic-file';
import { withFileLock } from './file-lock';
import { readLinesFrom, type LineAt } from './jsonl-lines';
import { Segment, slicer, type SegmentEntry } from './near-duplicate-segment';

const VERSION = 2;
/** Entries per segment built from new lines (merging makes larger ones). */
const SEGMENT = 1024;
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

const EMPTY: Meta = { version: VERSION, size: 0, lines: 0, head: '', tail: '', segments: [] };

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

interface Held {
  segment: Segment;
  /** Its file, once persisted. */
  name?: string;
}

export class NearDuplicateIndex implements KnownQuestions {
  private segments: Held[] = [];
  /** Items appended by this process (not yet read back from the dataset). */
  private readonly recent = new Map<string, { question: string; grams: Uint32Array }>();
  /** What meta.json said when this process loaded it or last wrote it. */
  private meta: Meta = EMPTY;
  /** The dataset bytes and lines the segments in memory cover (beyond `meta` until persisted). */
  private covered = { size: 0, lines: 0 };
  /** The tail hash of the covered bytes. */
  private coveredTail = '';
  /** How the last open or refresh went, for logs, tests and benchmarks. */
  lastOpen = { rebuilt: false, linesRead: 0, bytesRead: 0, segmentsLoaded: 0, merges: 0, persisted: false, slices: 0, longestSliceMs: 0, longestSliceCpuMs: 0 };

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
    await index.catchUp(true);
    return index;
  }

  get size(): number {
    return this.segments.reduce((n, s) => n + s.segment.size, 0) + this.recent.size;
  }

  /** Segments held (at most about log2 of the items over SEGMENT, plus one). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Whether an item with this id is in the dataset (checked against its line on a hash match). */
  has(id: string): boolean {
    if (this.recent.has(id)) {
      return true;
    }
    const h = idHashOf(id);
    for (const { segment } of this.segments) {
      for (const e of segment.withIdHash(h)) {
        if (this.lineAt(segment.offset[e])?.id === id) {
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
    this.segments.forEach(({ segment }, seg) => {
      const b = segment.best(q, threshold);
      if (b && (!best || b.score > best.score)) {
        best = { seg, ...b };
      }
    });
    let hit: { id: string; score: number; question: string } | undefined;
    if (best) {
      const line = this.lineAt(this.segments[best.seg].segment.offset[best.entry]);
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

  private locked<T>(job: () => Promise<T>): Promise<T> {
    return (async () => {
      await fs.promises.mkdir(path.dirname(this.dir), { recursive: true });
      return withFileLock(this.dir, job);
    })();
  }

  private async readMeta(): Promise<Meta | undefined> {
    try {
      const m = JSON.parse(await fs.promises.readFile(this.metaFile(), 'utf8')) as Meta;
      return m?.version === VERSION && Array.isArray(m.segments) ? m : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether `meta` still describes the dataset's first `meta.size` bytes. */
  private async describes(meta: Meta): Promise<boolean> {
    const stat = await fs.promises.stat(this.dataset).catch(() => undefined);
    if (stat === undefined || stat.size < meta.size) {
      return false;
    }
    const { head, tail } = await this.edges(meta.size);
    return head === meta.head && tail === meta.tail;
  }

  /**
   * Loads the persisted segments (each one read, then viewed in place) when they still describe the dataset's first
   * bytes; else starts empty and clears the folder. Files meta.json does not name (left by a crash) are deleted.
   */
  private async load(): Promise<void> {
    await this.locked(async () => {
      const meta = await this.readMeta();
      const exists = await fs.promises
        .stat(this.dir)
        .then(() => true)
        .catch(() => false);
      if (!meta || !(await this.describes(meta))) {
        this.lastOpen.rebuilt = exists;
        await fs.promises.rm(this.dir, { recursive: true, force: true });
        return;
      }
      try {
        const held: Held[] = [];
        for (const name of meta.segments) {
          held.push({ segment: Segment.decode(await fs.promises.readFile(path.join(this.dir, name))), name });
        }
        this.segments = held;
        this.meta = meta;
        this.covered = { size: meta.size, lines: meta.lines };
        this.lastOpen.segmentsLoaded = held.length;
      } catch {
        this.lastOpen.rebuilt = true;
        await fs.promises.rm(this.dir, { recursive: true, force: true });
        return;
      }
      await this.sweep(new Set(meta.segments));
    });
  }

  /** Deletes the folder's files that `keep` (and meta.json) do not name. Only under the lock. */
  private async sweep(keep: ReadonlySet<string>): Promise<void> {
    const files = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    for (const f of files) {
      if (f !== 'meta.json' && !keep.has(f)) {
        await fs.promises.rm(path.join(this.dir, f), { force: true });
      }
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
   * shorter is indexed again from its start. What it reads is kept in memory (and persisted by the next open, or once
   * a whole segment's worth is unpersisted).
   */
  async refresh(): Promise<void> {
    const stat = await fs.promises.stat(this.dataset).catch(() => undefined);
    const tail = this.covered.size === 0 ? '' : (await this.edges(this.covered.size)).tail;
    const same = stat !== undefined && stat.size >= this.covered.size && (this.covered.size === 0 || tail === this.coveredTail);
    if (!same) {
      this.segments = [];
      this.recent.clear();
      this.covered = { size: 0, lines: 0 };
      await this.locked(async () => {
        const onDisk = await this.readMeta();
        if (!onDisk || !(await this.describes(onDisk))) {
          await fs.promises.rm(this.dir, { recursive: true, force: true });
        }
        this.meta = onDisk && (await this.describes(onDisk)) ? onDisk : EMPTY;
      });
    }
    await this.catchUp(false);
  }

  /**
   * Reads the lines added since the covered end into new segments, merging as it goes, each step in slices that
   * hand the event loop back; persists them when `persist` (or when a segment's worth is not yet on disk).
   */
  private async catchUp(persist: boolean): Promise<void> {
    if (this.covered.size === this.meta.size) {
      this.coveredTail = this.meta.tail;
    }
    this.lastOpen = { ...this.lastOpen, linesRead: 0, bytesRead: 0, merges: 0, persisted: false, slices: 0, longestSliceMs: 0, longestSliceCpuMs: 0 };
    const pause = slicer((ms, cpuMs) => {
      this.lastOpen.slices++;
      this.lastOpen.longestSliceMs = Math.max(this.lastOpen.longestSliceMs, ms);
      this.lastOpen.longestSliceCpuMs = Math.max(this.lastOpen.longestSliceCpuMs, cpuMs);
    });
    const bad: number[] = [];
    let pending: SegmentEntry[] = [];
    let queue: LineAt[] = [];
    const fresh: Held[] = [];
    const take = async () => {
      for (const { text, offset, line } of queue) {
        const p = pause();
        if (p) {
          await p;
        }
        if (!text.trim()) {
          continue;
        }
        let v: { id?: unknown; question?: unknown };
        try {
          v = JSON.parse(text) as typeof v;
        } catch {
          bad.push(line);
          continue;
        }
        if (typeof v?.id !== 'string') {
          continue;
        }
        pending.push({ idHash: idHashOf(v.id), offset, grams: gramsOf(typeof v.question === 'string' ? v.question : '') });
        if (pending.length >= SEGMENT) {
          await this.push(fresh, pending, pause);
          pending = [];
        }
      }
      queue = [];
    };
    const { end, lines } = await readLinesFrom(this.dataset, this.covered.size, this.covered.lines + 1, (l) => queue.push(l), take);
    await take();
    if (pending.length) {
      await this.push(fresh, pending, pause);
    }
    this.lastOpen.linesRead = lines;
    this.lastOpen.bytesRead = end - this.covered.size;
    if (bad.length) {
      throw new DatasetLineError(bad);
    }
    if (end !== this.covered.size) {
      this.covered = { size: end, lines: this.covered.lines + lines };
      this.coveredTail = (await this.edges(end)).tail;
      this.segments.push(...fresh);
      await this.compact(pause);
    }
    const unpersisted = this.segments.reduce((n, s) => n + (s.name ? 0 : s.segment.size), 0);
    if (this.covered.size !== this.meta.size && (persist || unpersisted >= SEGMENT)) {
      await this.persist();
    }
  }

  /** Adds a segment built from `entries` to `fresh`, merging it into the newest ones there while they are no larger. */
  private async push(fresh: Held[], entries: SegmentEntry[], pause: () => Promise<void> | undefined): Promise<void> {
    await pause();
    fresh.push({ segment: Segment.build(entries) });
    await this.compact(pause, fresh);
  }

  /** Merges the newest two segments while the newer is at least as large as the older. */
  private async compact(pause: () => Promise<void> | undefined, list: Held[] = this.segments): Promise<void> {
    while (list.length >= 2 && list[list.length - 1].segment.size >= list[list.length - 2].segment.size) {
      const b = list.pop()!;
      const a = list.pop()!;
      await pause();
      list.push({ segment: await Segment.merge(a.segment, b.segment, pause) });
      this.lastOpen.merges++;
    }
  }

  /**
   * Writes the segments not yet on disk and a meta.json naming all the segments held, then deletes the files merged
   * away, under the folder's lock, and only if meta.json is still the one this process loaded or last wrote (else
   * another process has brought the index further, and what is held here stays in memory for this process).
   */
  private async persist(): Promise<void> {
    await this.locked(async () => {
      const onDisk = await this.readMeta();
      const base = onDisk ?? EMPTY;
      if (base.size !== this.meta.size || base.tail !== this.meta.tail || base.segments.join() !== this.meta.segments.join()) {
        return;
      }
      await fs.promises.mkdir(this.dir, { recursive: true });
      const written: string[] = [];
      try {
        for (const s of this.segments) {
          if (!s.name) {
            const name = `segment-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.bin`;
            written.push(name);
            const h = await fs.promises.open(path.join(this.dir, name), 'wx');
            try {
              await h.writev(s.segment.encodeParts());
            } finally {
              await h.close();
            }
            s.name = name;
          }
        }
        const { head, tail } = await this.edges(this.covered.size);
        const meta: Meta = { version: VERSION, size: this.covered.size, lines: this.covered.lines, head, tail, segments: this.segments.map((s) => s.name!) };
        await writeFileAtomic(this.metaFile(), JSON.stringify(meta));
        this.meta = meta;
      } catch (e) {
        // Nothing names what was written: remove it, and keep the segments in memory as not persisted.
        for (const s of this.segments) {
          if (s.name && written.includes(s.name)) {
            s.name = undefined;
          }
        }
        for (const name of written) {
          await fs.promises.rm(path.join(this.dir, name), { force: true });
        }
        throw e;
      }
      // The files merged away, and any a crash left.
      await this.sweep(new Set(this.meta.segments));
      this.lastOpen.persisted = true;
    });
  }
}

// Brings a dataset's near-duplicate index (near-duplicate-index.ts) up to date: loads the persisted segments, reads the
// dataset lines added since, builds segments from them and merges them, and writes them. It runs in the index worker
// (index-worker.ts), off the extension host's main thread; what it hands back are segments in shared memory, which the
// main thread views in place.
//
// Layout: immutable segments (near-duplicate-segment.ts) and meta.json, which names them and the dataset bytes they
// cover. Segments are merged as they come (the newest two while the newer is at least as large), so there are O(log n)
// of them. Every change to the folder (loading, writing segments and meta.json, deleting merged-away or orphaned files)
// holds `<folder>.lock`, and new files are written only when meta.json is still the one this process started from, so
// processes opening the same index at once leave no file that meta.json does not name.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { withFileLock } from './file-lock';
import { readLinesFrom, type LineAt } from './jsonl-lines';
import { gramsOf, idHashOf } from './near-duplicate-grams';
import { Segment, type SegmentEntry } from './near-duplicate-segment';

const VERSION = 2;
/** Entries per segment built from new lines (merging makes larger ones). */
export const SEGMENT = 1024;
const EDGE = 4096;

export class DatasetLineError extends Error {
  constructor(readonly lines: number[]) {
    super(`line ${lines.slice(0, 3).join(', ')}${lines.length > 3 ? ', …' : ''} is not JSON`);
  }
}

export interface Meta {
  version: number;
  size: number;
  lines: number;
  head: string;
  tail: string;
  segments: string[];
}

export const EMPTY: Meta = { version: VERSION, size: 0, lines: 0, head: '', tail: '', segments: [] };

/** A segment as it crosses threads: its file's bytes in shared memory, and its file once persisted. */
export interface SharedSegment {
  name?: string;
  bytes: SharedArrayBuffer;
}

/** What the index covers: meta.json as this process last loaded or wrote it, and the dataset bytes its segments cover. */
export interface Coverage {
  meta: Meta;
  covered: { size: number; lines: number };
  /** The tail hash of the covered bytes. */
  coveredTail: string;
}

export interface BuildStats {
  rebuilt: boolean;
  linesRead: number;
  bytesRead: number;
  segmentsLoaded: number;
  merges: number;
  persisted: boolean;
  /** The build's wall time in the worker. */
  workerMs: number;
}

export type BuildRequest =
  { op: 'open'; dataset: string; dir: string } | { op: 'refresh'; dataset: string; dir: string; state: Coverage & { segments: SharedSegment[] } };

export interface BuildResult extends Coverage {
  segments: SharedSegment[];
  /** The dataset was replaced or cut: what this process added in memory is gone with it. */
  reset: boolean;
  stats: BuildStats;
}

interface Held {
  segment: Segment;
  name?: string;
  bytes?: SharedArrayBuffer;
}

const noPause = (): undefined => undefined;

/** Reads a file into shared memory. */
async function readShared(file: string): Promise<SharedArrayBuffer> {
  const h = await fs.promises.open(file, 'r');
  try {
    const { size } = await h.stat();
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    for (let at = 0; at < size;) {
      const { bytesRead } = await h.read(bytes, at, size - at, at);
      if (bytesRead === 0) {
        throw new Error('a cut segment');
      }
      at += bytesRead;
    }
    return bytes.buffer as SharedArrayBuffer;
  } finally {
    await h.close();
  }
}

const decodeShared = (bytes: SharedArrayBuffer) => Segment.decode(Buffer.from(bytes));

/** Runs `job` holding the folder's lock (`<dir>.lock`): file-lock.ts's, taken by whichever thread owns its lifetime. */
export type LockFolder = <T>(dir: string, job: () => Promise<T>) => Promise<T>;

/**
 * Runs one request: an open (load, then read every new line and persist) or a refresh of what a process holds. The
 * index worker passes a `lock` that the main thread takes for it, so a worker that stops never leaves it behind.
 */
export async function build(req: BuildRequest, lock: LockFolder = withFileLock): Promise<BuildResult> {
  const t0 = performance.now();
  const b = new Builder(req.dataset, req.dir, lock);
  let reset = false;
  if (req.op === 'open') {
    await b.load();
    await b.catchUp(true);
  } else {
    b.meta = req.state.meta;
    b.covered = req.state.covered;
    b.coveredTail = req.state.coveredTail;
    b.segments = req.state.segments.map((s) => ({ segment: decodeShared(s.bytes), name: s.name, bytes: s.bytes }));
    reset = await b.refresh();
  }
  b.stats.workerMs = performance.now() - t0;
  return {
    meta: b.meta,
    covered: b.covered,
    coveredTail: b.coveredTail,
    segments: b.segments.map((s) => ({ name: s.name, bytes: (s.bytes ??= s.segment.encodeShared()) })),
    reset,
    stats: b.stats,
  };
}

class Builder implements Coverage {
  segments: Held[] = [];
  meta: Meta = EMPTY;
  covered = { size: 0, lines: 0 };
  coveredTail = '';
  stats: BuildStats = { rebuilt: false, linesRead: 0, bytesRead: 0, segmentsLoaded: 0, merges: 0, persisted: false, workerMs: 0 };

  constructor(
    readonly dataset: string,
    readonly dir: string,
    private readonly lock: LockFolder,
  ) {}

  private metaFile(): string {
    return path.join(this.dir, 'meta.json');
  }

  private locked<T>(job: () => Promise<T>): Promise<T> {
    return (async () => {
      await fs.promises.mkdir(path.dirname(this.dir), { recursive: true });
      return this.lock(this.dir, job);
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
   * Loads the persisted segments (each one read into shared memory, then viewed in place) when they still describe the
   * dataset's first bytes; else starts empty and clears the folder. Files meta.json does not name (left by a crash) are
   * deleted.
   */
  async load(): Promise<void> {
    await this.locked(async () => {
      const meta = await this.readMeta();
      const exists = await fs.promises
        .stat(this.dir)
        .then(() => true)
        .catch(() => false);
      if (!meta || !(await this.describes(meta))) {
        this.stats.rebuilt = exists;
        await fs.promises.rm(this.dir, { recursive: true, force: true });
        return;
      }
      try {
        // Read side by side (the reads overlap in libuv's threads).
        const held: Held[] = await Promise.all(
          meta.segments.map(async (name) => {
            const bytes = await readShared(path.join(this.dir, name));
            return { segment: decodeShared(bytes), name, bytes };
          }),
        );
        this.segments = held;
        this.meta = meta;
        this.covered = { size: meta.size, lines: meta.lines };
        this.stats.segmentsLoaded = held.length;
      } catch {
        this.stats.rebuilt = true;
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
   * shorter is indexed again from its start (and true is returned). What it reads is kept in memory (and persisted by
   * the next open, or once a whole segment's worth is unpersisted).
   */
  async refresh(): Promise<boolean> {
    const stat = await fs.promises.stat(this.dataset).catch(() => undefined);
    const tail = this.covered.size === 0 ? '' : (await this.edges(this.covered.size)).tail;
    const same = stat !== undefined && stat.size >= this.covered.size && (this.covered.size === 0 || tail === this.coveredTail);
    if (!same) {
      this.segments = [];
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
    return !same;
  }

  /**
   * Reads the lines added since the covered end into new segments, merging as it goes; persists them when `persist`
   * (or when a segment's worth is not yet on disk).
   */
  async catchUp(persist: boolean): Promise<void> {
    if (this.covered.size === this.meta.size) {
      this.coveredTail = this.meta.tail;
    }
    const bad: number[] = [];
    let pending: SegmentEntry[] = [];
    let queue: LineAt[] = [];
    const fresh: Held[] = [];
    const take = async () => {
      for (const { text, offset, line } of queue) {
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
          await this.push(fresh, pending);
          pending = [];
        }
      }
      queue = [];
    };
    const { end, lines } = await readLinesFrom(this.dataset, this.covered.size, this.covered.lines + 1, (l) => queue.push(l), take);
    await take();
    if (pending.length) {
      await this.push(fresh, pending);
    }
    this.stats.linesRead = lines;
    this.stats.bytesRead = end - this.covered.size;
    if (bad.length) {
      throw new DatasetLineError(bad);
    }
    if (end !== this.covered.size) {
      this.covered = { size: end, lines: this.covered.lines + lines };
      this.coveredTail = (await this.edges(end)).tail;
      this.segments.push(...fresh);
      await this.compact();
    }
    const unpersisted = this.segments.reduce((n, s) => n + (s.name ? 0 : s.segment.size), 0);
    if (this.covered.size !== this.meta.size && (persist || unpersisted >= SEGMENT)) {
      await this.persist();
    }
  }

  /** Adds a segment built from `entries` to `fresh`, merging it into the newest ones there while they are no larger. */
  private async push(fresh: Held[], entries: SegmentEntry[]): Promise<void> {
    fresh.push({ segment: Segment.build(entries) });
    await this.compact(fresh);
  }

  /** Merges the newest two segments while the newer is at least as large as the older. */
  private async compact(list: Held[] = this.segments): Promise<void> {
    while (list.length >= 2 && list[list.length - 1].segment.size >= list[list.length - 2].segment.size) {
      const b = list.pop()!;
      const a = list.pop()!;
      list.push({ segment: await Segment.merge(a.segment, b.segment, noPause) });
      this.stats.merges++;
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
      this.stats.persisted = true;
    });
  }
}

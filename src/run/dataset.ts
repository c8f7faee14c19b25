// The workspace dataset: accepted items appended once each (by id), refusing a file that is not JSONL. Every append
// holds the dataset's lock (`<dataset>.lock`) across read-check-append: it reads what other processes appended since,
// checks the id, repairs a torn tail, writes the line and syncs it. An append resolves only once its line is durable.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetRecord } from '../shared/schemas';
import { withFileLock } from './file-lock';
import { endsAtLine, jsonLine, parseJsonl, repairTail, undoPartialAppend, WriteError, writeAll, type Repair } from './jsonl';
import { assertInside, NotAFileError, openRegular } from './workspace-boundary';

export class DatasetFileError extends Error {}

interface Indexed {
  dev: number;
  ino: number;
  /** Bytes of the file read into the index (whole lines only). */
  size: number;
}

export class Dataset {
  private readonly ids = new Set<string>();
  private readonly known: Array<{ id: string; question: string }> = [];
  private opened: Promise<Repair> | undefined;
  private indexed: Indexed | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  /** `workspace`: the folder the file must really be in (symlinks followed), checked at every open. */
  constructor(
    readonly file: string,
    private readonly workspace?: string,
  ) {}

  /** Repairs a torn last line, then checks every line; a file that is not JSONL is refused, not overwritten. */
  open(): Promise<Repair> {
    this.opened ??= (async () => {
      await this.checkPath();
      const repair = await repairTail(this.file).catch((e: unknown) => {
        throw e instanceof NotAFileError ? new DatasetFileError(`${e.message}; nothing was written.`) : e;
      });
      await this.catchUp(true);
      await this.checkWritable();
      return repair;
    })();
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The questions already in the file (after open), for the near-duplicate check. Kept up to date in place. */
  questions(): ReadonlyArray<{ id: string; question: string }> {
    return this.known;
  }

  /** Appends a record unless one with its id is already there. Resolves (true) once the line is on disk. */
  async append(record: DatasetRecord): Promise<boolean> {
    return (await this.appendAll([record])).length === 1;
  }

  /** Appends the records not yet in the file, under one lock and one sync. Returns the ids it wrote. */
  async appendAll(records: readonly DatasetRecord[]): Promise<string[]> {
    const valid = records.map((r) => DatasetRecord.parse(r));
    await this.open();
    const job = this.chain.then(() => withFileLock(this.file, () => this.appendLocked(valid)));
    this.chain = job.catch(() => undefined);
    return job;
  }

  /** Re-reads what other processes appended (under the lock, or for a fresh view of the ids). */
  async refresh(): Promise<void> {
    await this.open();
    await this.catchUp(false);
  }

  private async checkPath(): Promise<void> {
    if (this.workspace) {
      await assertInside(this.workspace, this.file);
    }
    await fs.mkdir(path.dirname(this.file), { recursive: true });
  }

  /** A dataset that cannot be written is refused before a run spends anything on items it could not keep. */
  private async checkWritable(): Promise<void> {
    const target = (await fs.stat(this.file).catch(() => undefined)) ? this.file : path.dirname(this.file);
    try {
      await fs.access(target, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EROFS' ? 'it is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
      throw new DatasetFileError(`${this.file} cannot be written (${why}). Make it writable or choose another autodata.datasetPath; nothing was written.`);
    }
  }

  private async appendLocked(records: DatasetRecord[]): Promise<string[]> {
    await this.catchUp(false);
    const fresh: DatasetRecord[] = [];
    const seen = new Set<string>();
    for (const r of records) {
      if (!this.ids.has(r.id) && !seen.has(r.id)) {
        seen.add(r.id);
        fresh.push(r);
      }
    }
    if (fresh.length === 0) {
      return [];
    }
    await this.checkPath();
    const h = await openRegular(this.file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT);
    try {
      let { size } = await h.stat();
      if (!(await endsAtLine(h, size))) {
        // A torn piece (a crash, or a failed write whose bytes could not be cut): set aside before anything is appended,
        // so no line is ever glued to it. Under the lock nobody else is writing it.
        await repairTail(this.file, 0);
        size = (await h.stat()).size;
        await this.catchUp(false);
      }
      const buf = Buffer.from(fresh.map((r) => jsonLine(r)).join(''), 'utf8');
      try {
        await writeAll(h, this.file, buf);
        await h.datasync();
      } catch (e) {
        await undoPartialAppend(h, size, e instanceof WriteError ? e.written : buf.length);
        throw e;
      }
      const st = await h.stat();
      for (const r of fresh) {
        this.add(r.id, r.question);
      }
      if (this.indexed && this.indexed.ino === st.ino && this.indexed.dev === st.dev && this.indexed.size === size) {
        this.indexed.size = size + buf.length;
      }
      return fresh.map((r) => r.id);
    } finally {
      await h.close();
    }
  }

  private add(id: string, question: unknown): void {
    if (this.ids.has(id)) {
      return;
    }
    this.ids.add(id);
    if (typeof question === 'string') {
      this.known.push({ id, question });
    }
  }

  /**
   * Brings the index of ids up to the file: only the bytes appended since the last read, or the whole file when it
   * was replaced or shortened. A full read refuses a file with lines that are not JSON.
   */
  private async catchUp(full: boolean): Promise<void> {
    const st = await fs.stat(this.file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        return undefined;
      }
      throw e;
    });
    const same = st && this.indexed && st.ino === this.indexed.ino && st.dev === this.indexed.dev && st.size >= this.indexed.size;
    if (full || !same) {
      this.ids.clear();
      this.known.length = 0;
      this.indexed = undefined;
      full = true;
    }
    if (!st) {
      return;
    }
    const from = this.indexed?.size ?? 0;
    if (st.size === from) {
      this.indexed ??= { dev: st.dev, ino: st.ino, size: 0 };
      return;
    }
    const h = await openRegular(this.file, constants.O_RDONLY);
    let bytes: Buffer;
    try {
      bytes = Buffer.alloc(st.size - from);
      let off = 0;
      while (off < bytes.length) {
        const { bytesRead } = await h.read(bytes, off, bytes.length - off, from + off);
        if (bytesRead === 0) {
          break;
        }
        off += bytesRead;
      }
      bytes = bytes.subarray(0, off);
    } finally {
      await h.close();
    }
    // Whole lines only: a line still being written is read on the next catch-up.
    const whole = bytes.lastIndexOf(0x0a) + 1;
    const { values, badLines } = parseJsonl(bytes.subarray(0, whole).toString('utf8'));
    if (full && badLines.length > 0) {
      throw new DatasetFileError(
        `${this.file} is not a JSONL dataset (line ${badLines.slice(0, 3).join(', ')}${badLines.length > 3 ? ', …' : ''} is not JSON). Fix the file or choose another autodata.datasetPath; nothing was written.`,
      );
    }
    for (const v of values as Array<{ id?: unknown; question?: unknown }>) {
      if (typeof v?.id === 'string') {
        this.add(v.id, v.question);
      }
    }
    this.indexed = { dev: st.dev, ino: st.ino, size: from + whole };
  }
}

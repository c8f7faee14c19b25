// The workspace dataset: accepted items appended once each (by id), refusing a file that is not JSONL. Its ids and
// questions live in a persisted index (near-duplicate-index.ts), so opening it reads only the lines added since the
// index was last brought up to date. Every append holds the dataset's lock (`<dataset>.lock`) across
// read-check-append: it reads what other processes appended since, checks the id, repairs a torn tail, writes the line
// and syncs it. An append resolves only once its line is durable.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetRecord } from '../shared/schemas';
import { withFileLock } from './file-lock';
import { startIndexWorker } from './index-worker-client';
import { endsAtLine, jsonLine, repairTail, undoPartialAppend, WriteError, writeAll, type Repair } from './jsonl';
import { DatasetLineError, NearDuplicateIndex } from './near-duplicate-index';
import { assertInside, NotAFileError, openRegular } from './workspace-boundary';

export class DatasetFileError extends Error {}

/** Where a dataset's index is kept by default: `.autodata/near-duplicate-index` beside it (or in its `.autodata`). */
function defaultIndexRoot(file: string): string {
  const dir = path.dirname(file);
  return path.join(dir, path.basename(dir) === '.autodata' ? '' : '.autodata', 'near-duplicate-index');
}

export class Dataset {
  private index: NearDuplicateIndex | undefined;
  private opened: Promise<Repair> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  /**
   * `workspace`: the folder the file must really be in (symlinks followed), checked at every open; `indexRoot`: where
   * indexes are kept.
   */
  constructor(
    readonly file: string,
    private readonly workspace?: string,
    private readonly indexRoot = workspace ? path.join(workspace, '.autodata', 'near-duplicate-index') : defaultIndexRoot(file),
  ) {}

  /** Repairs a torn last line, then checks the lines added since the index's end; a file that is not JSONL is refused. */
  open(): Promise<Repair> {
    this.opened ??= (async () => {
      // The index worker starts while the path is checked and the tail repaired.
      startIndexWorker();
      await this.checkPath();
      const repair = await repairTail(this.file).catch((e: unknown) => {
        throw e instanceof NotAFileError ? new DatasetFileError(`${e.message}; nothing was written.`) : e;
      });
      this.index = await this.openIndex();
      await this.checkWritable();
      return repair;
    })();
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  has(id: string): boolean {
    return this.index?.has(id) ?? false;
  }

  /** The questions already in the file (after open), for the near-duplicate check. Kept up to date in place. */
  questions(): NearDuplicateIndex {
    if (!this.index) {
      throw new Error('the dataset is not open');
    }
    return this.index;
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
    await this.catchUp();
  }

  private async openIndex(): Promise<NearDuplicateIndex> {
    const key = createHash('sha256').update(path.resolve(this.file)).digest('hex').slice(0, 16);
    try {
      return await NearDuplicateIndex.open(this.file, path.join(this.indexRoot, key));
    } catch (e) {
      throw this.lineError(e);
    }
  }

  /** Brings the index up to the file: the lines other processes appended since, or all of them when it changed. */
  private async catchUp(): Promise<void> {
    try {
      await this.index!.refresh();
    } catch (e) {
      throw this.lineError(e);
    }
  }

  private lineError(e: unknown): unknown {
    return e instanceof DatasetLineError
      ? new DatasetFileError(`${this.file} is not a JSONL dataset (${e.message}). Fix the file or choose another autodata.datasetPath; nothing was written.`)
      : e;
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
    await this.checkPath();
    const h = await openRegular(this.file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT);
    try {
      let { size } = await h.stat();
      if (!(await endsAtLine(h, size))) {
        // A torn piece (a crash, or a failed write whose bytes could not be cut): set aside before anything is appended,
        // so no line is ever glued to it. Under the lock nobody else is writing it.
        await repairTail(this.file, 0);
        size = (await h.stat()).size;
      }
      await this.catchUp();
      const fresh: DatasetRecord[] = [];
      const seen = new Set<string>();
      for (const r of records) {
        if (!this.index!.has(r.id) && !seen.has(r.id)) {
          seen.add(r.id);
          fresh.push(r);
        }
      }
      if (fresh.length === 0) {
        return [];
      }
      const lines = fresh.map((r) => Buffer.from(jsonLine(r), 'utf8'));
      const buf = Buffer.concat(lines);
      try {
        await writeAll(h, this.file, buf);
        await h.datasync();
      } catch (e) {
        await undoPartialAppend(h, size, e instanceof WriteError ? e.written : buf.length);
        throw e;
      }
      let end = size;
      fresh.forEach((r, i) => {
        end += lines[i].length;
        this.index!.add(r.id, r.question, end);
      });
      return fresh.map((r) => r.id);
    } finally {
      await h.close();
    }
  }
}

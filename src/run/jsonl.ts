// Crash-safe JSONL files in the workspace: torn last lines repaired (lines of any size), failed and short writes
// detected and undone, one open handle per file with batched appends.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { assertInside, openRegular, readRegular } from './workspace-boundary';

export { PathOutsideWorkspaceError, resolveInside } from './workspace-boundary';

export interface Repair {
  tornBytes: number;
  savedTo?: string;
}

/** A line another writer is still writing is never this old: each line is one write() call. */
const TORN_AFTER_MS = 2000;
const CHUNK = 64 * 1024;
/** A torn tail longer than this is not parsed to see whether it is whole JSON: it is set aside as torn. */
const MAX_PARSED_TAIL = 256 * 1024 * 1024;

/**
 * One JSON value as one line. U+2028 and U+2029 are escaped: JSON allows them raw, but JavaScript source and many line
 * readers take them as line breaks.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}\n`;
}

/** A write that failed after `written` of its bytes reached the file. */
export class WriteError extends Error {
  constructor(
    readonly file: string,
    readonly reason: Error,
    readonly written: number,
  ) {
    super(reason.message);
  }
  get code(): string | undefined {
    return (this.reason as NodeJS.ErrnoException).code;
  }
}

/** Writes every byte or throws: a short write (the kernel took fewer bytes) is continued, and a write of 0 bytes fails. */
export async function writeAll(h: fs.FileHandle, file: string, buf: Buffer, position: number | null = null): Promise<void> {
  let off = 0;
  try {
    while (off < buf.length) {
      const { bytesWritten } = await h.write(buf, off, buf.length - off, position === null ? null : position + off);
      if (bytesWritten <= 0) {
        throw Object.assign(new Error(`short write: ${off} of ${buf.length} bytes written`), { code: 'EIO' });
      }
      off += bytesWritten;
    }
  } catch (e) {
    throw new WriteError(file, e as Error, off);
  }
}

async function readFully(h: fs.FileHandle, buf: Buffer, len: number, position: number): Promise<void> {
  let off = 0;
  while (off < len) {
    const { bytesRead } = await h.read(buf, off, len - off, position + off);
    if (bytesRead === 0) {
      throw new Error(`unexpected end of file at ${position + off}`);
    }
    off += bytesRead;
  }
}

/** The offset just after the last newline before `end` (0 when there is none), scanning back in chunks. */
async function lineStart(h: fs.FileHandle, end: number): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  let pos = end;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    await readFully(h, buf, len, pos - len);
    const i = buf.subarray(0, len).lastIndexOf(0x0a);
    if (i >= 0) {
      return pos - len + i + 1;
    }
    pos -= len;
  }
  return 0;
}

/** Whether the file's last byte is a newline (an empty file counts as ending at a line boundary). */
export async function endsAtLine(h: fs.FileHandle, size: number): Promise<boolean> {
  if (size === 0) {
    return true;
  }
  const b = Buffer.alloc(1);
  await readFully(h, b, 1, size - 1);
  return b[0] === 0x0a;
}

/** Copies bytes [from, to) of an open file to the end of `dest`, in chunks, followed by a newline. */
async function copyAside(h: fs.FileHandle, from: number, to: number, dest: string): Promise<void> {
  const out = await openRegular(dest, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
  try {
    const buf = Buffer.alloc(CHUNK);
    for (let pos = from; pos < to; pos += CHUNK) {
      const len = Math.min(CHUNK, to - pos);
      await readFully(h, buf, len, pos);
      await writeAll(out, dest, buf.subarray(0, len));
    }
    await writeAll(out, dest, Buffer.from('\n'));
    await out.datasync();
  } finally {
    await out.close();
  }
}

/**
 * Makes the file end at a line boundary. A last line without its newline is kept if it is whole JSON (the newline is
 * added); otherwise it is a torn write from a crash: it is moved to `<file>.torn` and cut from the file. Lines of any
 * size: the start of the last line is found by scanning back from the end. Another process may be appending at this
 * moment (two windows on one dataset, without the dataset lock), so a tail is only treated as torn once the file has
 * not changed for `tornAfterMs`, and the cut happens only if nothing was appended meanwhile. Callers that hold the
 * file's lock pass 0.
 */
export async function repairTail(file: string, tornAfterMs = TORN_AFTER_MS): Promise<Repair> {
  for (;;) {
    let handle: fs.FileHandle;
    try {
      // Read-only until a repair is needed: a file that ends well is not opened for writing.
      handle = await openRegular(file, constants.O_RDONLY);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return { tornBytes: 0 };
      }
      throw e;
    }
    try {
      const { size, mtimeMs } = await handle.stat();
      if (await endsAtLine(handle, size)) {
        return { tornBytes: 0 };
      }
      const start = await lineStart(handle, size);
      const tailLength = size - start;
      let whole = false;
      if (tailLength <= MAX_PARSED_TAIL) {
        const tail = Buffer.alloc(tailLength);
        await readFully(handle, tail, tailLength, start);
        try {
          JSON.parse(tail.toString('utf8'));
          whole = true;
        } catch {
          /* torn, or still being written */
        }
      }
      const age = Date.now() - mtimeMs;
      if (!whole && age < tornAfterMs) {
        // Possibly another writer mid-line: look again once the file has been quiet long enough.
        await new Promise((r) => setTimeout(r, tornAfterMs - age + 10));
        continue;
      }
      if ((await handle.stat()).size !== size) {
        continue;
      }
      const rw = await openRegular(file, constants.O_RDWR);
      try {
        if (whole) {
          await writeAll(rw, file, Buffer.from('\n'), size);
          await rw.datasync();
          return { tornBytes: 0 };
        }
        const savedTo = `${file}.torn`;
        await copyAside(handle, start, size, savedTo);
        await rw.truncate(start);
        await rw.datasync();
        return { tornBytes: tailLength, savedTo };
      } finally {
        await rw.close();
      }
    } finally {
      await handle.close();
    }
  }
}

/**
 * After a failed append of which `written` bytes reached the file at `before`: cuts them off again, if the file is
 * still exactly as this append left it (nobody appended since). Returns whether the file ends where it did before.
 */
export async function undoPartialAppend(h: fs.FileHandle, before: number, written: number): Promise<boolean> {
  try {
    const { size } = await h.stat();
    if (size === before) {
      return true;
    }
    if (size === before + written) {
      await h.truncate(before);
      return true;
    }
  } catch {
    /* the caller repairs the tail before its next append */
  }
  return false;
}

export interface WriterOptions {
  /** fdatasync after every batch: a line is on disk when its append resolves. */
  durable?: boolean;
  /** How long a line may wait to be written with the ones after it (0: written as soon as the previous batch is). */
  batchMs?: number;
  /** The workspace folder the file must really be in (symlinks followed). */
  workspace?: string;
  /** Quiet time before a torn tail found at open is cut (see repairTail). */
  tornAfterMs?: number;
  /** Close the file whenever nothing is pending (a writer made for one decision, not for a whole run). */
  closeWhenIdle?: boolean;
}

interface Pending {
  line: Buffer;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Appends one JSON value per line through one open O_APPEND handle. Lines are batched: appends made while a batch is
 * being written (or within `batchMs`) go out in the next single write. A failed or short write rejects every append of
 * its batch, and the bytes it left are cut off again, so the next line never starts glued to a torn one.
 */
export class JsonlWriter {
  private readonly opts: WriterOptions;
  private ready: Promise<Repair> | undefined;
  private handle: fs.FileHandle | undefined;
  /** The file the handle was opened on. */
  private opened: { ino: number; dev: number } | undefined;
  private pending: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** A write failed and its bytes could not be cut off: the tail is repaired before the next write. */
  private suspect = false;

  constructor(
    readonly file: string,
    opts: WriterOptions | boolean = {},
  ) {
    this.opts = typeof opts === 'boolean' ? { durable: opts } : opts;
  }

  /** Checks the path, creates the folder and repairs a torn tail once, before the first append. */
  open(): Promise<Repair> {
    this.ready ??= (async () => {
      if (this.opts.workspace) {
        await assertInside(this.opts.workspace, this.file);
      }
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      return repairTail(this.file, this.opts.tornAfterMs);
    })();
    // A failed open is tried again on the next append.
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  /** Resolves once the line is written (and synced, for a durable writer); rejects with the write's error. */
  append(value: unknown): Promise<void> {
    const line = Buffer.from(jsonLine(value), 'utf8');
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.schedule();
    });
  }

  /** Lines appended but not yet written (the engine waits when too many pile up). */
  pendingEvents(): number {
    return this.pending.length + this.inFlight;
  }

  /** Resolves once every line appended so far has been written or has failed (never rejects). */
  drained(): Promise<void> {
    if (this.pending.length) {
      this.flushSoon(0);
    }
    return this.chain;
  }

  /** Writes what is pending now, without waiting for the batch time. */
  flush(): Promise<void> {
    return this.drained();
  }

  /** Writes what is pending and closes the file. The writer reopens it if appended to again. */
  async close(): Promise<void> {
    await this.drained();
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  private schedule(): void {
    this.flushSoon(this.opts.batchMs ?? 0);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) {
      return;
    }
    clearTimeout(this.timer);
    const go = () => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.writeBatch());
    };
    if (ms > 0) {
      this.timer = setTimeout(go, ms);
    } else {
      this.timer = undefined;
      go();
    }
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) {
      return;
    }
    this.inFlight = batch.length;
    try {
      const { h, size: before } = await this.fileHandle();
      const buf = batch.length === 1 ? batch[0].line : Buffer.concat(batch.map((p) => p.line));
      try {
        await writeAll(h, this.file, buf);
        if (this.opts.durable) {
          await h.datasync();
        }
      } catch (e) {
        const written = e instanceof WriteError ? e.written : buf.length;
        this.suspect = !(await undoPartialAppend(h, before, written));
        throw e;
      }
      for (const p of batch) {
        p.resolve();
      }
    } catch (e) {
      for (const p of batch) {
        p.reject(e);
      }
    } finally {
      this.inFlight = 0;
      if (this.opts.closeWhenIdle && this.pending.length === 0 && this.handle) {
        const h = this.handle;
        this.handle = undefined;
        await h.close().catch(() => undefined);
      }
    }
  }

  /**
   * The open handle and the file's size, reopened when the file was replaced or removed meanwhile; a suspect tail is
   * repaired first. One stat of the path per batch tells both (the handle's own file was recorded when it was opened):
   * every round trip to the file system is a wait behind whatever else the process is doing.
   */
  private async fileHandle(): Promise<{ h: fs.FileHandle; size: number }> {
    await this.open();
    if (this.handle) {
      const now = await fs.stat(this.file).catch(() => undefined);
      if (now && now.ino === this.opened?.ino && now.dev === this.opened.dev && !this.suspect) {
        return { h: this.handle, size: now.size };
      }
      await this.handle.close().catch(() => undefined);
      this.handle = undefined;
    }
    if (this.suspect) {
      // Our own failed write is the torn piece: nobody else is writing it, no need to wait.
      await repairTail(this.file, 0);
      this.suspect = false;
    }
    if (this.opts.workspace) {
      await assertInside(this.opts.workspace, this.file);
    }
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    this.handle = await openRegular(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
    const st = await this.handle.stat();
    this.opened = { ino: st.ino, dev: st.dev };
    return { h: this.handle, size: st.size };
  }
}

/** Parses JSONL text: valid values, and the 1-based numbers of lines that are not JSON. */
export function parseJsonl(text: string, firstLine = 1): { values: unknown[]; badLines: number[] } {
  const values: unknown[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) {
      return;
    }
    try {
      values.push(JSON.parse(line));
    } catch {
      badLines.push(i + firstLine);
    }
  });
  return { values, badLines };
}

/** Reads a JSONL file: valid values, and the 1-based numbers of lines that are not JSON. FIFOs and folders are refused. */
export async function readJsonl(file: string): Promise<{ values: unknown[]; badLines: number[] }> {
  let text: string;
  try {
    text = (await readRegular(file)).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return { values: [], badLines: [] };
    }
    throw e;
  }
  return parseJsonl(text);
}

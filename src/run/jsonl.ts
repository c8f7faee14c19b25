// Crash-safe JSONL files in the workspace: paths kept inside the folder, torn last lines repaired, one write per line.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export class PathOutsideWorkspaceError extends Error {}

/** Resolves a workspace-relative path, refusing anything that leaves the folder (absolute paths, `..`, symlinks). */
export async function resolveInside(root: string, relative: string): Promise<string> {
  const rootReal = await fs.realpath(root);
  const target = path.resolve(rootReal, relative);
  const rel = path.relative(rootReal, target);
  if (!relative.trim() || rel.startsWith('..') || path.isAbsolute(rel) || rel === '') {
    throw new PathOutsideWorkspaceError(`"${relative}" is outside the workspace folder; use a path inside it, such as .autodata/dataset.jsonl`);
  }
  // A symlinked directory on the way may still lead outside.
  let probe = path.dirname(target);
  while (probe.length >= rootReal.length) {
    try {
      const real = await fs.realpath(probe);
      if (path.relative(rootReal, real).startsWith('..')) {
        throw new PathOutsideWorkspaceError(`"${relative}" leads outside the workspace folder through a link`);
      }
      break;
    } catch (e) {
      if (e instanceof PathOutsideWorkspaceError) {
        throw e;
      }
      probe = path.dirname(probe);
    }
  }
  return target;
}

export interface Repair {
  tornBytes: number;
  savedTo?: string;
}

/** A line another writer is still writing is never this old: each line is one write() call. */
const TORN_AFTER_MS = 2000;

/**
 * Makes the file end at a line boundary. A last line without its newline is kept if it is whole JSON (the newline is
 * added); otherwise it is a torn write from a crash: it is moved to `<file>.torn` and cut from the file. Another
 * process may be appending at this moment (two windows on one dataset), so a tail is only treated as torn once the
 * file has not changed for a while, and the cut happens only if nothing was appended meanwhile.
 */
export async function repairTail(file: string, tornAfterMs = TORN_AFTER_MS): Promise<Repair> {
  for (;;) {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return { tornBytes: 0 };
      }
      throw e;
    }
    try {
      const { size, mtimeMs } = await handle.stat();
      if (size === 0) {
        return { tornBytes: 0 };
      }
      const len = Math.min(size, 4 * 1024 * 1024);
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, size - len);
      if (buf[len - 1] === 0x0a) {
        return { tornBytes: 0 };
      }
      const tail = buf.subarray(buf.lastIndexOf(0x0a) + 1);
      let whole = false;
      try {
        JSON.parse(tail.toString('utf8'));
        whole = true;
      } catch {
        /* torn, or still being written */
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
      if (whole) {
        await handle.write('\n', size);
        return { tornBytes: 0 };
      }
      const savedTo = `${file}.torn`;
      await fs.appendFile(savedTo, Buffer.concat([tail, Buffer.from('\n')]));
      await handle.truncate(size - tail.length);
      return { tornBytes: tail.length, savedTo };
    } finally {
      await handle.close();
    }
  }
}

/** Appends one JSON value per line; each line is a single O_APPEND write, so concurrent writers never interleave. */
export class JsonlWriter {
  private ready: Promise<Repair> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly durable = true,
  ) {}

  /** Creates the folder and repairs a torn tail once, before the first append. */
  open(): Promise<Repair> {
    this.ready ??= (async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      return repairTail(this.file);
    })();
    return this.ready;
  }

  append(value: unknown): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    const next = this.queue.then(async () => {
      await this.open();
      const h = await fs.open(this.file, 'a');
      try {
        await h.write(line);
        if (this.durable) {
          await h.datasync();
        }
      } finally {
        await h.close();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Reads a JSONL file: valid values, and the 1-based numbers of lines that are not JSON. */
export async function readJsonl(file: string): Promise<{ values: unknown[]; badLines: number[] }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return { values: [], badLines: [] };
    }
    throw e;
  }
  const values: unknown[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) {
      return;
    }
    try {
      values.push(JSON.parse(line));
    } catch {
      badLines.push(i + 1);
    }
  });
  return { values, badLines };
}

// A short cross-process lock around one file's read-check-append (`<file>.lock`, created exclusively, naming its
// holder). Waiters retry every few milliseconds; a lock whose process is gone (a crash) is taken over.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';

export class FileLockTimeoutError extends Error {}

interface Holder {
  pid: number;
  host: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file whose holder has not written its name for this long is left over from a crash during its creation. */
const UNNAMED_STALE_MS = 10_000;

/** Runs `job` while holding `<file>.lock`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(file: string, job: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const lock = `${file}.lock`;
  const me: Holder = { pid: process.pid, host: os.hostname() };
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  for (;;) {
    let h: fs.FileHandle | undefined;
    try {
      h = await fs.open(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
    }
    if (h) {
      try {
        await h.writeFile(JSON.stringify(me));
      } catch (e) {
        // A full disk can refuse even the holder's name: leave no unnamed lock behind.
        await h.close().catch(() => undefined);
        await fs.rm(lock, { force: true });
        throw e;
      }
      await h.close();
      try {
        return await job();
      } finally {
        await fs.rm(lock, { force: true });
      }
    }
    const holder = await readHolder(lock);
    if (holder === 'gone') {
      continue;
    }
    if (holder === 'stale' || (holder && holder.host === me.host && !alive(holder.pid))) {
      await fs.rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new FileLockTimeoutError(
        `${file} stayed locked for ${Math.round(timeoutMs / 1000)} s${holder ? ` by process ${holder.pid} on ${holder.host}` : ''}; if no Autodata run is writing it, remove ${lock}`,
      );
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 50);
  }
}

async function readHolder(lock: string): Promise<Holder | 'gone' | 'stale' | undefined> {
  try {
    const text = await fs.readFile(lock, 'utf8');
    try {
      return JSON.parse(text) as Holder;
    } catch {
      // Created but not yet named: its holder is writing it now, unless that was long ago.
      const { mtimeMs } = await fs.stat(lock);
      return Date.now() - mtimeMs > UNNAMED_STALE_MS ? 'stale' : undefined;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'gone';
    }
    throw e;
  }
}

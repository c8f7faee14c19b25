// A short cross-process lock around one file's read-check-append (`<file>.lock`, created exclusively, naming its
// holder). Waiters retry every few milliseconds; a lock whose process is gone (a crash) is taken over.
import * as fs from 'node:fs/promises';
import { leftBehind, readHolder, removeLeftBehind, thisProcess } from './lock-holder';

export class FileLockTimeoutError extends Error {}

/** Runs `job` while holding `<file>.lock`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(file: string, job: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const lock = `${file}.lock`;
  const me = thisProcess();
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
    if (holder === 'stale' || (holder && leftBehind(holder))) {
      await removeLeftBehind(lock, holder);
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

// Who holds a lock file (`{pid, host, since}`, written by its holder right after creating it exclusively), shared by the
// run lock and the dataset's append lock: reading it, and telling a live holder from one a crash left behind.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { readTextIfExists } from './workspace-boundary';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** A lock file whose holder has not written its name for this long is left over from a crash during its creation. */
const UNNAMED_STALE_MS = 10_000;

export function thisProcess(): LockHolder {
  return { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Only a holder on this machine can be checked: one whose process is gone left its lock behind in a crash. */
export function leftBehind(holder: LockHolder): boolean {
  return holder.host === os.hostname() && !alive(holder.pid);
}

/**
 * The lock's holder; 'gone' when the lock no longer exists; 'stale' when it was created but never named long ago (its
 * holder crashed in between); undefined when it was created but not yet named (its holder is writing it now).
 */
export async function readHolder(lock: string): Promise<LockHolder | 'gone' | 'stale' | undefined> {
  const text = await readTextIfExists(lock);
  if (text === undefined) {
    return 'gone';
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') {
      return { pid: h.pid, host: h.host, since: h.since ?? '' };
    }
  } catch {
    // Not (yet) a holder's name.
  }
  try {
    const { mtimeMs } = await fs.stat(lock);
    return Date.now() - mtimeMs > UNNAMED_STALE_MS ? 'stale' : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'gone';
    }
    throw e;
  }
}

/**
 * Removes a lock left behind by `stale` (a crashed holder, or 'stale' for one never named), and only that one. Removing
 * is done under `<lock>.takeover`, created exclusively: while one process holds it, no other removes the lock, so the
 * lock it finds still naming the dead holder is that holder's and not another process's fresh one. A process that finds
 * the takeover taken returns at once (its caller tries the lock again); a takeover a crash left is removed after 10 s.
 */
export async function removeLeftBehind(lock: string, stale: LockHolder | 'stale'): Promise<void> {
  const guard = `${lock}.takeover`;
  let h: fs.FileHandle;
  try {
    h = await fs.open(guard, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw e;
    }
    const since = await fs.stat(guard).catch(() => undefined);
    if (since && Date.now() - since.mtimeMs > UNNAMED_STALE_MS) {
      await fs.rm(guard, { force: true });
    }
    return;
  }
  try {
    const now = await readHolder(lock);
    const same = stale === 'stale' ? now === 'stale' : typeof now === 'object' && now.pid === stale.pid && now.host === stale.host && now.since === stale.since;
    if (same) {
      await fs.rm(lock, { force: true });
    }
  } finally {
    await h.close();
    await fs.rm(guard, { force: true });
  }
}

// One engine per run across processes (two windows, or a window and the CLI): `.autodata/runs/<runId>.lock`, created
// exclusively, naming the process that holds it. A lock whose process is gone (a crash) is taken over.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTextIfExists } from './workspace-boundary';

export class RunLockedError extends Error {}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunLock {
  private held = false;

  constructor(readonly file: string) {}

  /** Takes the lock, or throws RunLockedError naming who holds it. */
  async acquire(): Promise<void> {
    const me: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    for (let tries = 0; tries < 2; tries++) {
      try {
        await fs.writeFile(this.file, JSON.stringify(me), { flag: 'wx' });
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw e;
        }
      }
      let holder: Holder | undefined;
      try {
        holder = JSON.parse((await readTextIfExists(this.file)) ?? '') as Holder;
      } catch {
        holder = undefined;
      }
      // Only a holder on this machine can be checked; one whose process is gone left the lock behind in a crash.
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        throw new RunLockedError(`This run is in progress elsewhere (process ${holder.pid} on ${holder.host}, since ${holder.since}).`);
      }
      await fs.rm(this.file, { force: true });
    }
    throw new RunLockedError('This run is being taken up by another process.');
  }

  async release(): Promise<void> {
    if (!this.held) {
      return;
    }
    this.held = false;
    await fs.rm(this.file, { force: true });
  }
}

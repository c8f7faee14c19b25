// One engine per run across processes (two windows, or a window and the CLI): `.autodata/runs/<runId>.lock`, created
// exclusively, naming the process that holds it. A lock whose process is gone (a crash) is taken over.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { leftBehind, readHolder, removeLeftBehind, thisProcess } from './lock-holder';

export class RunLockedError extends Error {}

export class RunLock {
  private held = false;

  constructor(readonly file: string) {}

  /** Takes the lock, or throws RunLockedError naming who holds it. */
  async acquire(): Promise<void> {
    const me = thisProcess();
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    for (let tries = 0; tries < 3; tries++) {
      try {
        await fs.writeFile(this.file, JSON.stringify(me), { flag: 'wx' });
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw e;
        }
      }
      const holder = await readHolder(this.file);
      if (holder === 'gone') {
        continue;
      }
      if (holder === undefined) {
        // Created this instant by another process that has not named itself yet: it is taking the run up.
        break;
      }
      if (holder !== 'stale' && !leftBehind(holder)) {
        throw new RunLockedError(`This run is in progress elsewhere (process ${holder.pid} on ${holder.host}, since ${holder.since}).`);
      }
      await removeLeftBehind(this.file, holder);
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

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunLock, RunLockedError } from '../../../src/run/run-lock';

describe('run lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets one holder at a time take a run, and the next one after release', async () => {
    const file = path.join(dir, 'runs', 'r1.lock');
    const a = new RunLock(file);
    await a.acquire();
    await assert.rejects(new RunLock(file).acquire(), (e: Error) => e instanceof RunLockedError && new RegExp(`process ${process.pid}`).test(e.message));
    await a.release();
    const b = new RunLock(file);
    await b.acquire();
    await b.release();
    assert.equal(fs.existsSync(file), false);
  });

  it('takes over a lock left behind by a process that is gone (a crash)', async () => {
    const file = path.join(dir, 'r2.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), since: new Date(0).toISOString() }));
    const lock = new RunLock(file);
    await lock.acquire();
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).pid, process.pid);
    await lock.release();
  });
});

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

  it('leaves alone a lock created this instant and not yet named, and takes over one a crash left unnamed long ago', async () => {
    const file = path.join(dir, 'r3.lock');
    fs.writeFileSync(file, '');
    await assert.rejects(new RunLock(file).acquire(), (e: Error) => e instanceof RunLockedError && /being taken up/.test(e.message));
    assert.equal(fs.readFileSync(file, 'utf8'), '', 'the other process keeps its lock');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const lock = new RunLock(file);
    await lock.acquire();
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).pid, process.pid);
    await lock.release();
  });

  /** Six processes try to take the lock at one moment; what each said (won, or the error's name). */
  async function race(file: string): Promise<string[]> {
    const script = `
      const { RunLock } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/run/run-lock.ts'))});
      const lock = new RunLock(${JSON.stringify(file)});
      const go = Number(process.argv[1]);
      setTimeout(() => lock.acquire().then(
        () => { process.stdout.write('won'); setTimeout(() => lock.release(), 6000); },
        (e) => process.stdout.write(e.constructor.name),
      ), Math.max(0, go - Date.now()));`;
    // Every process waits for one moment, late enough for all to have started on a loaded machine.
    const go = Date.now() + 5000;
    const outs = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script, String(go)], { cwd: path.resolve(__dirname, '../../..') });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        return new Promise<string>((r) => child.on('exit', () => r(out)));
      }),
    );
    return outs;
  }

  it('gives a run to exactly one of several processes that race for it', async function () {
    this.timeout(60_000);
    const outs = await race(path.join(dir, 'runs', 'race.lock'));
    assert.equal(outs.filter((o) => o === 'won').length, 1, outs.join(' | '));
    assert.equal(outs.filter((o) => o === 'RunLockedError').length, 5, outs.join(' | '));
  });

  it('gives a run a crash left locked to exactly one of several processes that take it over at once', async function () {
    this.timeout(60_000);
    const file = path.join(dir, 'runs', 'taken-over.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ pid: child.pid, host: os.hostname(), since: new Date(0).toISOString() }));
    const outs = await race(file);
    assert.equal(outs.filter((o) => o === 'won').length, 1, outs.join(' | '));
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.stale')),
      [],
      'nothing moved aside is left behind',
    );
  });
});

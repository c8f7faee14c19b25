// The journal writer: batched appends on one open file, written within a fraction of a second without being asked,
// a count of unwritten lines for backpressure, and a failed batch that leaves the file valid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonlWriter, readJsonl } from '../../../src/run/jsonl';
import { mountTmpfs, unmount } from './fs-faults';

/** How many of this process's file descriptors are open on `file`. */
function openFds(file: string): number {
  const real = fs.realpathSync(file);
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === real;
    } catch {
      return false;
    }
  }).length;
}

describe('journal writer', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('batches appends into few writes on one open file, and writes them within a second without a flush', async () => {
    const file = path.join(dir, 'runs', 'j.jsonl');
    const w = new JsonlWriter(file, { batchMs: 200 });
    const t0 = Date.now();
    const all = Array.from({ length: 500 }, (_, i) => w.append({ i }));
    assert.equal(w.pendingEvents(), 500, 'nothing is written synchronously');
    // Not flushed: the batch goes out on its own.
    while ((fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').length - 1 : 0) < 500) {
      assert.ok(Date.now() - t0 < 1000, 'written within a second of the appends');
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(all);
    assert.equal(w.pendingEvents(), 0);
    assert.equal(openFds(file), 1, 'one handle, kept open between batches');
    await w.append({ i: 500 });
    assert.equal(openFds(file), 1);
    await w.close();
    assert.equal(openFds(file), 0);
    const { values, badLines } = await readJsonl(file);
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      values.map((v) => (v as { i: number }).i),
      Array.from({ length: 501 }, (_, i) => i),
    );
  });

  it('drained() resolves once everything appended before it is written; pendingEvents() counts what is not', async () => {
    const w = new JsonlWriter(path.join(dir, 'j.jsonl'), { batchMs: 10_000 });
    for (let i = 0; i < 20; i++) {
      void w.append({ i });
    }
    assert.equal(w.pendingEvents(), 20);
    await w.drained();
    assert.equal(w.pendingEvents(), 0);
    assert.equal((await readJsonl(w.file)).values.length, 20);
    await w.close();
  });

  it('on a full disk a batch fails as a whole: its appends reject, the file stays valid, and writing goes on once space is back', async () => {
    const mnt = mountTmpfs('64k');
    try {
      const file = path.join(mnt, 'j.jsonl');
      const w = new JsonlWriter(file, { batchMs: 0 });
      await w.append({ n: 'first' });
      const big = 'z'.repeat(1000);
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => w.append({ i, big })));
      const failed = results.filter((r) => r.status === 'rejected');
      assert.ok(failed.length > 0, 'some batch hit the full disk');
      assert.match(String((failed[0] as PromiseRejectedResult).reason), /ENOSPC|no space/i);
      const { values, badLines } = await readJsonl(file);
      assert.deepEqual(badLines, [], 'no torn line left behind');
      const written = values.length - 1;
      assert.equal(written, results.filter((r) => r.status === 'fulfilled').length, 'every line said written is there, and no other');
      execFileSync('mount', ['-o', 'remount,size=1m', mnt]);
      await w.append({ n: 'after' });
      await w.close();
      const after = await readJsonl(file);
      assert.deepEqual(after.badLines, []);
      assert.deepEqual(after.values.at(-1), { n: 'after' });
    } finally {
      unmount(mnt);
    }
  });
});

// The persisted near-duplicate index of the dataset: the same answers as a full scan, only new lines read on a later
// open (the segments loaded, not rebuilt), segments merged as they come, processes opening it at once leaving no file
// that meta.json does not name, the build running in the index worker (a stopped worker failing the open with its
// reason and losing nothing), a rebuild when the dataset shrank or
// changed, and lines that are not JSON refused with their numbers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QuestionIndex } from '../../../src/core/similarity';
import { Dataset, DatasetFileError } from '../../../src/run/dataset';
import { currentIndexWorker, IndexWorkerError } from '../../../src/run/index-worker-client';
import { WORKER_NICE } from '../../../src/run/index-worker-nice';
import { DatasetLineError, NearDuplicateIndex } from '../../../src/run/near-duplicate-index';
import { datasetRecord } from '../../fakes/dataset-record';
import { promisify } from 'node:util';

const INDEX_TS = path.resolve(__dirname, '../../../src/run/near-duplicate-index.ts');
const run = promisify(execFile);
/** meta.json's segments, and every file in the index folder besides meta.json. */
function onDisk(indexDir: string): { named: string[]; files: string[] } {
  const meta = JSON.parse(fs.readFileSync(path.join(indexDir, 'meta.json'), 'utf8')) as { segments: string[] };
  return {
    named: [...meta.segments].sort(),
    files: fs
      .readdirSync(indexDir)
      .filter((f) => f !== 'meta.json')
      .sort(),
  };
}

const WORDS = 'router schedule capacity gradient baseline expert token sparse dense layer loss batch curve signal noise prior window budget'.split(' ');
function question(i: number): string {
  let h = (i * 2654435761) >>> 0;
  const w = () => {
    h = (h * 1103515245 + 12345) >>> 0;
    return WORDS[(h >>> 8) % WORDS.length];
  };
  return `How does the ${w()} ${w()} change when the ${w()} ${w()} meets a ${w()} ${w()} under ${w()} ${w()} ${w()}?`;
}
const line = (i: number, q = question(i)) => `${JSON.stringify({ id: `item-${i}`, question: q })}\n`;
const THRESHOLD = 0.6;

describe('near-duplicate index', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let indexDir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-ndi-'));
    file = path.join(dir, 'dataset.jsonl');
    indexDir = path.join(dir, 'index');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the same near-duplicates as a full scan, across segments', async () => {
    const n = 20_000; // more than one segment
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => line(i)).join(''));
    const index = await NearDuplicateIndex.open(file, indexDir);
    const full = new QuestionIndex(THRESHOLD);
    for (let i = 0; i < n; i++) {
      full.add(`item-${i}`, question(i));
    }
    let hits = 0;
    for (let k = 0; k < 300; k++) {
      const i = (k * 7919) % n;
      // A copy with a word changed, one with a clause added, and an unrelated question.
      for (const q of [question(i).replace(/^How does/, 'How would'), `${question(i)} Explain briefly.`, `Why is the sky blue on ${k} days?`]) {
        const a = full.mostSimilar(q);
        const b = index.similarTo(q, THRESHOLD);
        assert.equal(b?.id, a?.id, q);
        if (a) {
          hits++;
          assert.ok(Math.abs(a.score - b!.score) < 1e-9);
          assert.equal(b!.question, question(Number(a.id.slice(5))));
        }
      }
    }
    assert.ok(hits >= 300, `near copies are found (${hits})`);
    assert.equal(index.has('item-19999'), true);
    assert.equal(index.has('item-20000'), false);
  });

  it('reads only the lines added since the last open', async () => {
    fs.writeFileSync(file, Array.from({ length: 500 }, (_, i) => line(i)).join(''));
    const first = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(first.lastOpen.linesRead, 500);
    fs.appendFileSync(file, Array.from({ length: 7 }, (_, i) => line(500 + i)).join(''));
    const second = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(second.lastOpen.linesRead, 7);
    assert.equal(second.lastOpen.rebuilt, false);
    assert.equal(second.size, 507);
    assert.equal(second.similarTo(question(503), THRESHOLD)?.id, 'item-503');
    assert.equal(second.similarTo(question(3), THRESHOLD)?.id, 'item-3');
    const third = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(third.lastOpen.linesRead, 0);
  });

  it('leaves a last line still being written for the next open', async () => {
    fs.writeFileSync(file, line(0) + line(1).trimEnd());
    const first = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(first.size, 1);
    fs.appendFileSync(file, '\n');
    const second = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(second.lastOpen.linesRead, 1);
    assert.equal(second.has('item-1'), true);
  });

  it('is rebuilt when the dataset shrank or its indexed lines changed', async () => {
    fs.writeFileSync(file, Array.from({ length: 50 }, (_, i) => line(i)).join(''));
    await NearDuplicateIndex.open(file, indexDir);
    // Same length, other content: item-0's question replaced by one of equal length.
    const other = question(0).replace(/[a-z]/g, 'x');
    fs.writeFileSync(file, line(0, other) + Array.from({ length: 49 }, (_, i) => line(i + 1)).join(''));
    const changed = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(changed.lastOpen.rebuilt, true);
    assert.equal(changed.similarTo(question(0), THRESHOLD), undefined);
    assert.equal(changed.similarTo(other, THRESHOLD)?.id, 'item-0');
    fs.writeFileSync(file, line(7));
    const shrunk = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(shrunk.lastOpen.rebuilt, true);
    assert.equal(shrunk.size, 1);
    assert.equal(shrunk.has('item-8'), false);
  });

  it('names the lines that are not JSON, counting lines read on earlier opens', async () => {
    fs.writeFileSync(file, line(0) + line(1));
    await NearDuplicateIndex.open(file, indexDir);
    fs.appendFileSync(file, `${line(2)}{not json\n`);
    await assert.rejects(NearDuplicateIndex.open(file, indexDir), (e: unknown) => e instanceof DatasetLineError && e.lines.join() === '4');
  });

  it('backs the dataset: its exactly-once check and near-duplicates survive a reopen, in another process too', async () => {
    const ds = new Dataset(path.join(dir, '.autodata', 'dataset.jsonl'));
    await ds.open();
    const rec = datasetRecord('r:1', { question: question(1) });
    assert.equal(await ds.append(rec), true);
    assert.equal(await ds.append(rec), false);
    const again = new Dataset(ds.file);
    await again.open();
    assert.equal(again.has(rec.id), true);
    assert.equal(again.questions().similarTo(rec.question, THRESHOLD)?.id, rec.id);
    assert.ok(fs.existsSync(path.join(dir, '.autodata', 'near-duplicate-index')), 'kept under .autodata/');
    fs.appendFileSync(ds.file, 'garbage\n');
    await assert.rejects(new Dataset(ds.file).open(), DatasetFileError);
  });

  it("holds each item a process appended once: its line read back replaces the process's own note of it", async () => {
    const ds = new Dataset(path.join(dir, '.autodata', 'dataset.jsonl'));
    await ds.open();
    const n = 120;
    for (let i = 0; i < n; i++) {
      assert.equal(await ds.append(datasetRecord(`r:${i}`, { question: question(i) })), true);
      // Each append first reads back what the one before wrote.
      assert.equal(ds.questions().size, i + 1, `after ${i + 1} appends`);
    }
    for (const i of [0, 57, n - 1]) {
      assert.equal(ds.has(`r:${i}`), true);
      assert.equal(ds.questions().similarTo(question(i), 1)?.id, `r:${i}`);
    }
    assert.equal(await ds.append(datasetRecord('r:0', { question: question(0) })), false, 'still written exactly once');
  });

  it('loads its segments on a later open instead of reading the dataset again', async () => {
    fs.writeFileSync(file, Array.from({ length: 5000 }, (_, i) => line(i)).join(''));
    const first = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(first.lastOpen.linesRead, 5000);
    assert.equal(first.lastOpen.persisted, true);
    const again = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(again.lastOpen.linesRead, 0);
    assert.equal(again.lastOpen.bytesRead, 0);
    assert.equal(again.lastOpen.segmentsLoaded, onDisk(indexDir).named.length);
    assert.equal(again.size, 5000);
    for (const i of [0, 1234, 4999]) {
      assert.equal(again.similarTo(`${question(i)} Explain.`, THRESHOLD)?.id, first.similarTo(`${question(i)} Explain.`, THRESHOLD)?.id);
      assert.equal(again.has(`item-${i}`), true);
    }
  });

  it('merges segments as lines come, so their number grows with the log of the items, and deletes the merged ones', async () => {
    let n = 0;
    const counts: number[] = [];
    for (let open = 0; open < 60; open++) {
      const add = open % 7 === 0 ? 900 : 37;
      fs.appendFileSync(file, Array.from({ length: add }, (_, i) => line(n + i)).join(''));
      n += add;
      const index = await NearDuplicateIndex.open(file, indexDir);
      assert.equal(index.lastOpen.linesRead, add);
      counts.push(index.segmentCount);
      assert.ok(index.segmentCount <= Math.ceil(Math.log2(n)) + 1, `${index.segmentCount} segments for ${n} items`);
      const { named, files } = onDisk(indexDir);
      assert.deepEqual(files, named, 'only the segments meta.json names are on disk');
      assert.equal(named.length, index.segmentCount);
    }
    const index = await NearDuplicateIndex.open(file, indexDir);
    const full = new QuestionIndex(THRESHOLD);
    for (let i = 0; i < n; i++) {
      full.add(`item-${i}`, question(i));
    }
    for (let k = 0; k < 200; k++) {
      const i = (k * 7919) % n;
      for (const q of [`${question(i)} Explain briefly.`, question(i).replace(/^How does/, 'How would')]) {
        assert.equal(index.similarTo(q, THRESHOLD)?.id, full.mostSimilar(q)?.id, q);
      }
      assert.equal(index.has(`item-${i}`), true);
    }
    assert.ok(Math.max(...counts) < 60 / 2, `segments stay few (${counts.join(' ')})`);
  });

  it('processes opening it at once leave every file named by meta.json and no lock', async function () {
    this.timeout(180_000);
    fs.writeFileSync(file, Array.from({ length: 6000 }, (_, i) => line(i)).join(''));
    // Each process appends its own lines, then opens the index; four at once, three rounds, the first from no index.
    const script = `const { NearDuplicateIndex } = require(${JSON.stringify(INDEX_TS)});
      const fs = require('node:fs');
      const [file, dir, who, round] = process.argv.slice(1);
      (async () => {
        const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: 'p' + who + '-' + round + '-' + i, question: 'Process ' + who + ' round ' + round + ' asks question ' + i + ' about the router' }) + '\\n');
        fs.appendFileSync(file, lines.join(''));
        const index = await NearDuplicateIndex.open(file, dir);
        process.stdout.write(JSON.stringify({ size: index.size, persisted: index.lastOpen.persisted }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    for (let round = 0; round < 3; round++) {
      const outs = await Promise.all(
        [0, 1, 2, 3].map((who) => run(process.execPath, ['--require', 'tsx/cjs', '-e', script, file, indexDir, String(who), String(round)])),
      );
      const results = outs.map((o) => JSON.parse(o.stdout) as { size: number; persisted: boolean });
      assert.ok(
        results.some((r) => r.persisted),
        'one of them wrote the index',
      );
      const { named, files } = onDisk(indexDir);
      assert.deepEqual(files, named, `round ${round}: no orphan segment`);
      assert.equal(fs.existsSync(`${indexDir}.lock`), false, 'the lock is released');
    }
    const total = 6000 + 3 * 4 * 300;
    const index = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(index.size, total);
    assert.equal(index.has('p3-2-299'), true);
    assert.equal(index.similarTo('Process 2 round 1 asks question 17 about the router', THRESHOLD)?.id, 'p2-1-17');
    assert.deepEqual(onDisk(indexDir).files, onDisk(indexDir).named);
  });

  it('the first build runs in the index worker, so the main thread keeps its event loop', async () => {
    const n = 30_000;
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => line(i)).join(''));
    // The main thread's own time on a core (Linux), which unlike wall time leaves out waiting for a core on a busy machine.
    const cpuMs = () => Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    let ticks = 0;
    let longestCpu = 0;
    let last = cpuMs();
    const timer = setInterval(() => {
      const now = cpuMs();
      longestCpu = Math.max(longestCpu, now - last);
      last = now;
      ticks++;
    }, 1);
    const cpu0 = last;
    const t0 = performance.now();
    const index = await NearDuplicateIndex.open(file, indexDir);
    const ms = performance.now() - t0;
    const mainCpu = cpuMs() - cpu0;
    clearInterval(timer);
    assert.equal(index.size, n);
    // The build's work was done in the worker: the main thread spent a small part of the worker's time on a core (its
    // 1 ms timer included), none of it long at once, and only adopted the answer (views over shared memory). In the
    // main thread, the build took all its time on a core, in slices.
    assert.ok(mainCpu < 0.3 * index.lastOpen.workerMs, `main thread ${mainCpu.toFixed(0)} ms on a core, worker ${index.lastOpen.workerMs.toFixed(0)} ms`);
    assert.ok(longestCpu < 50, `the main thread ran at most ${longestCpu.toFixed(1)} ms between two timer ticks`);
    assert.ok(ticks >= 20, `${ticks} timer ticks in ${ms.toFixed(0)} ms`);
    assert.ok(currentIndexWorker() !== undefined, 'a worker thread is running');
    // The worker's thread runs at a lower priority than the main thread (Linux: a nice value per thread).
    const niceOf = (task: string) => Number(fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const tasks = fs.readdirSync('/proc/self/task');
    assert.equal(niceOf(String(process.pid)), 0, 'the main thread keeps its priority');
    assert.equal(tasks.filter((t) => niceOf(t) === WORKER_NICE).length, 1, 'one thread, the worker, runs at the lower priority');
  });

  it('a worker stopped during a build fails the open with the reason, leaves no lock and no unnamed file, and loses nothing', async () => {
    const n = 60_000;
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => line(i)).join(''));
    const lock = `${indexDir}.lock`;
    // Stopped as soon as the index's lock is taken for it (it is then loading, reading or writing; the lock is taken
    // again for writing).
    const locked = new Promise<void>((resolve) => {
      const w = fs.watch(dir, (_event, name) => {
        if (name === path.basename(lock)) {
          w.close();
          resolve();
        }
      });
    });
    const opening = NearDuplicateIndex.open(file, indexDir);
    const failed = opening.then(
      () => undefined,
      (e: unknown) => e,
    );
    await locked;
    const code = await currentIndexWorker()!.terminate();
    assert.equal(code, 1);
    const e = await failed;
    assert.ok(e instanceof IndexWorkerError, `the open failed with ${String(e)}`);
    assert.match(e.message, /index worker stopped \(it exited with code 1\)/);
    assert.match(e.message, new RegExp(path.basename(file)));
    assert.equal(fs.existsSync(lock), false, 'its lock is released');
    if (fs.existsSync(path.join(indexDir, 'meta.json'))) {
      const { named, files } = onDisk(indexDir);
      assert.ok(
        named.every((f) => files.includes(f)),
        'meta.json names only files that are there',
      );
    }
    // A new worker is started for the next open, which finds every line.
    const again = await NearDuplicateIndex.open(file, indexDir);
    assert.equal(again.size, n);
    assert.equal(again.has(`item-${n - 1}`), true);
    assert.equal(again.similarTo(`${question(4321)} Explain briefly.`, THRESHOLD)?.id, 'item-4321');
    assert.deepEqual(onDisk(indexDir).files, onDisk(indexDir).named);
  });
});

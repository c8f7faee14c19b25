// The write path under real faults: a tmpfs that fills up, a read-only mount, torn lines of any size, and an append
// after a torn piece. The workspace is a real small file system mounted for the test (the tests run as root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../../src/run/dataset';
import { readJsonl, repairTail } from '../../../src/run/jsonl';
import { reconcileDataset } from '../../../src/run/reconcile';
import type { EngineEvent } from '../../../src/shared/events';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles } from '../../fakes/scripted-roles';
import { mountTmpfs, record, unmount } from './fs-faults';
import { documentOf, modelCalls, startRun } from './run-harness';

const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };

const ids = (file: string) => readJsonl(file).then(({ values }) => values.map((v) => (v as { id: string }).id));
const journalEvents = (ws: string) => {
  const dir = path.join(ws, '.autodata', 'runs');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EngineEvent),
    );
};

describe('write path under real faults', function () {
  this.timeout(60_000);
  let ws: string | undefined;
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (ws) {
      unmount(ws);
    }
    ws = undefined;
  });

  async function serve(): Promise<ScriptedServer> {
    // A few milliseconds per call, as a fast endpoint: a section takes longer than a write.
    const script = scriptRoles([GOOD], { solverLatencyMs: 20, judgeLatencyMs: 20, challengerLatencyMs: 20 });
    server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: 'test-key' });
    return server;
  }

  it('a disk that fills mid-run: the run stops at once naming the file, no model call after it, the dataset stays valid and gets every journaled item once space is back', async () => {
    ws = mountTmpfs('128k');
    fs.writeFileSync(path.join(ws, 'a.md'), documentOf(12));
    const s = await serve();
    const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
    let failure: { message: string; file: string; calls: number } | undefined;
    const said: string[] = [];
    const notYetWritten: string[] = [];
    const { result } = await startRun(ws, 'a.md', s.baseURL, {
      writeFailed: (message, file) => (failure ??= { message, file, calls: modelCalls.count }),
      event: (e) => {
        if (e.type === 'item_accepted') {
          // Said only once durable: the line is in the file when the observer hears of it.
          if (!fs.readFileSync(dataset, 'utf8').includes(`"id":"${e.record.id}"`)) {
            notYetWritten.push(e.record.id);
          }
          said.push(e.record.id);
        }
      },
    });
    const r = await result;
    assert.deepEqual(notYetWritten, [], 'every item said to be accepted was in the dataset already');
    assert.ok(said.length > 0, 'some items were accepted before the disk filled');
    assert.ok(failure, 'the failed write is reported');
    assert.equal(r.outcome, 'error');
    assert.match(r.writeFailure ?? '', /no space left on device/i);
    assert.ok(failure.file.startsWith(ws), failure.file);
    assert.ok(r.writeFailure!.includes(failure.file), 'the message names the file');
    assert.equal(modelCalls.count, failure.calls, 'no model call is made after the failure');
    assert.ok(s.requests.length < 12 * 12, 'the run did not go through the document');
    const { badLines } = await readJsonl(dataset);
    assert.deepEqual(badLines, [], 'the dataset is valid JSONL');
    const inDataset = await ids(dataset);
    assert.equal(new Set(inDataset).size, inDataset.length, 'no item twice');
    for (const id of [...said, ...r.accepted.map((x) => x.id)]) {
      assert.ok(inDataset.includes(id), `${id}, said to be accepted, is in the dataset`);
    }
    // Space comes back: every accepted item of the journal reaches the dataset.
    execFileSync('mount', ['-o', 'remount,size=2m', ws]);
    const d = new Dataset(dataset, ws);
    await reconcileDataset(ws, d);
    const journaled = journalEvents(ws)
      .filter((e): e is Extract<EngineEvent, { type: 'item_accepted' }> => e.type === 'item_accepted')
      .map((e) => e.record.id);
    const after = await ids(dataset);
    for (const id of journaled) {
      assert.ok(after.includes(id), `${id} from the journal is in the dataset`);
    }
    assert.equal(new Set(after).size, after.length);
    assert.deepEqual((await readJsonl(dataset)).badLines, []);
  });

  it('a short write on a full disk is cut off again: the dataset is unchanged, and the next append after space is back is whole', async () => {
    ws = mountTmpfs('64k');
    const file = path.join(ws, 'd.jsonl');
    const d = new Dataset(file, ws);
    assert.equal(await d.append(record('r:1')), true);
    const before = fs.readFileSync(file);
    // Fill the disk but for a few KB, then append a record far bigger than what is left.
    const filler = path.join(ws, 'filler');
    try {
      fs.writeFileSync(filler, Buffer.alloc(64 * 1024));
    } catch {
      /* filled */
    }
    fs.truncateSync(filler, fs.statSync(filler).size - 8 * 1024);
    await assert.rejects(d.append(record('r:2', 40_000)), /ENOSPC|no space/i);
    assert.deepEqual(fs.readFileSync(file), before, 'the partial line is cut off');
    assert.equal(d.has('r:2'), false);
    fs.rmSync(filler);
    assert.equal(await d.append(record('r:2', 40_000)), true);
    assert.deepEqual(await ids(file), ['r:1', 'r:2']);
  });

  it('a dataset that turns read-only mid-run: the run stops at its next accepted item, nothing is said accepted, and the next run writes the journaled item', async () => {
    ws = mountTmpfs('4m');
    fs.writeFileSync(path.join(ws, 'a.md'), documentOf(8));
    const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
    fs.mkdirSync(path.dirname(dataset));
    fs.writeFileSync(dataset, '');
    const s = await serve();
    const said: string[] = [];
    let callsAtFailure = -1;
    const { result } = await startRun(ws, 'a.md', s.baseURL, {
      writeFailed: () => (callsAtFailure = modelCalls.count),
      event: (e) => {
        if (e.type === 'run_started') {
          // A read-only bind mount over the file: even root cannot write it.
          execFileSync('mount', ['--bind', dataset, dataset]);
          execFileSync('mount', ['-o', 'remount,ro,bind', dataset]);
        }
        if (e.type === 'item_accepted') {
          said.push(e.record.id);
        }
      },
    });
    const r = await result;
    assert.equal(r.outcome, 'error');
    assert.match(r.writeFailure ?? '', new RegExp(`could not write ${dataset.replace(/[.]/g, '\\.')}: .*read-only`));
    assert.deepEqual(said, []);
    assert.deepEqual(r.accepted, []);
    assert.equal(fs.readFileSync(dataset, 'utf8'), '');
    assert.equal(modelCalls.count, callsAtFailure, 'no model call after the failure');
    const journaled = journalEvents(ws)
      .filter((e): e is Extract<EngineEvent, { type: 'item_accepted' }> => e.type === 'item_accepted')
      .map((e) => e.record.id);
    assert.ok(journaled.length >= 1 && journaled.length < 8, 'the run stopped before the end of the document');
    // While it stays read-only, a new run is refused before any model call.
    const calls = s.requests.length;
    await assert.rejects(startRun(ws, 'a.md', s.baseURL), /cannot be written \(it is on a read-only file system\)/);
    assert.equal(s.requests.length, calls);
    execFileSync('umount', [dataset]);
    // The next run reconciles before its engine starts.
    const next = await startRun(ws, 'a.md', s.baseURL);
    next.run.stop();
    await next.result;
    assert.deepEqual(await ids(dataset), journaled);
  });

  it('reconciles the items of a run that ended completed but whose lines are not in the dataset', async () => {
    ws = mountTmpfs('4m');
    fs.writeFileSync(path.join(ws, 'a.md'), documentOf(3));
    const s = await serve();
    const first = await (await startRun(ws, 'a.md', s.baseURL)).result;
    assert.equal(first.outcome, 'completed');
    const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
    const all = await ids(dataset);
    assert.equal(all.length, 3);
    // As the dataset was left by a write that failed: the last two lines never made it.
    const lines = fs.readFileSync(dataset, 'utf8').split('\n');
    fs.writeFileSync(dataset, `${lines[0]}\n`);
    fs.rmSync(path.join(ws, '.autodata', 'runs', 'reconciled.json'), { force: true });
    const next = await startRun(ws, 'a.md', s.baseURL);
    next.run.stop();
    await next.result;
    assert.deepEqual((await ids(dataset)).sort(), [...all].sort());
  });

  it('repairs a torn last line of any size (6 MiB), keeping the lines before it', async () => {
    ws = mountTmpfs('32m');
    const f = path.join(ws, 'd.jsonl');
    const big = JSON.stringify({ id: 'big', pad: 'y'.repeat(6 * 1024 * 1024) });
    fs.writeFileSync(f, `{"id":"1"}\n${big.slice(0, -10)}`);
    const r = await repairTail(f, 0);
    assert.equal(r.tornBytes, big.length - 10);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"id":"1"}\n');
    assert.equal(fs.statSync(`${f}.torn`).size, big.length - 10 + 1);
    // A whole 6 MiB last line without its newline is kept.
    fs.writeFileSync(f, `{"id":"1"}\n${big}`);
    assert.equal((await repairTail(f, 0)).tornBytes, 0);
    assert.equal(fs.readFileSync(f, 'utf8'), `{"id":"1"}\n${big}\n`);
  });

  it('never glues a line to a torn piece another writer left after the dataset was opened', async () => {
    ws = mountTmpfs('1m');
    const f = path.join(ws, 'd.jsonl');
    const d = new Dataset(f, ws);
    assert.equal(await d.append(record('r:1')), true);
    fs.appendFileSync(f, '{"id":"r:half","quest');
    assert.equal(await d.append(record('r:2')), true);
    const { values, badLines } = await readJsonl(f);
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      values.map((v) => (v as { id: string }).id),
      ['r:1', 'r:2'],
    );
    assert.equal(fs.readFileSync(`${f}.torn`, 'utf8'), '{"id":"r:half","quest\n');
  });
});

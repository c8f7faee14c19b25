// Concurrent processes on one workspace: the dataset lock around read-check-append, two resumes of one run at once,
// and a writer killed (SIGKILL) while it holds the dataset lock.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Dataset } from '../../../src/run/dataset';
import { readJsonl } from '../../../src/run/jsonl';
import { findResumable, readRunDocument, resumeSpec } from '../../../src/run/resumable';
import { Run } from '../../../src/run/run';
import { RunLockedError } from '../../../src/run/run-lock';
import { openWorkspace } from '../../../src/run/workspace';
import type { DatasetRecord } from '../../../src/shared/schemas';
import { scriptedModels } from '../../fakes/scripted-config';
import { scriptRoles } from '../../fakes/scripted-roles';
import { documentOf, runWorkspaces, settingsFor, startRun } from './run-harness';
import { record } from './fs-faults';

const FS_FAULTS_TS = path.join(__dirname, 'fs-faults.ts');

const run = promisify(execFile);
const HARNESS = path.resolve(__dirname, 'run-harness.ts');
const DATASET_TS = path.resolve(__dirname, '../../../src/run/dataset.ts');
const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };

const records = async (file: string) => (await readJsonl(file)).values as DatasetRecord[];

describe('concurrent writers on one workspace', function () {
  this.timeout(90_000);
  const w = runWorkspaces('concurrent');

  it('two processes appending the same items write each one once (the lock covers read-check-append)', async () => {
    const file = path.join(w.ws, 'data.jsonl');
    // Each process opens the dataset first (so both start from an empty index), then appends ids 0..149 one by one.
    const script = `const { Dataset } = require(${JSON.stringify(DATASET_TS)});
      const { record: rec } = require(${JSON.stringify(FS_FAULTS_TS)});
      (async () => { const d = new Dataset(process.argv[1]); await d.open();
        let wrote = 0; for (let i = 0; i < 150; i++) { if (await d.append(rec('r:' + i, 2000))) wrote++; }
        process.stdout.write(String(wrote)); })();`;
    const outs = await Promise.all([1, 2].map(() => run(process.execPath, ['--require', 'tsx/cjs', '-e', script, file])));
    const wrote = outs.map((o) => Number(o.stdout));
    const ids = (await records(file)).map((r) => r.id);
    assert.deepEqual((await readJsonl(file)).badLines, []);
    assert.equal(ids.length, 150, `${ids.length} lines for 150 ids (${wrote.join(' + ')} written)`);
    assert.equal(new Set(ids).size, 150);
    assert.equal(wrote[0] + wrote[1], 150, 'each process says it wrote only what it did write');
  });

  it('a writer killed (SIGKILL) while it holds the dataset lock: the next append takes the lock over and the file stays valid', async function () {
    this.timeout(120_000);
    const file = path.join(w.ws, 'data.jsonl');
    const script = `const { Dataset } = require(${JSON.stringify(DATASET_TS)});
      const { record: rec } = require(${JSON.stringify(FS_FAULTS_TS)});
      (async () => { const d = new Dataset(process.argv[1]); let i = 0;
        for (;;) { await d.append(rec('k:' + i++, 200000)); if (i === 3) process.stdout.write('going\\n'); } })();`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    // Kill it while it holds the lock (it holds it for almost all of its time).
    const lock = `${file}.lock`;
    const deadline = Date.now() + 5000;
    while (!fs.existsSync(lock) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const d = new Dataset(file);
    const t0 = Date.now();
    assert.equal(await d.append(record('after-kill')), true);
    // Taken over, not waited out: well short of the 60 s a live holder is waited for (a holder killed before it could
    // write its pid leaves an unnamed lock, taken over after 10 s; a loaded machine adds the index's catch-up).
    assert.ok(Date.now() - t0 < 40_000, `the dead holder does not block (${Date.now() - t0} ms)`);
    const { values, badLines } = await readJsonl(file);
    assert.deepEqual(badLines, [], 'no torn or glued line');
    const ids = values.map((v) => (v as DatasetRecord).id);
    assert.equal(ids.at(-1), 'after-kill');
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(fs.existsSync(lock), false);
  });

  async function stoppedRun(sections: number): Promise<string> {
    fs.writeFileSync(path.join(w.ws, 'a.md'), documentOf(sections));
    const server = await w.serve(scriptRoles([GOOD]).respond);
    let stop = () => {};
    const started = await startRun(w.ws, 'a.md', server.baseURL, { event: (e) => e.type === 'verdict' && e.verdict.kind === 'accepted' && stop() });
    stop = () => started.run.stop();
    const first = await started.result;
    assert.equal(first.outcome, 'stopped');
    assert.equal(first.accepted.length, 1);
    return first.runId;
  }

  it('two resumes of one run in two processes at once: every section gets one item, none twice', async () => {
    const runId = await stoppedRun(4);
    const outs = await Promise.all([1, 2].map(() => run(process.execPath, ['--require', 'tsx/cjs', HARNESS, 'resume', w.ws, runId, w.server.baseURL])));
    const results = outs.map((o) => JSON.parse(o.stdout.trim()) as { outcome?: string; error?: string; message?: string });
    assert.equal(results.filter((r) => r.outcome === 'completed').length, 1, JSON.stringify(results));
    const other = results.find((r) => r.outcome !== 'completed')!;
    // Refused while the first holds the run, or (on a slow machine, when it starts after the first finished) told the
    // run has nothing left to do: either way it writes nothing.
    assert.ok(other.error === 'RunLockedError' || (other.error === 'ResumeError' && /nothing left to do/.test(other.message ?? '')), JSON.stringify(other));
    const items = await records(path.join(w.ws, '.autodata', 'dataset.jsonl'));
    assert.equal(items.length, 4);
    assert.equal(new Set(items.map((r) => r.id)).size, 4);
    assert.equal(new Set(items.map((r) => `${r.source.range.start}`)).size, 4, 'one item per section');
  });

  it('a resume whose run went on elsewhere after its journal was read is refused under the lock, writing nothing', async () => {
    const runId = await stoppedRun(3);
    const settings = settingsFor(w.server.baseURL);
    const prepare = async () => {
      const files = await openWorkspace(w.ws, settings.datasetPath);
      const [r] = await findResumable(w.ws, [runId]);
      const spec = await resumeSpec(files, r, settings, await readRunDocument(w.ws, r));
      return new Run(files, { ...spec, models: scriptedModels(spec.settings.engine) });
    };
    // Both read the journal before either takes the run.
    const [a, b] = [await prepare(), await prepare()];
    assert.equal((await a.start()).outcome, 'completed');
    const dataset = path.join(w.ws, '.autodata', 'dataset.jsonl');
    const before = fs.readFileSync(dataset, 'utf8');
    const calls = w.server.requests.length;
    await assert.rejects(b.start(), (e: Error) => e instanceof RunLockedError && /went on in another process/.test(e.message));
    assert.equal(fs.readFileSync(dataset, 'utf8'), before);
    assert.equal(w.server.requests.length, calls);
    assert.equal((await records(dataset)).length, 3);
  });
});

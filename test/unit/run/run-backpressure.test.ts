// Backpressure behind the dataset: events after an accepted item wait to be shown until its dataset line is durable;
// when the dataset's writes fall behind, at most about MAX_UNWRITTEN_EVENTS of them wait, because the engine holds its
// next model request until they are shown. Nothing is lost: the run ends with every accepted item in the dataset and
// every journaled event shown.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonl } from '../../../src/run/jsonl';
import { MAX_UNWRITTEN_EVENTS } from '../../../src/run/run';
import { isJournaled } from '../../../src/shared/events';
import type { DatasetRecord } from '../../../src/shared/schemas';
import { scriptRoles } from '../../fakes/scripted-roles';
import { documentOf, runWorkspaces, startRun } from './run-harness';

const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const EASY = { weak: [0.9, 0.9, 0.9], strong: [1, 1, 1] };
const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').length - 1 : 0);

describe('run backpressure behind the dataset', function () {
  this.timeout(240_000);
  const w = runWorkspaces('backpressure');

  it('keeps the events waiting behind slow dataset writes near the limit, and loses none', async () => {
    fs.writeFileSync(path.join(w.ws, 'a.md'), documentOf(64));
    // One question in three is accepted; 32 sections at once; every dataset write takes 400 ms more (a slow disk).
    const server = await w.serve(scriptRoles([GOOD, EASY, EASY]).respond);
    let delivered = 0;
    const started = await startRun(w.ws, 'a.md', server.baseURL, { event: (e) => void (isJournaled(e) && delivered++) }, undefined, {
      targetConcurrency: 32,
      maxIterations: 10,
    });
    const dataset = started.run.dataset;
    const append = dataset.appendAll.bind(dataset);
    dataset.appendAll = async (records: readonly DatasetRecord[]) => {
      await new Promise((r) => setTimeout(r, 400));
      return append(records);
    };
    let most = 0;
    const timer = setInterval(() => (most = Math.max(most, lines(started.run.journalFile) - delivered)), 20);
    const result = await started.result;
    clearInterval(timer);
    assert.equal(result.outcome, 'completed');
    // The journal is written in batches of up to 200 ms, so the count read from it trails; the slack covers requests
    // already under way when the engine began to wait.
    assert.ok(most > MAX_UNWRITTEN_EVENTS / 2, `${most} events waited at most: the writes did fall behind`);
    assert.ok(most < MAX_UNWRITTEN_EVENTS + 300, `${most} events waited behind the dataset writes, limit ${MAX_UNWRITTEN_EVENTS}`);
    const ids = ((await readJsonl(started.run.datasetFile)).values as DatasetRecord[]).map((r) => r.id);
    assert.equal(ids.length, result.accepted.length, 'every accepted item is in the dataset');
    assert.ok(ids.length >= 32);
    assert.equal(delivered, lines(started.run.journalFile), 'every journaled event was shown');
  });
});

// A person's approval: the dataset line first (durable, once by id), then the journal line; and each approval first
// writes the journals' accepted items that the dataset lacks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../../src/run/dataset';
import { JsonlWriter, readJsonl } from '../../../src/run/jsonl';
import { Review } from '../../../src/run/review';
import { record } from './fs-faults';

describe('review approvals', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-review-'));
    fs.mkdirSync(path.join(ws, '.autodata', 'runs'), { recursive: true });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const ids = async (file: string) => (await readJsonl(file)).values.map((v) => (v as { id: string }).id);

  it('writes the dataset line before the journal line: a journal that cannot be written loses no approved item', async () => {
    const journal = path.join(ws, '.autodata', 'runs', 'r.jsonl');
    fs.mkdirSync(journal); // a folder where the journal should be: its write fails
    const dataset = new Dataset(path.join(ws, '.autodata', 'dataset.jsonl'), ws);
    const review = new Review('r', new JsonlWriter(journal, { workspace: ws, closeWhenIdle: true }), dataset, ws);
    await assert.rejects(review.approve('t1', record('r:a1')), /a folder/);
    assert.deepEqual(await ids(dataset.file), ['r:a1']);
  });

  it('an approval first writes accepted items of any journal that the dataset lacks, whatever state their run ended in', async () => {
    const other = path.join(ws, '.autodata', 'runs', 'old.jsonl');
    const lost = record('old:a7');
    const at = new Date(0).toISOString();
    fs.writeFileSync(
      other,
      [
        { type: 'item_accepted', runId: 'old', seq: 7, at, attemptId: 'a7', targetId: 't7', record: lost },
        { type: 'run_finished', runId: 'old', seq: 8, at, outcome: 'completed', accepted: 1, review: 0, attempts: 1 },
      ]
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    const dataset = new Dataset(path.join(ws, '.autodata', 'dataset.jsonl'), ws);
    const journal = new JsonlWriter(path.join(ws, '.autodata', 'runs', 'r.jsonl'), { workspace: ws, closeWhenIdle: true });
    await new Review('r', journal, dataset, ws).approve('t1', record('r:a1'));
    assert.deepEqual((await ids(dataset.file)).sort(), ['old:a7', 'r:a1']);
    const decision = (await readJsonl(journal.file)).values[0] as { type: string; decision: string };
    assert.deepEqual([decision.type, decision.decision], ['review_decision', 'approved']);
  });
});

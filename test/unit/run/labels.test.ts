// A person's review decisions kept as labels beside the dataset: every approval, edit-then-approval and rejection, with
// what each judge said; durable, and still there after the panel (or the run) is opened again.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../../src/run/dataset';
import { JsonlWriter, readJsonl } from '../../../src/run/jsonl';
import { labelsFileOf, readLabels } from '../../../src/run/labels';
import { pendingReview, Review } from '../../../src/run/review';
import type { DatasetRecord } from '../../../src/shared/schemas';
import { record } from './fs-faults';

/** A borderline item as the engine sends it to review: with both judges' verdicts when a second judge graded it. */
function item(id: string, judges?: DatasetRecord['judges']): DatasetRecord {
  const r = record(id);
  return {
    ...r,
    decision: { by: 'policy', borderline: true },
    ...(judges ? { judges, models: { ...r.models, judge2: 'j2' } } : {}),
  };
}

describe('review labels', () => {
  let ws: string;
  let dataset: Dataset;
  const journalFile = () => path.join(ws, '.autodata', 'runs', 'r.jsonl');
  const review = () => new Review('r', new JsonlWriter(journalFile(), { workspace: ws, closeWhenIdle: true }), dataset, ws);
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-labels-'));
    fs.mkdirSync(path.join(ws, '.autodata', 'runs'), { recursive: true });
    dataset = new Dataset(path.join(ws, '.autodata', 'dataset.jsonl'), ws);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const disagree: NonNullable<DatasetRecord['judges']> = { first: 'accepted', second: 'too_hard', secondReasons: ['strong mean 0 < 0.6'], disagree: true };

  it('keeps approvals, edits and rejections as labels beside the dataset, with what each judge said', async () => {
    const r = review();
    assert.equal(r.labels.file, path.join(ws, '.autodata', 'labels.jsonl'));
    await r.approve('t1', item('r:a1', disagree));
    const edit = { question: 'Edited?', referenceAnswer: 'B.', rubric: [{ criterion: 'c2', weight: 2, negative: false }] };
    await r.approve('t2', item('r:a2'), edit);
    await r.reject('t3', 'a3', 'off topic', new Date(5), item('r:a3', { ...disagree, first: 'too_easy', second: 'accepted' }));

    const { labels, badLines } = await readLabels(labelsFileOf(dataset.file));
    assert.equal(badLines, 0);
    assert.deepEqual(
      labels.map((l) => [l.itemId, l.attemptId, l.targetId, l.decision, l.judges, l.models]),
      [
        ['r:a1', 'a1', 't1', 'approved', { judge: 'accepted', judge2: 'too_hard', disagree: true }, { judge: 'j', judge2: 'j2' }],
        // Without a second judge, an item waits for review because the Judge's verdict was borderline.
        ['r:a2', 'a2', 't2', 'edited', { judge: 'borderline', disagree: false }, { judge: 'j' }],
        ['r:a3', 'a3', 't3', 'rejected', { judge: 'too_easy', judge2: 'accepted', disagree: true }, { judge: 'j', judge2: 'j2' }],
      ],
    );
    assert.equal(labels[2].reason, 'off topic');
    assert.equal(labels[2].at, new Date(5).toISOString());
  });

  it('keeps the labels when the run is opened again, and adds the next decisions after them', async () => {
    await review().approve('t1', item('r:a1', disagree));
    // Opened again (a reload, or the run resumed): a new Review over the same files.
    const again = review();
    await again.reject('t2', 'a2', 'wrong', new Date(), item('r:a2'));
    const { labels } = await readLabels(again.labels.file);
    assert.deepEqual(
      labels.map((l) => [l.itemId, l.decision]),
      [
        ['r:a1', 'approved'],
        ['r:a2', 'rejected'],
      ],
    );
    // The journal holds both decisions too, so neither item waits for review any more.
    const events = (await readJsonl(journalFile())).values as Parameters<typeof pendingReview>[0];
    assert.deepEqual(
      events.map((e) => (e.type === 'review_decision' ? e.decision : e.type)),
      ['approved', 'rejected'],
    );
  });

  it('writes the label before the journal line: a journal that cannot be written loses no label', async () => {
    fs.mkdirSync(journalFile()); // a folder where the journal should be: its write fails
    await assert.rejects(review().approve('t1', item('r:a1', disagree)), /a folder/);
    assert.deepEqual(
      (await readLabels(labelsFileOf(dataset.file))).labels.map((l) => l.itemId),
      ['r:a1'],
    );
  });

  it('reads one label per item (the later replaces the earlier) and counts lines that are not labels', async () => {
    const file = labelsFileOf(dataset.file);
    await review().approve('t1', item('r:a1'));
    fs.appendFileSync(file, '{"not":"a label"}\n');
    await review().reject('t1', 'a1', 'changed my mind', new Date(), item('r:a1'));
    const { labels, badLines } = await readLabels(file);
    assert.deepEqual(
      labels.map((l) => [l.itemId, l.decision]),
      [['r:a1', 'rejected']],
    );
    assert.equal(badLines, 1);
    assert.deepEqual(await readLabels(path.join(ws, 'none.jsonl')), { labels: [], badLines: 0 });
  });
});

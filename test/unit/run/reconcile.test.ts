// Reconciling journals into the dataset: on export too, only into the dataset a run wrote, and from a cursor per
// journal so a workspace's history is not read again at every start.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../../src/run/dataset';
import { exportDataset } from '../../../src/run/export';
import { readJsonl } from '../../../src/run/jsonl';
import { noteRunDataset, reconcileDataset } from '../../../src/run/reconcile';
import { record } from './fs-faults';

const at = new Date(0).toISOString();
const accepted = (runId: string, n: number) => ({
  type: 'item_accepted',
  runId,
  seq: n,
  at,
  attemptId: `a${n}`,
  targetId: `t${n}`,
  record: record(`${runId}:a${n}`),
});

describe('reconciling journals into the dataset', () => {
  let ws: string;
  let runs: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-reconcile-'));
    runs = path.join(ws, '.autodata', 'runs');
    fs.mkdirSync(runs, { recursive: true });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const journal = (runId: string, events: unknown[]) =>
    fs.appendFileSync(path.join(runs, `${runId}.jsonl`), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const ids = async (file: string) => ((await readJsonl(file)).values as Array<{ id: string }>).map((v) => v.id).sort();

  it('an export first writes the journal items the dataset lacks, and exports them', async () => {
    const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
    fs.writeFileSync(dataset, `${JSON.stringify(record('r1:a1'))}\n`);
    journal('r1', [accepted('r1', 1), accepted('r1', 2)]);
    const report = await exportDataset({ datasetFile: dataset, format: 'sft', out: path.join(ws, 'out.jsonl') });
    assert.equal(report.rows, 2);
    assert.match(report.notes.join('\n'), /1 accepted item\(s\) from the run journals were missing/);
    assert.deepEqual(await ids(dataset), ['r1:a1', 'r1:a2']);
  });

  it('puts a run’s items only into the dataset it wrote (shards write their own)', async () => {
    const one = new Dataset(path.join(ws, '.autodata', 'shard1.jsonl'), ws);
    const two = new Dataset(path.join(ws, '.autodata', 'shard2.jsonl'), ws);
    journal('s1', [accepted('s1', 1)]);
    journal('s2', [accepted('s2', 1)]);
    await noteRunDataset(ws, 's1', one.file);
    await noteRunDataset(ws, 's2', two.file);
    await reconcileDataset(ws, one);
    await reconcileDataset(ws, two);
    assert.deepEqual(await ids(one.file), ['s1:a1']);
    assert.deepEqual(await ids(two.file), ['s2:a1']);
  });

  it('reads each journal from where it last got to: an item removed from the dataset after it was reconciled stays removed', async () => {
    const d = new Dataset(path.join(ws, '.autodata', 'dataset.jsonl'), ws);
    journal('r1', [accepted('r1', 1)]);
    assert.deepEqual((await reconcileDataset(ws, d)).written, ['r1:a1']);
    assert.equal((await reconcileDataset(ws, d)).journals, 0, 'nothing new: no journal read');
    // A person removes the item; the journal grows by another item.
    fs.writeFileSync(d.file, '');
    journal('r1', [accepted('r1', 2)]);
    const again = await reconcileDataset(ws, d);
    assert.deepEqual(again.written, ['r1:a2']);
    assert.deepEqual(await ids(d.file), ['r1:a2']);
  });
});

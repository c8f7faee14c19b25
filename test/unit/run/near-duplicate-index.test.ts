// The persisted near-duplicate index of the dataset: the same answers as a full scan, only new lines read on a later
// open, a rebuild when the dataset shrank or changed, and lines that are not JSON refused with their numbers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QuestionIndex } from '../../../src/core/similarity';
import { Dataset, DatasetFileError } from '../../../src/run/dataset';
import { DatasetLineError, NearDuplicateIndex } from '../../../src/run/near-duplicate-index';
import type { DatasetRecord } from '../../../src/shared/schemas';

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
    const rec: DatasetRecord = {
      id: 'r:1',
      createdAt: new Date(0).toISOString(),
      question: question(1),
      questionType: 'explanation',
      skills: [],
      rubric: [{ criterion: 'c', weight: 1, negative: false }],
      referenceAnswer: 'A.',
      source: { path: 'p.md', sha256: 'a'.repeat(64), range: { start: 0, end: 1 }, quote: 'x' },
      scores: { weak: { mean: 0.3, rollouts: [0.3] }, strong: { mean: 0.8, rollouts: [0.8] }, gap: 0.5 },
      decision: { by: 'policy', borderline: false },
      iterations: 1,
      models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
      runId: 'r',
      promptVersion: 'v',
    };
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
});

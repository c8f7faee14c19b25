// The dataset card's figures: the Hub's size buckets, quantiles and score bins, and a card that parses as YAML even
// when names carry characters YAML treats specially.
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { datasetCard, distribution, sizeCategory } from '../../../src/core/dataset-card';
import { datasetRecord } from '../../fakes/dataset-record';

describe('dataset card', () => {
  it('puts row counts in the Hub size buckets at their edges', () => {
    assert.equal(sizeCategory(0), 'n<1K');
    assert.equal(sizeCategory(999), 'n<1K');
    assert.equal(sizeCategory(1000), '1K<n<10K');
    assert.equal(sizeCategory(99_999), '10K<n<100K');
    assert.equal(sizeCategory(2_500_000), '1M<n<10M');
  });

  it('reads quantiles by linear interpolation and bins scores in tenths, 1 in the last bin', () => {
    const d = distribution([0, 0.1, 0.2, 0.35, 1])!;
    assert.equal(d.min, 0);
    assert.equal(d.max, 1);
    assert.equal(d.median, 0.2);
    assert.ok(Math.abs(d.p25 - 0.1) < 1e-12);
    assert.ok(Math.abs(d.p75 - 0.35) < 1e-12);
    assert.ok(Math.abs(d.mean - 0.33) < 1e-12);
    assert.deepEqual(d.histogram, [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    assert.equal(distribution([]), undefined);
  });

  it('quotes a dataset name with YAML specials so the metadata still parses', () => {
    const card = datasetCard({
      records: [],
      runs: [],
      format: 'dpo',
      dataFile: 'data/train.jsonl',
      rows: 0,
      prettyName: 'Notes: "draft" #2 - [v1]',
      generatedAt: '2026-12-02T00:00:00.000Z',
    });
    const meta = yaml.load(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]) as Record<string, unknown>;
    assert.equal(meta.pretty_name, 'Notes: "draft" #2 - [v1]');
    assert.deepEqual(meta.task_categories, ['text-generation']);
    assert.match(card, /No items\./);
  });

  it('names the second judge and says how often the judges disagreed and what the closed-book probe found', () => {
    const models = { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' };
    const judges = (disagree: boolean) => ({
      first: 'accepted' as const,
      second: disagree ? ('too_hard' as const) : ('accepted' as const),
      secondReasons: [],
      disagree,
    });
    const records = [
      datasetRecord('a', { models: { ...models, judge2: 'j2' }, judges: judges(true), closedBook: { score: 0.9, solved: true } }),
      datasetRecord('b', { models: { ...models, judge2: 'j2' }, judges: judges(false), closedBook: { score: 0.1, solved: false } }),
      datasetRecord('c'),
    ];
    const card = datasetCard({
      records,
      runs: [],
      format: 'sft',
      dataFile: 'data/train.jsonl',
      rows: 3,
      prettyName: 'n',
      generatedAt: '2026-12-02T00:00:00.000Z',
    });
    assert.match(card, /\| second judge \| `j2` \(2\) \|/);
    assert.match(card, /Second judge: graded 2 item\(s\); the two judges decided 1 of them differently/);
    assert.match(card, /Closed-book probe: 2 item\(s\) asked without their context; 1 answered without the source/);
    const plain = datasetCard({
      records: [records[2]],
      runs: [],
      format: 'sft',
      dataFile: 'd.jsonl',
      rows: 1,
      prettyName: 'n',
      generatedAt: '2026-12-02T00:00:00.000Z',
    });
    assert.doesNotMatch(plain, /second judge|Closed-book/i, 'nothing said of what a run did not use');
  });
});

// The dataset card's figures: the Hub's size buckets, quantiles and score bins, and a card that parses as YAML even
// when names carry characters YAML treats specially.
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { datasetCard, distribution, sizeCategory } from '../../../src/core/dataset-card';

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
});

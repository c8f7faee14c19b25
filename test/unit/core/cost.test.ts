import assert from 'node:assert/strict';
import { batchPrices, costOf, PriceTable } from '../../../src/core/budget';

const models = { challenger: 'c', quality: 'c', weak: 'w', strong: 's', judge: 'c' };
const u = (promptTokens: number, completionTokens: number) => ({ promptTokens, completionTokens, calls: 1 });

describe('run cost', () => {
  it('is unknown before any token was priced, and without a price table', () => {
    assert.equal(costOf({}, models, {}), undefined);
    assert.equal(costOf({ weak: u(0, 0) }, models, { w: { prompt: 1, completion: 2 } }), undefined);
    assert.equal(costOf({ weak: u(1000, 10) }, models, {}), undefined);
  });
  it('adds the priced usage per million tokens, and is unknown when a used model has no price', () => {
    assert.equal(costOf({ weak: u(1_000_000, 500_000) }, models, { w: { prompt: 1, completion: 2 } }), 2);
    assert.equal(costOf({ weak: u(10, 10), strong: u(10, 10) }, models, { w: { prompt: 1, completion: 2 } }), undefined);
  });
  it('prices batch calls at the batch rates given, else at half the interactive ones (cached prompt tokens likewise)', () => {
    const table = PriceTable.parse({ w: { prompt: 2, completion: 8, cachedPrompt: 1 }, s: { prompt: 4, completion: 16, batchPrompt: 3, batchCompletion: 10 } });
    assert.deepEqual(batchPrices(table), { w: { prompt: 1, completion: 4, cachedPrompt: 0.5 }, s: { prompt: 3, completion: 10 } });
    const usage = { weak: { promptTokens: 1_000_000, completionTokens: 1_000_000, calls: 1, cachedTokens: 500_000 }, strong: u(1_000_000, 0) };
    assert.equal(costOf(usage, models, table), 0.5 * 2 + 0.5 * 1 + 8 + 4);
    assert.equal(costOf(usage, models, batchPrices(table)), 0.5 * 1 + 0.5 * 0.5 + 4 + 3);
  });
});

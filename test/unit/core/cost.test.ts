import assert from 'node:assert/strict';
import { costOf } from '../../../src/core/budget';

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
});

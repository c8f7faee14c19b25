// The Wilson interval against values computed by hand (z = 1.96, the textbook 95% quantile, rounded to 4 places).
import assert from 'node:assert/strict';
import { wilsonInterval } from '../../../src/shared/wilson';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 5e-4, `${a} is not ${b}`);

describe('wilsonInterval', () => {
  it('8 of 10: 0.4902 to 0.9433', () => {
    // p = 0.8, z² = 3.8416, 1 + z²/n = 1.38416; centre (0.8 + 0.19208) / 1.38416 = 0.71674;
    // half-width 1.96·√(0.016 + 0.009604) / 1.38416 = 0.22658.
    const w = wilsonInterval(8, 10, 1.96)!;
    close(w.rate, 0.8);
    close(w.low, 0.4902);
    close(w.high, 0.9433);
  });
  it('5 of 10 is symmetric: 0.2366 to 0.7634', () => {
    const w = wilsonInterval(5, 10, 1.96)!;
    close(w.low, 0.2366);
    close(w.high, 0.7634);
  });
  it('0 of 10 is not zero-width: 0 to 0.2775', () => {
    const w = wilsonInterval(0, 10, 1.96)!;
    assert.equal(w.low, 0);
    close(w.high, 0.2775);
  });
  it('1 of 1 says almost nothing: 0.2065 to 1', () => {
    const w = wilsonInterval(1, 1, 1.96)!;
    close(w.low, 0.2065);
    assert.equal(w.high, 1);
  });
  it('narrows as decisions accumulate at the same rate', () => {
    const small = wilsonInterval(3, 10)!;
    const large = wilsonInterval(300, 1000, 1.96)!;
    assert.ok(large.high - large.low < (small.high - small.low) / 5);
    // centre (0.3 + 0.0019208) / 1.0038416 = 0.30076, half-width 1.96·√(0.00021 + 0.00000096) / 1.0038416 = 0.02836.
    close(large.low, 0.2724);
    close(large.high, 0.3291);
  });
  it('is undefined with nothing decided or impossible counts', () => {
    assert.equal(wilsonInterval(0, 0), undefined);
    assert.equal(wilsonInterval(3, 2), undefined);
    assert.equal(wilsonInterval(-1, 2), undefined);
  });
});

import assert from 'node:assert/strict';
import { callOf, cohenKappa } from '../../../src/shared/agreement';

/** Pairs from a 2×2 table: both yes, first yes / second no, first no / second yes, both no. */
function table(yy: number, yn: number, ny: number, nn: number): Array<[boolean, boolean]> {
  const rep = (k: number, p: [boolean, boolean]) => Array.from({ length: k }, () => p);
  return [...rep(yy, [true, true]), ...rep(yn, [true, false]), ...rep(ny, [false, true]), ...rep(nn, [false, false])];
}
const close = (a: number | undefined, b: number, tol = 5e-5) => assert.ok(a !== undefined && Math.abs(a - b) < tol, `${a} ≠ ${b}`);

describe("Cohen's kappa", () => {
  it("reproduces the 50 grant proposals of Wikipedia's worked example: κ = 0.4", () => {
    // A and B both yes 20, A yes B no 5, A no B yes 10, both no 15: pₒ = 35/50 = 0.7; A says yes 25/50, B 30/50;
    // pₑ = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / 0.5 = 0.4.
    close(cohenKappa(table(20, 5, 10, 15)), 0.4);
  });

  it('tells apart two tables with the same 60% raw agreement (Wikipedia: 0.1304 and 0.2593)', () => {
    // 45/15/25/15: yes shares 0.6 and 0.7, pₑ = 0.42 + 0.12 = 0.54, κ = 0.06 / 0.46 = 0.13043.
    close(cohenKappa(table(45, 15, 25, 15)), 0.06 / 0.46);
    close(cohenKappa(table(45, 15, 25, 15)), 0.1304);
    // 25/35/5/35: yes shares 0.6 and 0.3, pₑ = 0.18 + 0.28 = 0.46, κ = 0.14 / 0.54 = 0.25926.
    close(cohenKappa(table(25, 35, 5, 35)), 0.2593);
  });

  it('is 1 for perfect agreement, negative below chance, and undefined when it cannot be told', () => {
    assert.equal(cohenKappa(table(3, 0, 0, 2)), 1);
    // Always opposite, half yes each: pₒ = 0, pₑ = 0.5, κ = −1.
    assert.equal(cohenKappa(table(0, 2, 2, 0)), -1);
    assert.equal(cohenKappa([]), undefined);
    // Both always yes: chance agreement is 1, κ is 0/0.
    assert.equal(cohenKappa(table(4, 0, 0, 0)), undefined);
  });

  it('counts categories beyond two (three-way table worked by hand)', () => {
    // a/a 2, b/b 2, c/c 1, a/b 1: n = 6, pₒ = 5/6; first shares a 3, b 2, c 1; second a 2, b 3, c 1;
    // pₑ = (3·2 + 2·3 + 1·1) / 36 = 13/36; κ = (5/6 − 13/36) / (23/36) = 17/23.
    const pairs: Array<[string, string]> = [
      ['a', 'a'],
      ['a', 'a'],
      ['b', 'b'],
      ['b', 'b'],
      ['c', 'c'],
      ['a', 'b'],
    ];
    close(cohenKappa(pairs), 17 / 23, 1e-12);
  });
});

describe('what a verdict decides', () => {
  it('accepted keeps the item, borderline leaves it to a person, every other verdict drops it', () => {
    assert.deepEqual((['accepted', 'borderline', 'too_easy', 'too_hard', 'gap_too_small', 'quality_failed', 'failed', 'low_spread'] as const).map(callOf), [
      'accept',
      'review',
      'reject',
      'reject',
      'reject',
      'reject',
      'reject',
      'reject',
    ]);
  });
});

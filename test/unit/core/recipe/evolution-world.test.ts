// The recipe-evolution benchmark's hidden-function world, at the product's defaults, held to its targets in CI: the
// recipe's hidden quality rises, worse proposals are rejected, and every cheat is refused (one that would have paid).
import assert from 'node:assert/strict';
import { evolve } from '../../../bench/recipe-evolution.bench';

describe('recipe evolution in the hidden-function world (defaults: 3 held-out sections × 4 trials, α = 0.2)', () => {
  it('raises the hidden quality, rejects ≥ 95% of worse proposals and refuses every cheat', async () => {
    const x = await evolve(3, 4, 0.2);
    assert.ok(x.final - x.start >= 0.05, `mean hidden quality ${x.start.toFixed(3)} → ${x.final.toFixed(3)}`);
    assert.ok(x.worldsRose >= 0.75 * x.worlds, `${x.worldsRose} of ${x.worlds} worlds rose`);
    assert.ok(x.curve.at(-1)! > x.curve[Math.floor(x.curve.length / 2)], 'still rising in the second half');
    assert.ok(x.worse.proposed > 50 && x.worse.rejected >= 0.95 * x.worse.proposed, `${x.worse.rejected} of ${x.worse.proposed} worse rejected`);
    assert.ok(x.better.kept > 0, 'some better proposals are kept');
    assert.equal(x.cheats.proposed, x.worlds);
    assert.equal(x.cheats.refused, x.cheats.proposed);
    assert.ok(x.cheats.wouldHaveBeenKept > x.worlds / 2, 'the cheats would have been kept by the test alone');
    assert.equal(x.otherRefused, 0, 'no honest proposal refused');
  });

  it('with a rule that keeps any measured lead, keeps more worse and neutral proposals than the paired test does', async () => {
    const strict = await evolve(3, 4, 0.5);
    const tested = await evolve(3, 4, 0.2);
    assert.ok(strict.worse.proposed - strict.worse.rejected > tested.worse.proposed - tested.worse.rejected);
    assert.ok(strict.neutral.kept > tested.neutral.kept);
  });
});

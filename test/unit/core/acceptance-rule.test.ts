import assert from 'node:assert/strict';
import { impossiblePolicy } from '../../../src/core/config';
import { POLICY_PRESETS, type PolicyThresholds } from '../../../src/shared/thresholds';
import { decide, decideFromWeak, rubricScore } from '../../../src/core/policy';

const appendix: PolicyThresholds = { ...POLICY_PRESETS.paperAppendix };
const main: PolicyThresholds = { ...POLICY_PRESETS.paperMainText };
const noBand = (p: PolicyThresholds) => ({ ...p, borderlineMargin: 0 });

describe('acceptance policy', () => {
  it('accepts the paper-appendix example: weak low with variance, strong high, wide gap', () => {
    const v = decide(appendix, [0.3, 0.4, 0.5], [0.8, 0.7, 0.9]);
    assert.equal(v.kind, 'accepted');
    assert.ok(Math.abs(v.gap! - 0.4) < 1e-9);
  });

  it('treats the appendix limits as inclusive (weak mean 0.65, best 0.75) and the strong maximum as exclusive', () => {
    assert.equal(decide(noBand(appendix), [0.6, 0.6, 0.75], [0.9, 0.9, 0.9]).kind, 'accepted');
    assert.equal(decide(noBand(appendix), [0.3, 0.3, 0.3], [0.95, 0.95, 0.95]).kind, 'too_easy');
  });

  it('rejects a weak rollout scoring 0 under the appendix rule but not the main-text rule', () => {
    assert.equal(decide(appendix, [0, 0.3, 0.4], [0.8, 0.8, 0.8]).kind, 'too_hard');
    assert.equal(decide(main, [0, 0.3, 0.4], [0.8, 0.8, 0.8]).kind, 'accepted');
  });

  it('uses a strict weak bound in the main-text rule (mean 0.5 is not < 0.5)', () => {
    assert.equal(decide(noBand(main), [0.5, 0.5, 0.5], [0.9, 0.9, 0.9]).kind, 'too_easy');
    assert.equal(decide(noBand(main), [0.4, 0.5, 0.5], [0.9, 0.9, 0.9]).kind, 'accepted');
  });

  it('classifies too hard and gap too small', () => {
    assert.equal(decide(appendix, [0.2, 0.3, 0.2], [0.3, 0.4, 0.3]).kind, 'too_hard');
    assert.equal(decide(appendix, [0.5, 0.5, 0.5], [0.6, 0.65, 0.6]).kind, 'gap_too_small');
  });

  it('sends near misses within the margin to a person, and only those', () => {
    const near = decide(appendix, [0.3, 0.3, 0.3], [0.58, 0.58, 0.58]);
    assert.equal(near.kind, 'borderline');
    assert.equal(near.nearest, 'too_hard');
    assert.equal(decide(appendix, [0.3, 0.3, 0.3], [0.54, 0.54, 0.54]).kind, 'too_hard');
    assert.equal(decide(noBand(appendix), [0.3, 0.3, 0.3], [0.58, 0.58, 0.58]).kind, 'too_hard');
  });

  it('never calls a zero score borderline', () => {
    assert.equal(decide(appendix, [0, 0.5, 0.5], [0.9, 0.9, 0.9]).kind, 'too_hard');
  });

  it('reports failed when a solver has no measured rollout', () => {
    assert.equal(decide(appendix, [], [0.9]).kind, 'failed');
  });

  it('decides early from the weak scores only when no strong result could change the verdict', () => {
    assert.equal(decideFromWeak(appendix, [0.9, 0.9, 1])?.kind, 'too_easy');
    assert.equal(decideFromWeak(appendix, [0.3, 0.4, 0.5]), undefined);
    // A near miss may still be borderline: the strong solver must run.
    assert.equal(decideFromWeak(appendix, [0.68, 0.68, 0.68]), undefined);
    // Early decisions agree with full decisions for every weak/strong combination on a grid.
    const grid = [0, 0.1, 0.3, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 1];
    for (const p of [appendix, main]) {
      for (const a of grid) {
        for (const b of grid) {
          const weak = [a, b, (a + b) / 2];
          const early = decideFromWeak(p, weak);
          if (!early) {
            continue;
          }
          for (const s of grid) {
            const full = decide(p, weak, [s, s, s]);
            assert.notEqual(full.kind, 'accepted', `weak ${weak} strong ${s}`);
            assert.notEqual(full.kind, 'borderline', `weak ${weak} strong ${s}`);
          }
        }
      }
    }
  });

  it('scores a rubric as the weighted share met, negatives subtracting, clamped', () => {
    const rubric = [
      { criterion: 'a', weight: 3, negative: false },
      { criterion: 'b', weight: 1, negative: false },
      { criterion: 'c', weight: 2, negative: true },
    ];
    assert.equal(
      rubricScore(rubric, [
        { criterion: 1, met: true, reason: '' },
        { criterion: 2, met: false, reason: '' },
      ]),
      0.75,
    );
    assert.equal(
      rubricScore(rubric, [
        { criterion: 1, met: true, reason: '' },
        { criterion: 3, met: true, reason: '' },
      ]),
      0.25,
    );
    assert.equal(rubricScore(rubric, [{ criterion: 3, met: true, reason: '' }]), 0);
    assert.equal(rubricScore(rubric, [{ criterion: 9, met: true, reason: '' }]), 0);
  });

  it('explains thresholds no item can pass', () => {
    assert.equal(impossiblePolicy(appendix), undefined);
    assert.equal(impossiblePolicy(main), undefined);
    assert.match(impossiblePolicy({ ...appendix, strongMeanMin: 0.9, strongMeanMax: 0.8 }) ?? '', /strong mean/);
    assert.match(impossiblePolicy({ ...appendix, minGap: 0.97 }) ?? '', /gap/);
  });
});

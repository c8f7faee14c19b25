// The panel's pure helpers: number and label formatting, what the controls do per state, the plot's geometry, clipping.
import assert from 'node:assert/strict';
import { POLICY_PRESETS } from '../../../src/shared/thresholds';
import { WebviewMessage } from '../../../src/protocol';
import { parseEdit } from '../../../webview/challenge-editor';
import { clipPoint } from '../../../webview/clipped-text';
import { controlLabel, controlMessage, isEnabled, shortcutFor } from '../../../webview/controls';
import { acceptanceText, tokenSummary } from '../../../webview/counters';
import { charCount, compactCount, formatCost, formatGap, formatScore, stateLabel, strongSkipReason } from '../../../webview/format';
import { ruleText } from '../../../webview/run-header';
import { acceptanceRegion, clipToGap } from '../../../webview/scatter';
import { gapPasses, strongPasses, weakPasses } from '../../../webview/score-bars';
import { parseGoal } from '../../../webview/toolbar';

const appendix = POLICY_PRESETS.paperAppendix;
const mainText = POLICY_PRESETS.paperMainText;

describe('webview formatting', () => {
  it('writes the acceptance rate with its interval and what it was measured on', () => {
    assert.equal(acceptanceText({ decided: 10, rate: 0.8, low: 0.4902, high: 0.9433 }), '80% (95% CI 49–94%) of 10 decided');
  });
  it('writes token counts compactly', () => {
    assert.equal(compactCount(0), '0');
    assert.equal(compactCount(950), '950');
    assert.equal(compactCount(1000), '1k');
    assert.equal(compactCount(1234), '1.23k');
    assert.equal(compactCount(12_345), '12.3k');
    assert.equal(compactCount(999_949), '999.9k');
    assert.equal(compactCount(1_250_000), '1.25M');
    assert.equal(compactCount(42_000_000), '42M');
    assert.equal(compactCount(3_100_000_000), '3.1B');
    assert.equal(compactCount(NaN), '–');
    assert.equal(charCount(12_345), '12.3k characters');
  });

  it('writes scores, gaps and costs', () => {
    assert.equal(formatScore(0.41666), '0.42');
    assert.equal(formatScore(1), '1.00');
    assert.equal(formatScore(undefined), '–');
    assert.equal(formatScore(null), '–');
    assert.equal(formatGap(0.31), '+0.31');
    assert.equal(formatGap(-0.05), '−0.05');
    assert.equal(formatGap(-0.001), '+0.00');
    assert.equal(formatCost(1.5), '1.50');
    assert.equal(formatCost(1234.5), '1,234.50');
    assert.equal(formatCost(0.00312), '0.0031');
    assert.equal(strongSkipReason('too_easy'), 'weak too easy');
    assert.equal(strongSkipReason('failed'), 'weak rollouts could not be measured');
    assert.equal(tokenSummary({ weak: 40_100, challenger: 12_300, mystery: 5 }), 'challenger 12.3k · weak 40.1k · mystery 5');
  });

  it('says what the run is doing', () => {
    assert.equal(stateLabel('running', undefined), 'Running');
    assert.equal(stateLabel('stepping', { next: 'solve_weak', attemptId: 's2.3', seq: 4 }), 'Your turn: Step runs solve weak for s2.3');
    assert.equal(stateLabel('paused', { next: 'quality', attemptId: 's1.1', seq: 4 }), 'Paused before quality check for s1.1');
    assert.equal(stateLabel('finished', undefined, { outcome: 'stopped' }), 'Stopped');
    assert.equal(stateLabel('finished', undefined, undefined, false), 'Not running');
    assert.equal(stateLabel('idle', undefined), 'Idle');
  });

  it('states the acceptance rule in words', () => {
    assert.equal(ruleText(appendix), 'weak ≤ 0.65 · strong 0.60–0.95 · gap ≥ 0.20 · best weak ≤ 0.75 · no zero scores');
    assert.equal(ruleText(mainText), 'weak < 0.50 · strong ≥ 0.65 · gap ≥ 0.20');
  });
});

describe('webview controls', () => {
  it('enables the buttons each state allows', () => {
    const on = (s: Parameters<typeof isEnabled>[0]) => (['run', 'step', 'pause', 'resume', 'stop'] as const).filter((a) => isEnabled(s, a));
    assert.deepEqual(on('idle'), ['run', 'step']);
    assert.deepEqual(on('finished'), ['run', 'step']);
    assert.deepEqual(on('running'), ['pause', 'stop']);
    assert.deepEqual(on('paused'), ['step', 'resume', 'stop']);
    assert.deepEqual(on('stepping'), ['run', 'step', 'stop']);
    assert.equal(controlLabel('stepping', 'run'), 'Continue');
    assert.equal(controlLabel('idle', 'run'), 'Run');
  });

  it('starts a new run when idle or finished, and controls the live one otherwise', () => {
    assert.deepEqual(controlMessage('idle', 'step', 3), { type: 'start', mode: 'step', goal: 3 });
    assert.deepEqual(controlMessage('finished', 'run', 0), { type: 'start', mode: 'run', goal: 0 });
    assert.deepEqual(controlMessage('stepping', 'run', 0), { type: 'control', action: 'run' });
    assert.deepEqual(controlMessage('paused', 'resume', 0), { type: 'control', action: 'resume' });
    assert.equal(controlMessage('running', 'run', 0), undefined);
    assert.equal(controlMessage('idle', 'stop', 0), undefined);
    for (const m of [controlMessage('idle', 'run', 10_000), controlMessage('running', 'stop', 0)]) {
      assert.ok(WebviewMessage.safeParse(m).success);
    }
  });

  it('maps the shortcut keys', () => {
    assert.equal(shortcutFor('r', 'stepping'), 'run');
    assert.equal(shortcutFor('s', 'paused'), 'step');
    assert.equal(shortcutFor('p', 'running'), 'pause');
    assert.equal(shortcutFor('p', 'paused'), 'resume');
    assert.equal(shortcutFor('x', 'running'), 'stop');
    assert.equal(shortcutFor('j', 'idle'), 'next');
    assert.equal(shortcutFor('k', 'idle'), 'previous');
    assert.equal(shortcutFor('a', 'finished'), 'approve');
    assert.equal(shortcutFor('Escape', 'running'), undefined);
  });

  it('reads the goal field', () => {
    assert.equal(parseGoal(''), 0);
    assert.equal(parseGoal(' 12 '), 12);
    assert.equal(parseGoal('10000'), 10_000);
    assert.equal(parseGoal('10001'), undefined);
    assert.equal(parseGoal('-1'), undefined);
    assert.equal(parseGoal('2.5'), undefined);
    assert.equal(parseGoal('ten'), undefined);
  });

  it('checks an edited challenge before it is sent', () => {
    const rows = [
      { criterion: ' Names the mechanism ', weight: '7', negative: false },
      { criterion: 'Pads', weight: '2', negative: true },
    ];
    const ok = parseEdit(' Why? ', 'Because.', rows);
    assert.deepEqual(ok.edit, {
      question: 'Why?',
      referenceAnswer: 'Because.',
      rubric: [
        { criterion: 'Names the mechanism', weight: 7, negative: false },
        { criterion: 'Pads', weight: 2, negative: true },
      ],
    });
    assert.match(parseEdit('Why?', '', [{ criterion: 'x', weight: '11', negative: false }]).error!, /weight must be a whole number from 1 to 10/);
    assert.match(parseEdit('Why?', '', [{ criterion: 'x', weight: '1.5', negative: false }]).error!, /Criterion 1/);
    assert.match(parseEdit('Why?', '', [{ criterion: '  ', weight: '3', negative: false }]).error!, /Criterion 1 is empty/);
    assert.match(parseEdit('Why?', '', [{ criterion: 'Pads', weight: '3', negative: true }]).error!, /positive criterion/);
    assert.ok(parseEdit('   ', '', rows).error, 'an empty question is refused');
  });
});

describe('webview score checks and plot geometry', () => {
  it('checks means against the thresholds, marking near misses within the margin', () => {
    assert.equal(weakPasses(appendix, 0.65), true);
    assert.equal(weakPasses(appendix, 0.68), 'near');
    assert.equal(weakPasses(appendix, 0.8), false);
    assert.equal(weakPasses(mainText, 0.5), 'near', 'the main-text rule is strict');
    assert.equal(weakPasses(appendix, undefined), undefined);
    assert.equal(strongPasses(appendix, 0.6), true);
    assert.equal(strongPasses(appendix, 0.95), 'near', 'the upper bound is exclusive');
    assert.equal(strongPasses(appendix, 0.4), false);
    assert.equal(strongPasses(mainText, 1), true, 'no upper bound in the main-text rule');
    assert.equal(gapPasses(appendix, 0.2), true);
    assert.equal(gapPasses(appendix, 0.17), 'near');
    assert.equal(gapPasses(appendix, 0.05), false);
  });

  it('clips a polygon to the gap half-plane', () => {
    const square: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    const clipped = clipToGap(square, 0.5);
    // What is left of the unit square above y = x + 0.5: the triangle (0, 0.5), (0.5, 1), (0, 1).
    const area = (p: Array<[number, number]>) =>
      Math.abs(
        p.reduce((s, [x, y], i) => {
          const [x2, y2] = p[(i + 1) % p.length];
          return s + x * y2 - x2 * y;
        }, 0),
      ) / 2;
    assert.ok(Math.abs(area(clipped) - 0.125) < 1e-9, JSON.stringify(clipped));
    assert.deepEqual(clipToGap(square, 2), []);
  });

  it('draws the acceptance region where the policy accepts, and the band around it', () => {
    const region = acceptanceRegion(appendix);
    const inside = (p: Array<[number, number]>, x: number, y: number) =>
      p.every(([x1, y1], i) => {
        const [x2, y2] = p[(i + 1) % p.length];
        return (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) >= -1e-9;
      });
    assert.ok(inside(region, 0.3, 0.8), 'weak 0.3, strong 0.8 is accepted');
    assert.ok(!inside(region, 0.7, 0.9), 'weak 0.7 is too easy');
    assert.ok(!inside(region, 0.5, 0.6), 'a gap of 0.1 is too small');
    assert.ok(!inside(region, 0.2, 0.97), 'strong 0.97 is near-perfect');
    const band = acceptanceRegion(appendix, appendix.borderlineMargin);
    assert.ok(inside(band, 0.3, 0.57) && !inside(region, 0.3, 0.57), 'strong 0.57 is in the band only');
    assert.ok(Math.max(...acceptanceRegion(mainText).map(([, y]) => y)) === 1, 'no upper bound: the region reaches 1');
  });

  it('clips long text at a word boundary, and many short lines too', () => {
    assert.equal(clipPoint('short', 100), undefined);
    const long = `${'word '.repeat(100)}`;
    const cut = clipPoint(long, 52)!;
    assert.ok(cut <= 52 && cut > 40 && long[cut] === ' ', String(cut));
    assert.equal(clipPoint('a\nb\nc\nd\ne', 1000, 3), 5, 'cut after the third line');
    assert.equal(clipPoint('a\nb\nc', 1000, 3), undefined);
    assert.equal(clipPoint('x'.repeat(500), 100), 100, 'no space: a hard cut');
  });
});

// The cost estimate's arithmetic, against figures worked out by hand from a pilot of two attempts.
import assert from 'node:assert/strict';
import { attemptsPerSection, estimateLines, estimateRun, itemsPerSection, PilotTally, pilotSample, type RunPlan } from '../../../src/run/estimate';
import type { EngineEvent } from '../../../src/shared/events';
import { byRole } from '../../../src/shared/schemas';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} is not ${b}`);
const base = { runId: 'r1', seq: 0, at: '2026-01-01T00:00:00Z' };
const MODELS = byRole((r) => `${r}-model`);

/** Two attempts on two sections, one accepted; the challenger and the weak solver spent tokens. */
function pilot(): PilotTally {
  const t = new PilotTally();
  const ev = (e: object) => t.add({ ...base, ...e } as EngineEvent);
  ev({ type: 'target_started', targetId: 's1' });
  ev({ type: 'verdict', attemptId: 's1.1', targetId: 's1', verdict: { kind: 'accepted', reasons: [] }, strongSkipped: false, usage: {} });
  ev({ type: 'target_started', targetId: 's2' });
  ev({ type: 'verdict', attemptId: 's2.1', targetId: 's2', verdict: { kind: 'too_easy', reasons: [] }, strongSkipped: true, usage: {} });
  // Running totals: only the latest per run and role counts.
  ev({ type: 'usage', role: 'challenger', totals: { promptTokens: 1000, completionTokens: 500, calls: 1 } });
  ev({ type: 'usage', role: 'challenger', totals: { promptTokens: 2000, completionTokens: 1000, calls: 2 } });
  ev({ type: 'usage', role: 'weak', totals: { promptTokens: 1000, completionTokens: 2000, calls: 2 } });
  return t;
}

const PLAN: RunPlan = {
  sections: 10,
  documents: [10],
  maxIterations: 3,
  models: MODELS,
  prices: { 'challenger-model': { prompt: 1, completion: 2 }, 'weak-model': { prompt: 0.5, completion: 1 } },
};

describe('cost estimate', () => {
  it('spreads the pilot over the document', () => {
    assert.deepEqual(pilotSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [0, 5, 9]);
    assert.deepEqual(pilotSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2), [0, 9]);
    assert.deepEqual(pilotSample([0, 1], 5), [0, 1]);
    assert.deepEqual(pilotSample([0, 1, 2], 1), [0]);
  });

  it('counts attempts per section as a capped geometric series', () => {
    close(attemptsPerSection(0.5, 3), 1.75); // 1 + 0.5 + 0.25
    close(attemptsPerSection(1, 10), 1);
    close(attemptsPerSection(0, 10), 10);
    close(itemsPerSection(0.5, 3), 0.875);
    close(itemsPerSection(0, 3), 0);
  });

  it('extrapolates tokens, calls and cost per attempt to the whole run', () => {
    const e = estimateRun(pilot(), PLAN)!;
    assert.deepEqual({ ...e.pilot, cost: undefined }, { sections: 2, attempts: 2, items: 1, calls: 4, tokens: 6000, cost: undefined });
    // Pilot cost: challenger (2000·1 + 1000·2) / 1e6 + weak (1000·0.5 + 2000·1) / 1e6 = 0.0065.
    close(e.pilot.cost!, 0.0065);
    // p = 1/2, 3 attempts at most: 1.75 attempts and 0.875 items per section, over 10 sections.
    close(e.expected.attempts, 17.5);
    close(e.expected.items, 8.75);
    close(e.expected.tokens, 17.5 * 3000);
    close(e.expected.calls, 35);
    close(e.expected.cost!, 0.0065 * 8.75);
    // The range comes from the Wilson interval of 1 in 2 (0.0945..0.9055): at 0.0945, (1 − 0.9055³) / 0.0945 ≈ 2.725 per section.
    close(e.rate.low, 0.0945, 5e-4);
    close(e.high.attempts, 27.25, 0.05);
    assert.ok(e.low.attempts < e.expected.attempts && e.expected.attempts < e.high.attempts);
    assert.ok(e.low.attempts >= 10, 'every section takes at least one attempt');
  });

  it('stops at the goal: fewer sections are worked on', () => {
    const e = estimateRun(pilot(), { ...PLAN, goal: 4 })!;
    // 4 items at 0.875 a section: 4.571 sections × 1.75 attempts = 8.
    close(e.expected.attempts, 8);
    close(e.expected.items, 4);
  });

  it('stops at the goal in each document: the goal is per document run, as generate applies it', () => {
    // Two documents of 5 sections, 4 items each at 0.875 a section: 4.571 sections × 1.75 attempts = 8 per document.
    const e = estimateRun(pilot(), { ...PLAN, documents: [5, 5], goal: 4 })!;
    close(e.expected.attempts, 16);
    close(e.expected.items, 8);
    // A document too short to reach the goal is worked whole: 2 sections give 1.75 items, 3.5 attempts.
    const short = estimateRun(pilot(), { ...PLAN, sections: 7, documents: [2, 5], goal: 4 })!;
    close(short.expected.attempts, 3.5 + 8);
    close(short.expected.items, 1.75 + 4);
  });

  it('prices the second judge by its own model: with a price for it there is a cost, without one it is named', () => {
    const t = pilot();
    t.add({ type: 'usage', role: 'judge2', totals: { promptTokens: 1000, completionTokens: 0, calls: 1 } } as never);
    const models = { ...MODELS, judge2: 'judge2-model' };
    const priced = estimateRun(t, { ...PLAN, models, prices: { ...PLAN.prices, 'judge2-model': { prompt: 1, completion: 1 } } })!;
    close(priced.pilot.cost!, 0.0065 + 0.001);
    const unpriced = estimateRun(t, { ...PLAN, models })!;
    assert.deepEqual(unpriced.unpriced, ['judge2-model']);
  });

  it('leaves out attempts that did not count (the grader failed, not the question), as the run does', () => {
    const t = pilot();
    t.add({
      type: 'verdict',
      attemptId: 's2.2',
      targetId: 's2',
      verdict: { kind: 'failed', reasons: ['not counted: x'], uncounted: true },
      strongSkipped: false,
      usage: {},
    } as never);
    assert.equal(t.attempts, 2);
    t.add({ type: 'verdict', attemptId: 's2.3', targetId: 's2', verdict: { kind: 'failed', reasons: ['x'] }, strongSkipped: false, usage: {} } as never);
    assert.equal(t.attempts, 3);
  });

  it('says which models have no price instead of a wrong cost, and has nothing to say without a verdict', () => {
    const e = estimateRun(pilot(), { ...PLAN, prices: { 'challenger-model': { prompt: 1, completion: 2 } } })!;
    assert.deepEqual(e.unpriced, ['weak-model']);
    assert.equal(e.expected.cost, undefined);
    assert.match(estimateLines(e, PLAN).join('\n'), /cost unknown: no price for weak-model/);
    assert.equal(estimateRun(new PilotTally(), PLAN), undefined);
  });

  it('prints the figure with its range and its basis', () => {
    const text = estimateLines(estimateRun(pilot(), PLAN)!, PLAN).join('\n');
    assert.match(text, /Estimate for 10 section\(s\), at most 3 attempt\(s\) each:/);
    assert.match(text, /attempts 18 \(11–27\) · items 9 \(3–10\)/);
    assert.match(text, /cost 0\.0569 \(0\.\d+–0\.\d+\)/);
    assert.match(text, /Basis: a pilot of 2 section\(s\): 2 attempt\(s\), 1 item\(s\)/);
    assert.match(text, /per attempt 2 calls, 3,000 tokens\./);
    // 1 / 0.5, 1 / 0.9055 and 1 / 0.0945.
    assert.match(text, /50% of the time \(95% CI 9–91%\), 2 \(1\.1–10\.6\) attempt\(s\) per item;/);
  });
});

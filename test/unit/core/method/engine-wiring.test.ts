// The method's decisions through the whole engine: the final verification of an accepted item, the legal loop judge,
// the section's earlier questions for the novelty check, and the method each item records.
import assert from 'node:assert/strict';
import { defaultEngineConfig, type EngineConfig } from '../../../../src/core/config';
import { applyDomainPreset } from '../../../../src/core/presets';
import type { ScriptedQuestion } from '../../../fakes/scripted-roles';
import { closeWorlds, EASY, GOOD, ofType, run } from './harness';

const legal = (): Partial<EngineConfig> => {
  const c = applyDomainPreset(defaultEngineConfig(), 'legal');
  return { preset: c.preset, rollouts: c.rollouts, policy: c.policy, maxIterations: c.maxIterations, earlyDecisions: c.earlyDecisions };
};

describe('method: through the engine', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it('verifies an accepted item once more before it is written, and an item that fails is not written', async () => {
    const leaky: ScriptedQuestion = {
      ...GOOD,
      quality: { pass: false, check: 'noAnswerLeak', reason: 'The context names the mechanism the answer must explain.', fromCall: 2 },
    };
    const r = await run([leaky, GOOD]);
    const verdicts = ofType(r.events, 'verdict');
    assert.equal(verdicts[0].verdict.kind, 'quality_failed');
    assert.match(verdicts[0].verdict.reasons[0], /^the final verification failed: The context names the mechanism/);
    assert.equal(ofType(r.events, 'rollouts').filter((e) => e.attemptId === verdicts[0].attemptId).length, 2, 'it was measured first');
    assert.equal(r.summary.accepted.length, 1);
    const item = r.summary.accepted[0];
    assert.equal(item.id.endsWith('.2'), true, 'the second question made the item');
    assert.ok(item.verification?.length && item.verification.every((c) => c.pass), 'the item records the checks it passed');
    // Two verifications of each question: before the solvers and before the write.
    assert.equal(r.script.calls['quality-model'], 4);
    const feedback = ofType(r.events, 'feedback')[0].text;
    assert.match(feedback, /The context names the mechanism/);
  });

  it('records the method, the recipe version and the thresholds on every item', async () => {
    const r = await run([GOOD], {}, { recipe: 'Ask for mechanisms.', recipeVersion: 3 });
    const m = r.summary.accepted[0].method!;
    assert.equal(m.recipeVersion, 3);
    assert.equal(m.preset, r.config.preset);
    assert.deepEqual(m.policy, r.config.policy);
    assert.deepEqual(m.rollouts, r.config.rollouts);
    assert.equal(m.judgeMode, 'perRollout');
  });

  it("gives the verifier the section's earlier questions, so a rephrased angle fails the novelty check", async () => {
    const r = await run([{ ...EASY, angle: 'global tokens' }, { ...GOOD, angle: 'global tokens' }, GOOD]);
    const verdicts = ofType(r.events, 'verdict').map((v) => v.verdict);
    assert.equal(verdicts[0].kind, 'too_easy');
    assert.equal(verdicts[1].kind, 'quality_failed');
    assert.match(verdicts[1].reasons[0], /^A rephrasing of earlier question 1 .*check: new angle/, 'refused by the check before the solvers');
    const second = ofType(r.events, 'verdict')[1].attemptId;
    assert.equal(ofType(r.events, 'rollouts').filter((e) => e.attemptId === second).length, 0, 'no solver ran on the rephrasing');
    assert.equal(verdicts[2].kind, 'accepted');
  });

  it('in the legal preset lets the loop judge decide: a case recap that meets every threshold is not accepted', async () => {
    const LEGAL: ScriptedQuestion = { weak: [0.3, 0.4, 0.5, 0.2, 0.6], strong: [0.8, 0.8, 0.9] };
    const r = await run([{ ...LEGAL, questionText: 'Recap the facts of the case and its holding.' }, LEGAL], legal());
    const verdicts = ofType(r.events, 'verdict').map((v) => v.verdict);
    assert.equal(verdicts[0].kind, 'quality_failed');
    assert.match(verdicts[0].reasons.join(' '), /case recap/);
    assert.equal(verdicts[1].kind, 'accepted');
    const item = r.summary.accepted[0];
    assert.equal(item.loop?.decision, 'accept');
    assert.equal(item.loop?.grpo_suitability, 'high');
    assert.equal(item.method?.preset, 'legal');
  });
});

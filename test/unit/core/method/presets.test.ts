// The paper's other domains: legal (a loop judge decides) and verifiable answers (normalised answer match, no rubric).
import assert from 'node:assert/strict';
import { answerMatchPolicy, answersMatch, extractFinalAnswer, normaliseAnswer } from '../../../../src/core/answer-match';
import { defaultEngineConfig } from '../../../../src/core/config';
import { feedbackFor } from '../../../../src/core/feedback';
import { decideByLoopJudge, isCaseRecap, legalVerdict } from '../../../../src/core/loop-judge';
import { decide } from '../../../../src/core/policy';
import { applyDomainPreset } from '../../../../src/core/presets';
import { challenge, judge, solve } from '../../../../src/core/roles';
import type { EngineConfig } from '../../../../src/core/config';
import type { LoopVerdict } from '../../../../src/shared/schemas';
import { UnusableReplyError } from '../../../../src/core/unusable-reply';
import { MODELS, type ScriptedQuestion } from '../../../fakes/scripted-roles';
import { closeWorlds, ofType, run, world } from './harness';

const presetPatch = (p: 'legal' | 'verifiable'): Partial<EngineConfig> => {
  const c = applyDomainPreset(defaultEngineConfig(), p);
  return { preset: c.preset, rollouts: c.rollouts, policy: c.policy, maxIterations: c.maxIterations, earlyDecisions: c.earlyDecisions };
};

describe('method: presets', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  describe('verifiable answers', () => {
    it('finds the final answer and matches it through formatting and equal numbers', () => {
      assert.equal(extractFinalAnswer('Reasoning...\nFinal answer: $\\boxed{\\dfrac{3}{4}}$.'), '\\dfrac{3}{4}');
      assert.equal(extractFinalAnswer('Final answer: $\\dfrac{3}{4}$.'), '$\\dfrac{3}{4}$.');
      assert.equal(extractFinalAnswer('so the answer is \\boxed{x^{2}+1} as shown'), 'x^{2}+1');
      assert.equal(extractFinalAnswer('**Final answer:** 42'), '42');
      assert.equal(extractFinalAnswer('no answer here'), undefined);
      for (const [a, b] of [
        ['$\\boxed{\\dfrac{3}{4}}$.', '0.75'],
        ['1,000', '1000'],
        ['x = 5', '5'],
        ['\\text{Paris}', 'paris'],
        ['2.50', '5/2'],
        ['-\\frac{1}{2}', '-0.5'],
        ['\\left(1, 2\\right)', '(1,2)'],
      ]) {
        assert.ok(answersMatch(a, b), `${a} ~ ${b}`);
      }
      for (const [a, b] of [
        ['3', '4'],
        ['1,2', '12'],
        ['x = y', 'y'],
        ['0.33', '\\frac{1}{3}'],
        ['London', 'Paris'],
      ]) {
        assert.ok(!answersMatch(a, b), `${a} !~ ${b}`);
      }
      assert.equal(normaliseAnswer(' X = 12. '), '12');
    });

    it('turns the counts into thresholds: weak right at most 1 of 4, strong at least 3 of 4', () => {
      const p = answerMatchPolicy({ weakRightMax: 1, strongRightMin: 3, of: 4 });
      assert.equal(decide(p, [1, 0, 0, 0], [1, 1, 1, 0]).kind, 'accepted');
      assert.equal(decide(p, [0, 0, 0, 0], [1, 1, 1, 1]).kind, 'accepted', 'a weak solver that is never right is fine here');
      assert.equal(decide(p, [1, 1, 0, 0], [1, 1, 1, 1]).kind, 'too_easy');
      assert.equal(decide(p, [0, 0, 0, 1], [1, 1, 0, 0]).kind, 'too_hard');
      const thirds = answerMatchPolicy({ weakRightMax: 1, strongRightMin: 2, of: 3 });
      assert.equal(decide(thirds, [1, 0, 0], [1, 1, 0]).kind, 'accepted', 'exact at 1/3 and 2/3');
    });

    it('runs whole: 4 rollouts each, matched without a judge, the strong solver skipped once the weak one is right too often', async () => {
      const qs: ScriptedQuestion[] = [
        { weak: [1, 1, 0, 0], strong: [1, 1, 1, 1] },
        { weak: [0, 0, 0, 1], strong: [1, 1, 0, 0] },
        { weak: [0, 1, 0, 0], strong: [1, 1, 0, 1] },
      ];
      const r = await run(qs, presetPatch('verifiable'));
      assert.deepEqual(
        ofType(r.events, 'verdict').map((v) => [v.verdict.kind, v.strongSkipped]),
        [
          ['too_easy', true],
          ['too_hard', false],
          ['accepted', false],
        ],
      );
      assert.equal(r.script.calls[MODELS.judge] ?? 0, 0, 'no judge call');
      assert.ok(r.server.requests.filter((x) => x.model === MODELS.weak).every((x) => x.n === 4));
      const rec = r.summary.accepted[0];
      assert.equal(rec.finalAnswer, '\\frac{3}{2}');
      assert.deepEqual(rec.scores.weak.rollouts, [0, 1, 0, 0]);
      assert.deepEqual(rec.scores.strong.rollouts, [1, 1, 0, 1]);
      assert.equal(rec.rubric.length, 1);
      const grades = ofType(r.events, 'grades').find((g) => g.attemptId === 's1.3' && g.solver === 'weak')!;
      assert.deepEqual(grades.rollouts[1].marks, [{ criterion: 1, met: true, reason: '"1.5" matches \\frac{3}{2}.' }]);
      assert.match(r.script.challengerPrompts[1], /Too easy: the weak solver was right 2 of 4 times \(reference: \\frac\{1\}\{2\}\):\n {2}- "0\.5" matches/);
      assert.match(r.script.challengerPrompts[2], /Failed on the strong solver: the strong solver was right 2 of 4 times/);
      const verify = r.server.requests.find((x) => x.model === MODELS.quality)!.messages!.at(-1)!.content;
      assert.match(verify, /<rubric>\nFinal answer: \\frac\{1\}\{2\}\n<\/rubric>/);
    });
  });

  describe('legal', () => {
    const LEGAL: ScriptedQuestion = { weak: [0.3, 0.4, 0.5, 0.2, 0.6], strong: [0.8, 0.8, 0.9] };

    async function legalAttempt(q: ScriptedQuestion) {
      const w = await world([q], presetPatch('legal'));
      const ctx = w.ctx();
      const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
      const weak = await solve(ctx, 'weak', c.question);
      const strong = await solve(ctx, 'strong', c.question);
      await judge(ctx, c, weak);
      await judge(ctx, c, strong);
      return { w, c, weak, strong, verdict: await decideByLoopJudge(ctx, c, weak, strong) };
    }

    it('sets 5 weak and 3 strong rollouts, no early decisions, at most 15 rounds', () => {
      const c = applyDomainPreset(defaultEngineConfig(), 'legal');
      assert.deepEqual([c.rollouts, c.earlyDecisions, c.maxIterations, c.preset], [{ weak: 5, strong: 3 }, false, 15, 'legal']);
    });

    it('lets the loop judge decide from every rollout and its score, keeping its structured verdict', async () => {
      const a = await legalAttempt(LEGAL);
      assert.equal(a.verdict.kind, 'accepted');
      assert.equal(a.verdict.loop!.grpo_suitability, 'high');
      assert.match(a.verdict.loop!.weak_pattern, /Weak scores 0\.30, 0\.40, 0\.50, 0\.20, 0\.60/);
      assert.equal(a.verdict.strongMean, 0.833333333);
      const req = a.w.server.requests.find((x) => x.schemaName === 'loop_verdict')!;
      const text = req.messages!.at(-1)!.content;
      assert.equal((text.match(/<rollout solver="weak"/g) ?? []).length, 5);
      assert.equal((text.match(/<rollout solver="strong"/g) ?? []).length, 3);
      assert.match(text, /<rollout solver="strong" n="3" score="0\.90">\nSTRONG#2 answer to Q1/);
      assert.doesNotMatch(text, /Reference answer/);
    });

    it("sends too-easy items back with the judge's pattern and advice", async () => {
      const a = await legalAttempt({ weak: [0.8, 0.9, 0.7, 0.8, 0.9], strong: [1, 0.9, 0.9] });
      assert.equal(a.verdict.kind, 'too_easy');
      const text = feedbackFor({ challenge: a.c, verdict: a.verdict, weak: a.weak, strong: a.strong });
      assert.match(
        text,
        /^The loop judge asked for a better question: the loop judge asked for improvement \(too easy\); Fix the too easy\.\nWeak pattern: Weak scores 0\.80, 0\.90/,
      );
      assert.match(text, /GRPO suitability: low\./);
    });

    it('never accepts a case recap, even when the loop judge would', async () => {
      const said = await legalAttempt({ ...LEGAL, questionText: 'Recap the facts of the case and its holding.' });
      assert.equal(said.verdict.kind, 'quality_failed');
      assert.deepEqual(said.verdict.reasons, ['the question is a case recap, which is never accepted', 'Fix the case recap.']);
      const forced = await legalAttempt({ ...LEGAL, questionType: 'case recap', loop: { decision: 'accept', case_recap: false, problem: 'none' } });
      assert.equal(forced.verdict.kind, 'quality_failed', "the Challenger's own label is enough");
    });

    it('decides in code from the report: recap checks, problem kinds, means', () => {
      const loop: LoopVerdict = {
        weak_pattern: 'w',
        gap_interpretation: 'g',
        case_recap: false,
        grpo_suitability: 'medium',
        problem: 'no_separation',
        decision: 'improve',
        advice: 'Ask for a remedy.',
      };
      const q = { question: 'A client asks whether the clause binds them; advise.', questionType: 'application' };
      assert.deepEqual(legalVerdict(loop, q, [0.5, 0.5], [0.6, 0.6]), {
        kind: 'gap_too_small',
        reasons: ['the loop judge asked for improvement (no separation)', 'Ask for a remedy.'],
        weakMean: 0.5,
        strongMean: 0.6,
        gap: 0.1,
        loop,
      });
      assert.equal(legalVerdict({ ...loop, decision: 'accept', problem: 'none' }, q, [0.3], [0.8]).kind, 'accepted');
      assert.ok(isCaseRecap({ question: 'Summarize the holding of Smith v. Jones.', questionType: 'analysis' }));
      assert.ok(!isCaseRecap({ question: 'Would the holding of Smith v. Jones apply if the buyer had known?', questionType: 'application' }));
    });

    it('treats a loop judge reply that cannot be used as the grader failing, not the question', async () => {
      const w = await world([LEGAL], presetPatch('legal'));
      const ctx = w.ctx();
      const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
      const weak = await solve(ctx, 'weak', c.question);
      await judge(ctx, c, weak);
      const strong = await solve(ctx, 'strong', c.question);
      await judge(ctx, c, strong);
      w.server.failNext(2, { content: '{"decision": "maybe"}' });
      await assert.rejects(decideByLoopJudge(ctx, c, weak, strong), (e: unknown) => {
        assert.ok(e instanceof UnusableReplyError);
        assert.equal(e.role, 'judge');
        assert.match(e.message, /loop judge's reply could not be used/);
        return true;
      });
    });
  });
});

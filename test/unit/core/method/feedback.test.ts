// Feedback on every verdict path, from rollouts the scripted world wrote and graded: scores, the criteria met or missed
// with the judge's own reasons, and nothing that is not true of the attempt.
import assert from 'node:assert/strict';
import type { EngineConfig } from '../../../../src/core/config';
import { feedbackFor, personRejectedFeedback } from '../../../../src/core/feedback';
import { decide, decideFromWeak } from '../../../../src/core/policy';
import { measuredScores } from '../../../../src/core/record';
import { challenge, judge, solve } from '../../../../src/core/roles';
import type { Verdict } from '../../../../src/shared/schemas';
import type { ScriptedQuestion } from '../../../fakes/scripted-roles';
import { closeWorlds, EASY, GOOD, HARD, ofType, run, world } from './harness';

/** One attempt in the scripted world, decided as the engine decides it (the strong solver skipped on an early verdict). */
async function attempt(q: ScriptedQuestion, patch: Partial<EngineConfig> = {}, early = true) {
  const w = await world([q], patch);
  const ctx = w.ctx();
  const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
  const weak = await solve(ctx, 'weak', c.question);
  await judge(ctx, c, weak);
  const first = early ? decideFromWeak(w.config.policy, measuredScores(weak)) : undefined;
  if (first) {
    return { c, weak, strong: [], verdict: first, text: feedbackFor({ challenge: c, verdict: first, weak, strong: [] }) };
  }
  const strong = await solve(ctx, 'strong', c.question);
  await judge(ctx, c, strong);
  const verdict = decide(w.config.policy, measuredScores(weak), measuredScores(strong));
  return { c, weak, strong, verdict, text: feedbackFor({ challenge: c, verdict, weak, strong }) };
}

describe('method: feedback on every verdict path', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it("too easy: the weak scores, and the criteria the weak solver already meets with the judge's reasons", async () => {
    const a = await attempt(EASY);
    assert.equal(a.verdict.kind, 'too_easy');
    assert.match(
      a.text,
      /^Too easy: the weak solver scored mean 0\.93 \(rollouts: 0\.90, 0\.90, 1\.00\) \(the strong solver was not run\)\. weak mean 0\.933 > 0\.65/,
    );
    assert.match(
      a.text,
      /Criteria the weak solver already meets, with the judge's reasons:\n {2}- Criterion 1 of Q1: states q1-fact-1 \(met in 3 of 3 rollouts; judge: "The answer states q1-fact-1\."\)/,
    );
    assert.match(a.text, /- Criterion 9 of Q1/);
    assert.doesNotMatch(a.text, /Criterion 10 of Q1/, 'met by one rollout of three only');
    assert.doesNotMatch(a.text, /Fault/);
    assert.match(a.text, /Write an entirely new question from a different angle/);
  });

  it('failed on the strong solver: scores, gap, the criteria it missed and the faults it showed, with reasons', async () => {
    const a = await attempt({ ...HARD, faults: { strong: [1, 1, 0] } });
    assert.equal(a.verdict.kind, 'too_hard');
    assert.match(
      a.text,
      /^Failed on the strong solver: strong mean 0\.17 \(rollouts: 0\.10, 0\.20, 0\.20\), weak mean 0\.13, gap 0\.03\. strong mean 0\.167 < 0\.6/,
    );
    assert.match(
      a.text,
      /Criteria the strong solver missed, with the judge's reasons:\n[\s\S]*- Criterion 4 of Q1: states q1-fact-4 \(missed in 3 of 3 rollouts; judge: "The answer never states q1-fact-4\."\)/,
    );
    assert.doesNotMatch(a.text, /- Criterion 1 of Q1/, 'met by every strong rollout');
    assert.match(
      a.text,
      /Faults the strong solver showed:\n {2}- Fault 1 of Q1: claims q1-fault-1 \(met in 2 of 3 rollouts; judge: "The answer states q1-fault-1\."\)/,
    );
  });

  it('too hard for the weak solver with the strong solver skipped: says so, and nothing about a strong result', async () => {
    const a = await attempt({ weak: [0, 0.3, 0.4], strong: [0.8, 0.8, 0.9] });
    assert.equal(a.verdict.kind, 'too_hard');
    assert.equal(a.strong.length, 0);
    assert.match(
      a.text,
      /^Too hard for the weak solver: a weak rollout scored 0 \(no variance for training\) \(weak rollouts: 0\.00, 0\.30, 0\.40, mean 0\.23\); the strong solver was not run\./,
    );
    assert.match(
      a.text,
      /Criteria most weak rollouts missed, with the judge's reasons:\n[\s\S]*Criterion 5 of Q1: states q1-fact-5 \(missed in 3 of 3 rollouts/,
    );
    assert.doesNotMatch(a.text, /strong mean n\/a|criteria the strong solver missed|Failed on the strong solver/i);
  });

  it('too hard for the weak solver while the strong solver did fine: the strong mean, not a strong failure', async () => {
    const a = await attempt({ weak: [0, 0.3, 0.4], strong: [0.8, 0.8, 0.9] }, {}, false);
    assert.equal(a.verdict.kind, 'too_hard');
    assert.match(a.text, /^Too hard for the weak solver: a weak rollout scored 0 .*; the strong solver scored mean 0\.83\./);
    assert.doesNotMatch(a.text, /Failed on the strong solver|strong solver missed/);
  });

  it('not separated: the criteria both solvers met and both missed', async () => {
    const a = await attempt({ weak: [0.5, 0.5, 0.6], strong: [0.6, 0.6, 0.7] });
    assert.equal(a.verdict.kind, 'gap_too_small');
    assert.match(a.text, /^The solvers were not separated: weak mean 0\.53, strong mean 0\.63, gap 0\.10\./);
    assert.match(a.text, /Criteria both solvers met, with the judge's reasons \(weak rollouts\):\n {2}- Criterion 1 of Q1/);
    assert.doesNotMatch(a.text, /Criterion 6 of Q1/, 'the strong solver meets it and the weak mostly not: it separates them');
    assert.match(
      a.text,
      /Criteria both solvers missed, with the judge's reasons \(strong rollouts\):\n {2}- Criterion 7 of Q1: states q1-fact-7 \(missed in 2 of 3 rollouts[^\n]*\n {2}- Criterion 8 of Q1: states q1-fact-8 \(missed in 3 of 3 rollouts; judge: "The answer never states q1-fact-8\."\)/,
    );
  });

  it('no room for a gap on the weak result alone: too easy to separate, strong not run', async () => {
    const policy = { ...(await world([GOOD])).config.policy, weakMeanMax: 0.9, weakBestMax: 1 };
    const a = await attempt({ weak: [0.9, 0.8, 0.9], strong: [1, 1, 1] }, { policy });
    assert.equal(a.verdict.kind, 'gap_too_small');
    assert.match(
      a.text,
      /^Too easy to separate: weak mean 0\.867 leaves no room for a gap of 0\.2 \(weak rollouts: 0\.90, 0\.80, 0\.90\); the strong solver was not run\./,
    );
    assert.doesNotMatch(a.text, /strong mean/);
  });

  it('weak scores too alike (the learnability filter): the spread, and how to get one', async () => {
    const w = await world([GOOD]);
    const a = await attempt({ weak: [0.4, 0.4, 0.4], strong: [0.8, 0.8, 0.9] }, { policy: { ...w.config.policy, weakMinStd: 0.05 } });
    assert.equal(a.verdict.kind, 'low_spread');
    assert.match(
      a.text,
      /^The weak rollouts scored too alike to learn from \(rollouts: 0\.40, 0\.40, 0\.40; std dev 0\.00\)\. the weak rollouts' spread \(std dev 0\) is below 0\.05/,
    );
  });

  it("quality failed, near-duplicate, not measured, borderline, and a person's rejection", () => {
    const base = { weak: [], strong: [] };
    assert.equal(
      feedbackFor({ ...base, verdict: { kind: 'quality_failed', reasons: ['x'] }, quality: 'Asks for the exact table value (check: not trivia)' }),
      'The question failed the quality check: Asks for the exact table value (check: not trivia)\nWrite an entirely new question from a different angle: do not rephrase an earlier question.',
    );
    assert.match(
      feedbackFor({
        ...base,
        verdict: { kind: 'quality_failed', reasons: ['dup'] },
        duplicate: { id: 'old:s9.1', question: 'Q77: Why do local windows keep syntax?', similarity: 0.83 },
      }),
      /^The question is a near-duplicate \(similarity 0\.83\) of old:s9\.1: "Q77: Why do local windows keep syntax\?"\. Ask about another mechanism/,
    );
    assert.match(
      feedbackFor({ ...base, verdict: { kind: 'failed', reasons: ['only 1 of 3 weak rollouts could be measured (cut off at max_tokens)'] } }),
      /^The attempt could not be measured: only 1 of 3 weak rollouts could be measured/,
    );
    const near: Verdict = { kind: 'borderline', reasons: ['strong mean 0.567 < 0.6'], nearest: 'too_hard', weakMean: 0.3, strongMean: 0.567 };
    assert.equal(feedbackFor({ ...base, verdict: near }), 'Borderline: sent to a person for review (strong mean 0.567 < 0.6).');
    assert.equal(personRejectedFeedback('Hinges on an exact number.'), 'A person rejected the last question on this section: Hinges on an exact number.');
  });

  it('reaches the next Challenger through a real run when the strong solver was skipped', async () => {
    const r = await run([{ weak: [0, 0.3, 0.4], strong: [0.8, 0.8, 0.9] }, GOOD]);
    assert.equal(ofType(r.events, 'verdict')[0].strongSkipped, true);
    assert.match(r.script.challengerPrompts[1], /Too hard for the weak solver: a weak rollout scored 0/);
    assert.doesNotMatch(r.script.challengerPrompts[1], /strong mean n\/a|criteria the strong solver missed/i);
  });
});

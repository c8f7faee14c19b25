// Verification before the solvers (check by check, with novelty) and once more on an accepted item.
import assert from 'node:assert/strict';
import { feedbackFor } from '../../../../src/core/feedback';
import { challenge, checkQuality, verifyAccepted } from '../../../../src/core/roles';
import { reportFrom } from '../../../../src/core/verification';
import { MODELS } from '../../../fakes/scripted-roles';
import { closeWorlds, GOOD, ofType, run, world } from './harness';

const ALL_CHECKS = ['rubricShape', 'selfContained', 'answerable', 'notTrivia', 'noAnswerLeak', 'rubricGradesQuestion', 'newAngle'];

describe('method: verification', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it('reports every check with its reason, and shows the verifier the reference, the angle and the earlier questions', async () => {
    const w = await world([GOOD]);
    const c = await challenge(w.ctx(), { target: w.target, history: '', note: '', recipe: '' });
    const report = await checkQuality(w.ctx(), w.target, c, [{ question: 'Q0: An older question?', angle: 'window sizes' }]);
    assert.equal(report.pass, true);
    assert.deepEqual(
      report.checks!.map((x) => x.check),
      ALL_CHECKS,
    );
    assert.equal(report.checks![0].reason, '13 criteria: 10 positive, 3 negative, weights 1–1');
    const prompt = w.server.requests.find((r) => r.model === MODELS.quality)!.messages!.at(-1)!.content;
    assert.match(prompt, /<reference>\nReference answer for Q1/);
    assert.match(prompt, /<angle>\nangle 1\n<\/angle>/);
    assert.match(prompt, /<earlier>\nEarlier questions on this section:\n1\. Question: Q0: An older question\?\n {3}Angle: window sizes\n<\/earlier>/);
  });

  it('fails a question that repeats an earlier angle, with the reason the Challenger needs', async () => {
    const w = await world([GOOD]);
    const c = await challenge(w.ctx(), { target: w.target, history: '', note: '', recipe: '' });
    const report = await checkQuality(w.ctx(), w.target, c, [{ question: 'Q7: How do windows and global tokens share the work?', angle: 'angle 1' }]);
    assert.equal(report.pass, false);
    assert.deepEqual(
      report.checks!.filter((x) => !x.pass).map((x) => x.check),
      ['newAngle'],
    );
    assert.match(report.reason, /A rephrasing of earlier question 1 \("Q7: How do windows/);
    const text = feedbackFor({ challenge: c, verdict: { kind: 'quality_failed', reasons: [report.reason] }, weak: [], strong: [], quality: report.reason });
    assert.match(text, /^The question failed the quality check: A rephrasing of earlier question 1 .*\(check: new angle\)/);
    assert.equal((await checkQuality(w.ctx(), w.target, c, [])).pass, true, 'with no earlier question it is new');
  });

  it('catches a context that gives the answer away, before any solver runs', async () => {
    const r = await run([{ ...GOOD, leak: true }, GOOD]);
    const q = ofType(r.events, 'quality')[0].report;
    assert.equal(q.pass, false);
    assert.deepEqual(
      q.checks!.filter((x) => !x.pass).map((x) => x.check),
      ['noAnswerLeak'],
    );
    assert.equal(ofType(r.events, 'verdict')[0].verdict.kind, 'quality_failed');
    assert.equal(r.script.calls[MODELS.weak], 1, 'no solver ran for the leaking question');
    assert.match(r.script.challengerPrompts[1], /failed the quality check: The context gives away q1-fact-1, q1-fact-2 \(check: no answer leak\)/);
  });

  it('decides pass in code from the checks: one failed check fails the question', () => {
    const ok = { reason: 'fine', pass: true };
    const r = reportFrom({
      selfContained: ok,
      answerable: ok,
      notTrivia: { reason: "Asks for Table 2's exact value.", pass: false },
      noAnswerLeak: ok,
      rubricGradesQuestion: ok,
      newAngle: ok,
    });
    assert.equal(r.pass, false);
    assert.equal(r.reason, "Asks for Table 2's exact value (check: not trivia)");
  });

  it('verifies an accepted item again: local checks without a call, then every check', async () => {
    const w = await world([GOOD]);
    const c = await challenge(w.ctx(), { target: w.target, history: '', note: '', recipe: '' });
    const before = w.server.requests.length;
    const noQuote = await verifyAccepted(w.ctx(), w.target, c, undefined);
    assert.equal(noQuote.pass, false);
    assert.match(noQuote.reason, /source quote does not appear/);
    assert.equal(w.server.requests.length, before, 'no call for a local failure');
    const ok = await verifyAccepted(w.ctx(), w.target, c, { start: 0, end: 10 }, [{ question: 'Q9: Another one?', angle: 'costs' }]);
    assert.equal(ok.pass, true);
    assert.deepEqual(
      ok.checks!.map((x) => x.check),
      ALL_CHECKS,
    );
    const edited = { ...c, question: `${c.question} Hint: q1-fact-3.` };
    const leaked = await verifyAccepted(w.ctx(), w.target, edited, { start: 0, end: 10 });
    assert.match(leaked.reason, /gives away q1-fact-3/);
    assert.match(
      feedbackFor({
        challenge: edited,
        verdict: { kind: 'quality_failed', reasons: [leaked.reason] },
        weak: [],
        strong: [],
        quality: leaked.reason,
        final: true,
      }),
      /^The accepted item failed its final verification: The context gives away q1-fact-3/,
    );
  });
});

// The optional second judge: grades the same rollouts at once with the same prompt; an item whose two verdicts differ
// goes to review. The scripted second judge is stricter (it credits nothing in an answer that hedges with "probably"),
// so disagreement comes from the answers the solvers give, not from a script of verdicts.
import assert from 'node:assert/strict';
import { decide, decideFromWeak } from '../../../src/core/policy';
import { resumePoint } from '../../../src/core/resume';
import type { EngineEvent } from '../../../src/shared/events';
import { measuredScores } from '../../../src/core/record';
import { asSecondJudge, withSecondVerdict } from '../../../src/core/second-judge';
import { callOf } from '../../../src/shared/agreement';
import { DatasetRecord, type Verdict } from '../../../src/shared/schemas';
import { SECOND_JUDGE_MODEL, MODELS, type ScriptedQuestion } from '../../fakes/scripted-roles';
import { ofType, startRun, Worlds } from '../../fakes/scripted-run';

const PARTS = (names: string[]) =>
  names.map((x) => `# Part ${x}\n\n${`Part ${x} explains a distinct idea in enough words to stand alone as a section of the paper. `.repeat(6)}`).join('\n\n');
const DOC = { path: 'paper.md', text: PARTS(['A', 'B']) };

const HEDGE = 'This is probably right.';
const QUESTIONS: ScriptedQuestion[] = [
  // Q1: too hard for both judges (the second finds nothing in the hedged answers).
  { weak: [0.1, 0.2, 0.1], strong: [0.2, 0.3, 0.2], answerText: HEDGE },
  // Q2: too easy for both, from the weak answers alone.
  { weak: [0.9, 0.9, 1], strong: [1, 1, 1] },
  // Q3: the Judge accepts; the second judge credits none of the hedged answers: too hard.
  { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9], answerText: HEDGE },
  // Q4 (part B): both accept.
  { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] },
];

const verdict = (kind: Verdict['kind'], extra: Partial<Verdict> = {}): Verdict => ({ kind, reasons: [`${kind} reason`], ...extra });

describe('second judge: verdicts side by side', () => {
  it('keeps the first verdict, with the second beside it, when both make the same call', () => {
    const v = withSecondVerdict(verdict('too_easy', { weakMean: 0.9 }), verdict('too_hard', { weakMean: 0 }));
    assert.equal(v.kind, 'too_easy');
    assert.deepEqual(v.judges, { first: 'too_easy', second: 'too_hard', secondReasons: ['too_hard reason'], secondWeakMean: 0, disagree: false });
    assert.equal(withSecondVerdict(verdict('accepted'), verdict('accepted')).kind, 'accepted');
  });

  it('sends every differing call to review: accept/reject either way, and borderline against either', () => {
    for (const [a, b] of [
      ['accepted', 'too_hard'],
      ['gap_too_small', 'accepted'],
      ['borderline', 'accepted'],
      ['too_easy', 'borderline'],
    ] as const) {
      const v = withSecondVerdict(verdict(a, { weakMean: 0.4, strongMean: 0.8 }), verdict(b));
      assert.equal(v.kind, 'borderline', `${a} / ${b}`);
      assert.equal(v.judges?.disagree, true);
      assert.match(v.reasons[0], /^judges disagree: the Judge says .+, the second judge .+/);
      // The scores stay the Judge's; what the policy would have said without the second judge is kept.
      assert.equal(v.weakMean, 0.4);
      assert.equal(v.nearest, a === 'borderline' ? undefined : a);
    }
    assert.equal(withSecondVerdict(verdict('accepted'), undefined).judges, undefined);
  });
});

describe('second judge: a run', function () {
  this.timeout(30000);
  const worlds = new Worlds();
  afterEach(() => worlds.close());

  it('grades every rollout with both judges at once and flags exactly the items whose verdicts differ', async () => {
    const w = await worlds.world({ questions: QUESTIONS, secondJudge: true, latency: { judgeLatencyMs: 40 } });
    const h = startRun(w, { document: DOC });
    const summary = await h.run;
    assert.equal(summary.outcome, 'completed');

    // Same prompt, same rubric, same answers: as many second-judge calls as Judge calls.
    assert.ok(w.script.calls[MODELS.judge] > 0);
    assert.equal(w.script.calls[SECOND_JUDGE_MODEL], w.script.calls[MODELS.judge]);
    const requests = w.server.requests.filter((r) => r.model === MODELS.judge || r.model === SECOND_JUDGE_MODEL);
    const userOf = (r: (typeof requests)[number]) => r.messages?.find((m) => m.role === 'user')?.content;
    const asked = (model: string) =>
      requests
        .filter((r) => r.model === model)
        .map(userOf)
        .sort();
    assert.deepEqual(asked(SECOND_JUDGE_MODEL), asked(MODELS.judge), 'the second judge gets the very prompts the Judge gets');

    // At once, not after: in every attempt a second-judge request starts before the first Judge request ends.
    const attempts = ofType(h.events, 'attempt_started').map((e) => e.attemptId);
    for (const a of attempts) {
      const calls = h.events.filter((e) => (e.type === 'call_started' || e.type === 'call_finished') && e.attemptId === a);
      const firstEnd = calls.findIndex((e) => e.type === 'call_finished' && e.role === 'judge');
      const secondStart = calls.findIndex((e) => e.type === 'call_started' && e.role === 'judge2');
      assert.ok(firstEnd > 0 && secondStart >= 0 && secondStart < firstEnd, `attempt ${a}: the second judge starts before the Judge ends`);
    }

    // Every graded rollout carries the second judge's marks, one per criterion.
    const grades = ofType(h.events, 'grades');
    const rubricOf = new Map(ofType(h.events, 'challenge').map((c) => [c.attemptId, c.challenge.rubric.length]));
    for (const g of grades) {
      for (const r of g.rollouts) {
        assert.equal(r.judge2?.marks.length, rubricOf.get(g.attemptId));
      }
    }

    // The second judge's verdict, computed here from its scores in the grades events, against the flags the run set.
    const verdicts = ofType(h.events, 'verdict');
    const differs = new Set<string>();
    for (const v of verdicts) {
      const of = (solver: 'weak' | 'strong') =>
        measuredScores(asSecondJudge(grades.find((g) => g.attemptId === v.attemptId && g.solver === solver)?.rollouts ?? []));
      const policy = w.config.policy;
      const second = v.strongSkipped ? decideFromWeak(policy, of('weak')) : decide(policy, of('weak'), of('strong'));
      assert.ok(second, `attempt ${v.attemptId}: the second judge's weak result decides when the strong solver is skipped`);
      assert.equal(v.verdict.judges?.second, second.kind, `attempt ${v.attemptId}`);
      if (callOf(v.verdict.judges!.first) !== callOf(second.kind)) {
        differs.add(v.attemptId);
      }
    }
    const flagged = new Set(verdicts.filter((v) => v.verdict.judges?.disagree).map((v) => v.attemptId));
    assert.deepEqual([...flagged].sort(), [...differs].sort());
    const questionOf = new Map(ofType(h.events, 'challenge').map((c) => [c.attemptId, c.challenge.question.split(':')[0]]));
    assert.deepEqual(
      [...flagged].map((a) => questionOf.get(a)),
      ['Q3'],
      'only the question the Judge accepts and the second judge does not',
    );
    assert.deepEqual(
      verdicts.map((v) => [questionOf.get(v.attemptId), v.verdict.judges?.first, v.verdict.judges?.second]),
      [
        ['Q1', 'too_hard', 'too_hard'],
        ['Q2', 'too_easy', 'too_easy'],
        ['Q3', 'accepted', 'too_hard'],
        ['Q4', 'accepted', 'accepted'],
      ],
    );

    // The flagged item waits for a person with both verdicts; it is never accepted on the Judge's word.
    const review = ofType(h.events, 'review_needed');
    assert.deepEqual(
      review.map((e) => questionOf.get(e.attemptId)),
      ['Q3'],
    );
    const rec = DatasetRecord.parse(review[0].record);
    assert.deepEqual([rec.judges?.first, rec.judges?.second, rec.judges?.disagree], ['accepted', 'too_hard', true]);
    assert.equal(rec.decision.borderline, true);
    assert.equal(rec.models.judge2, SECOND_JUDGE_MODEL);
    assert.deepEqual(
      summary.accepted.map((r) => r.question.split(':')[0]),
      ['Q4'],
    );
  });

  it("keeps the second judge's grades across a resume: graded answers are neither asked for nor graded again", async () => {
    const w = await worlds.world({ questions: [QUESTIONS[2]], secondJudge: true });
    const document = { path: 'p.md', text: PARTS(['A']) };
    const journal: EngineEvent[] = [];
    const first = await startRun(w, {
      runId: 'r',
      document,
      onEvent: (e, orch) => {
        journal.push(e);
        if (e.type === 'grades' && e.solver === 'weak') {
          orch.stop();
        }
      },
    }).run;
    assert.equal(first.outcome, 'stopped');
    const before = w.server.requests.length;
    const point = resumePoint(journal);
    assert.ok(
      point.pending.get('s1')?.weak?.every((r) => r.judge2?.score === 0),
      "the journal holds the second judge's weak grades",
    );
    const second = await startRun(w, { runId: 'r', document, resume: point, onEvent: (e) => journal.push(e) }).run;
    assert.equal(second.outcome, 'completed');
    const again = w.server.requests.slice(before).map((r) => r.model);
    // Only the strong side: its rollouts (one request with n), then both judges on each of the three answers.
    assert.deepEqual(
      [...again].sort(),
      [MODELS.judge, MODELS.judge, MODELS.judge, MODELS.quality, MODELS.strong, SECOND_JUDGE_MODEL, SECOND_JUDGE_MODEL, SECOND_JUDGE_MODEL].sort(),
    );
    const v = ofType(journal, 'verdict').at(-1)!.verdict;
    assert.deepEqual([v.kind, v.judges?.first, v.judges?.second, v.judges?.secondWeakMean], ['borderline', 'accepted', 'too_hard', 0]);
    assert.equal(second.review.length, 1);
  });

  it('is off when not configured: no second-judge request, no second verdict', async () => {
    const w = await worlds.world({ questions: QUESTIONS });
    const h = startRun(w, { document: DOC });
    const summary = await h.run;
    assert.equal(w.script.calls[SECOND_JUDGE_MODEL] ?? 0, 0);
    assert.ok(ofType(h.events, 'verdict').every((v) => v.verdict.judges === undefined));
    // Without the second judge, the hedged Q3 is accepted on the Judge's grades alone.
    assert.deepEqual(
      summary.accepted.map((r) => r.question.split(':')[0]),
      ['Q3', 'Q4'],
    );
  });
});

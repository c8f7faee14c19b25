// The panel's Calibration numbers, folded from a run's events as the store folds them: each judge against the person's
// review decisions (count, rate, Wilson 95% interval) and Cohen's κ between the judges per criterion. Expected values
// are worked by hand in the comments.
import assert from 'node:assert/strict';
import { EngineEvent, type EventBody } from '../../../src/shared/events';
import type { Challenge, CriterionMark, DatasetRecord, JudgesVerdicts, Rollout } from '../../../src/shared/schemas';
import { POLICY_PRESETS } from '../../../src/shared/thresholds';
import { HostMessage } from '../../../src/protocol';
import { calibration } from '../../../webview/calibration-data';
import { kappaWord } from '../../../webview/calibration';
import { initialState, reduce, reviewQueue, type PanelState } from '../../../webview/store';
import { panelRun, SHA, Stamper } from '../../bench/panel-render.fixtures';

const RUN_ID = 'run-cal';
const close = (a: number | undefined, b: number, tol = 1e-4) => assert.ok(a !== undefined && Math.abs(a - b) < tol, `${a} ≠ ${b}`);

const CHALLENGE: Challenge = {
  question: 'Why does sparse attention lose long-range dependencies?',
  questionType: 'explanation',
  skills: ['reasoning'],
  angle: 'an angle',
  referenceAnswer: 'The reference.',
  rubric: [
    { criterion: 'Names the mechanism', weight: 5, negative: false },
    { criterion: 'Gives an example', weight: 2, negative: false },
  ],
  sourceQuote: 'a quote',
};

const mark = (criterion: number, met: boolean): CriterionMark => ({ criterion, met, reason: 'r' });

/**
 * Ten rollouts' marks as (Judge, second judge) pairs. Criterion 1: both met 4, Judge only 1, second only 2, neither 3 —
 * Wikipedia's 20/5/10/15 table scaled by 1/5, so κ = 0.4. Criterion 2: the judges agree on all ten (6 met, 4 not): κ = 1.
 */
const C1: Array<[boolean, boolean]> = [
  ...Array.from({ length: 4 }, () => [true, true] as [boolean, boolean]),
  [true, false],
  [false, true],
  [false, true],
  [false, false],
  [false, false],
  [false, false],
];
const C2: Array<[boolean, boolean]> = Array.from({ length: 10 }, (_, i) => [i < 6, i < 6] as [boolean, boolean]);

function rolloutsOf(solver: 'weak' | 'strong', offset: number, n: number): Rollout[] {
  return Array.from({ length: n }, (_, index) => {
    const i = offset + index;
    const first = [mark(1, C1[i][0]), mark(2, C2[i][0])];
    const second = [mark(1, C1[i][1]), mark(2, C2[i][1])];
    return { solver, index, answer: `answer ${i}`, score: 0.5, marks: first, judge2: { score: 0.5, marks: second } };
  });
}

function record(attemptId: string, judges?: JudgesVerdicts): DatasetRecord {
  return {
    id: `${RUN_ID}:${attemptId}`,
    createdAt: '2026-06-30T09:00:00.000Z',
    question: CHALLENGE.question,
    questionType: 'explanation',
    skills: [],
    rubric: CHALLENGE.rubric,
    referenceAnswer: 'The reference.',
    source: { path: '/w/paper.md', sha256: SHA, range: { start: 0, end: 5 }, quote: 'a quote' },
    scores: { weak: { mean: 0.3, rollouts: [0.3] }, strong: { mean: 0.8, rollouts: [0.8] }, gap: 0.5 },
    decision: { by: 'policy', borderline: true },
    iterations: 1,
    models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j', ...(judges ? { judge2: 'j2' } : {}) },
    runId: RUN_ID,
    promptVersion: 'p1',
    ...(judges ? { judges } : {}),
  };
}

const judges = (first: JudgesVerdicts['first'], second: JudgesVerdicts['second']): JudgesVerdicts => ({
  first,
  second,
  secondReasons: [],
  disagree: true,
});

/** A run's events: four items sent to review, their rollouts graded by both judges (the first two), then decided. */
function runEvents(opts: { secondJudge: boolean }): EngineEvent[] {
  const s = new Stamper(RUN_ID);
  const out: EngineEvent[] = [];
  const emit = (...bodies: EventBody[]) => out.push(...bodies.map((b) => EngineEvent.parse(s.stamp(b))));
  emit({
    type: 'run_started',
    document: { path: '/w/paper.md', sha256: SHA, length: 900 },
    targets: ['s1', 's2', 's3', 's4'].map((id, i) => ({ id, title: id, range: { start: i * 10, end: i * 10 + 9 } })),
    models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j', ...(opts.secondJudge ? { judge2: 'j2' } : {}) },
    promptVersion: 'p1',
    mode: 'run',
    policy: POLICY_PRESETS.paperAppendix,
    solveOrder: 'cost',
  });
  const items: Array<[string, JudgesVerdicts]> = [
    ['s1', judges('accepted', 'too_hard')],
    ['s2', judges('borderline', 'accepted')],
    ['s3', judges('too_easy', 'accepted')],
    ['s4', judges('accepted', 'borderline')],
  ];
  items.forEach(([targetId, j], k) => {
    const attemptId = `${targetId}.1`;
    emit({ type: 'attempt_started', targetId, attemptId, iteration: 1 }, { type: 'challenge', attemptId, challenge: CHALLENGE });
    if (opts.secondJudge && k < 2) {
      emit(
        { type: 'grades', attemptId, solver: 'weak', rollouts: rolloutsOf('weak', k * 5, 3), mean: 0.5 },
        { type: 'grades', attemptId, solver: 'strong', rollouts: rolloutsOf('strong', k * 5 + 3, 2), mean: 0.5 },
      );
    }
    const rec = record(attemptId, opts.secondJudge ? j : undefined);
    emit(
      {
        type: 'verdict',
        attemptId,
        targetId,
        verdict: { kind: 'borderline', reasons: ['near'], ...(opts.secondJudge ? { judges: j } : {}) },
        strongSkipped: false,
        usage: {},
      },
      { type: 'review_needed', attemptId, record: rec },
    );
  });
  // The person: approves s1, rejects s2 and s3, edits then approves s4 (seq 0: written by the host).
  const decide = (targetId: string, decision: 'approved' | 'rejected', edited = false): EngineEvent => {
    const attemptId = `${targetId}.1`;
    const rec = out.find((e): e is Extract<EngineEvent, { type: 'review_needed' }> => e.type === 'review_needed' && e.attemptId === attemptId)!.record;
    return EngineEvent.parse({
      type: 'review_decision',
      runId: RUN_ID,
      seq: 0,
      at: '2026-06-30T10:00:00.000Z',
      attemptId,
      targetId,
      decision,
      ...(decision === 'approved'
        ? { record: { ...rec, decision: { by: 'human', borderline: true, ...(edited ? { note: 'edited before approval' } : {}) } } }
        : { reason: 'no' }),
    });
  };
  out.push(decide('s1', 'approved'), decide('s2', 'rejected'), decide('s3', 'rejected'), decide('s4', 'approved', true));
  return out;
}

function fold(events: EngineEvent[]): PanelState {
  const state = initialState();
  reduce(state, HostMessage.parse({ type: 'reset', run: panelRun(RUN_ID) }));
  reduce(state, HostMessage.parse({ type: 'events', events }));
  return state;
}

describe('panel calibration', () => {
  it("counts each judge's agreement with the person's decisions, with a Wilson 95% interval", () => {
    const c = calibration(fold(runEvents({ secondJudge: true })));
    assert.equal(c.labels, 4);
    const [first, second] = c.judges;
    // The Judge: accepted s1 (approved: agrees), borderline s2 (left to the person), too easy s3 (rejected: agrees),
    // accepted s4 (edited then approved: agrees). 3 of 3; Wilson low = 3 / (3 + 1.96²) = 0.43849, high 1.
    assert.deepEqual([first.judge, first.model, first.agree?.count, first.agree?.of, first.undecided], ['judge', 'j', 3, 3, 1]);
    close(first.agree?.rate, 1);
    close(first.agree?.low, 3 / (3 + 3.8416));
    close(first.agree?.high, 1);
    // The second judge: too hard s1 (approved), accepted s2 and s3 (both rejected), borderline s4. 0 of 3; Wilson high
    // = 1.96² / (3 + 1.96²) = 0.56150.
    assert.deepEqual([second.judge, second.model, second.agree?.count, second.agree?.of, second.undecided], ['judge2', 'j2', 0, 3, 1]);
    close(second.agree?.low, 0);
    close(second.agree?.high, 3.8416 / 6.8416);
    // Nothing is left in the review queue.
    assert.equal(reviewQueue(fold(runEvents({ secondJudge: true }))).length, 0);
  });

  it("gives Cohen's κ between the judges per criterion and over all criteria", () => {
    const { kappa } = calibration(fold(runEvents({ secondJudge: true })));
    assert.deepEqual(
      kappa.map((k) => [k.criterion, k.pairs, k.same]),
      [
        [1, 10, 7],
        [2, 10, 10],
        ['all', 20, 17],
      ],
    );
    // Criterion 1: pₒ 0.7, pₑ 0.5·0.6 + 0.5·0.4 = 0.5, κ 0.4. Criterion 2: κ 1.
    close(kappa[0].kappa, 0.4);
    close(kappa[1].kappa, 1);
    // All: pₒ = 17/20 = 0.85; the Judge marks met 11/20, the second judge 12/20: pₑ = 0.55·0.6 + 0.45·0.4 = 0.51;
    // κ = 0.34 / 0.49 = 0.69388.
    close(kappa[2].kappa, 0.34 / 0.49);
    assert.deepEqual(
      [kappaWord(0.4), kappaWord(0.69), kappaWord(1), kappaWord(-0.1), kappaWord(undefined)],
      ['fair', 'substantial', 'almost perfect', 'worse than chance', 'cannot be told (one mark throughout)'],
    );
  });

  it('keeps the same numbers when the panel is reloaded from the journal, decisions arriving in the same order', () => {
    const events = runEvents({ secondJudge: true });
    const live = fold(events);
    // A reload replays the journal: here in slices, as the host posts a long one.
    const replayed = initialState();
    reduce(replayed, HostMessage.parse({ type: 'reset', run: panelRun(RUN_ID) }));
    for (let i = 0; i < events.length; i += 3) {
      reduce(replayed, HostMessage.parse({ type: 'events', events: events.slice(i, i + 3) }));
    }
    assert.deepEqual(calibration(replayed), calibration(live));
  });

  it('without a second judge: only the Judge, whose borderline items are all left to the person, and no κ', () => {
    const c = calibration(fold(runEvents({ secondJudge: false })));
    assert.equal(c.labels, 4);
    assert.deepEqual(
      c.judges.map((j) => [j.judge, j.agree, j.undecided]),
      [['judge', undefined, 4]],
    );
    assert.deepEqual(c.kappa, []);
  });
});

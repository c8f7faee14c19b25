// The panel's view model: what each engine event does to the attempts, the counters, the review queue and the run state.
import assert from 'node:assert/strict';
import { POLICY_PRESETS } from '../../../src/shared/thresholds';
import { EngineEvent, type EventBody } from '../../../src/shared/events';
import type { Challenge, Rollout, Verdict } from '../../../src/shared/schemas';
import { HostMessage } from '../../../src/protocol';
import {
  attemptsByTarget,
  canEditChallenge,
  counters,
  initialState,
  meansOf,
  orderedAttempts,
  reduce,
  reviewQueue,
  runState,
  scatterPoint,
  statusOf,
  targetOutcome,
  thresholdsOf,
  waitingFor,
  type PanelState,
} from '../../../webview/store';
import { callsInFlight, waited } from '../../../webview/in-flight';
import { proposalOutcome, proposalSummary } from '../../../webview/recipe-evolution';
import { extraAttempt, generateRun, panelRun, SHA, showcaseRun, Stamper } from '../../bench/panel-render.fixtures';

const RUN_ID = 'run-test';
const thresholds = POLICY_PRESETS.paperAppendix;

function challenge(question: string): Challenge {
  return {
    question,
    questionType: 'explanation',
    skills: ['reasoning'],
    angle: 'an angle',
    referenceAnswer: 'The reference.',
    rubric: [
      { criterion: 'Names the mechanism', weight: 5, negative: false },
      { criterion: 'Pads the answer', weight: 2, negative: true },
    ],
    sourceQuote: 'a quote from the section',
  };
}

function rollouts(solver: 'weak' | 'strong', scores: Array<number | string>): Rollout[] {
  return scores.map((s, index) =>
    typeof s === 'string'
      ? { solver, index, answer: 'cut', failure: s }
      : { solver, index, answer: `answer ${index}`, score: s, marks: [{ criterion: 1, met: s > 0.5, reason: 'because' }] },
  );
}

/** A journal-like stream: each body is stamped and checked against the engine's schema, so the tests stay honest. */
class Stream {
  private readonly s = new Stamper(RUN_ID);
  readonly state: PanelState = initialState();
  constructor() {
    this.host({ type: 'reset', run: panelRun(RUN_ID, thresholds) });
  }

  host(msg: unknown) {
    return reduce(this.state, HostMessage.parse(msg));
  }

  emit(...bodies: EventBody[]) {
    const events = bodies.map((b) => EngineEvent.parse(this.s.stamp(b)));
    return this.host({ type: 'events', events });
  }

  started(
    targets: Array<{ id: string; title: string }> = [
      { id: 's1', title: '1 Intro' },
      { id: 's2', title: '2 Method' },
    ],
  ) {
    this.emit({
      type: 'run_started',
      document: { path: '/w/paper.md', sha256: SHA, length: 9000 },
      targets: targets.map((t, i) => ({ ...t, range: { start: i * 100, end: i * 100 + 99 } })),
      models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
      promptVersion: 'p1',
      mode: 'run',
      policy: thresholds,
      solveOrder: 'cost',
    });
  }

  /** One attempt through to its verdict (weak then strong, as the cost order does). */
  attempt(targetId: string, iteration: number, weak: number[], strong: number[] | undefined, verdict: Verdict) {
    const attemptId = `${targetId}.${iteration}`;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    this.emit(
      { type: 'attempt_started', targetId, attemptId, iteration },
      { type: 'challenge', attemptId, challenge: challenge(`Question ${attemptId}`), quoteRange: { start: 10, end: 30 } },
      { type: 'quality', attemptId, report: { pass: true, reason: 'fine' } },
      { type: 'rollouts', attemptId, solver: 'weak', rollouts: rollouts('weak', weak).map(({ score: _s, marks: _m, ...r }) => r) },
      { type: 'grades', attemptId, solver: 'weak', rollouts: rollouts('weak', weak), mean: mean(weak) },
    );
    if (strong) {
      this.emit(
        { type: 'rollouts', attemptId, solver: 'strong', rollouts: rollouts('strong', strong).map(({ score: _s, marks: _m, ...r }) => r) },
        { type: 'grades', attemptId, solver: 'strong', rollouts: rollouts('strong', strong), mean: mean(strong) },
      );
    }
    this.emit({ type: 'verdict', attemptId, targetId, verdict, strongSkipped: !strong, usage: {} });
    return attemptId;
  }
}

function record(attemptId: string, iterations: number, borderline = false) {
  return {
    id: `${RUN_ID}:${attemptId}`,
    createdAt: '2026-06-30T10:00:00.000Z',
    question: `Question ${attemptId}`,
    questionType: 'explanation',
    skills: [],
    rubric: [{ criterion: 'Names the mechanism', weight: 5, negative: false }],
    referenceAnswer: 'The reference.',
    source: { path: '/w/paper.md', sha256: SHA, range: { start: 10, end: 30 }, quote: 'a quote from the section' },
    scores: { weak: { mean: 0.3, rollouts: [0.3] }, strong: { mean: 0.8, rollouts: [0.8] }, gap: 0.5 },
    decision: { by: 'policy' as const, borderline },
    iterations,
    models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
    runId: RUN_ID,
    promptVersion: 'p1',
  };
}

describe('webview store', () => {
  it('shows an accepted attempt above the rejected one of its target, with counters and means', () => {
    const s = new Stream();
    s.started();
    s.emit({ type: 'target_started', targetId: 's1' });
    const first = s.attempt('s1', 1, [0.8, 0.9, 0.85], undefined, { kind: 'too_easy', reasons: ['weak mean 0.85 > 0.65'], weakMean: 0.85 });
    s.emit({ type: 'feedback', attemptId: first, targetId: 's1', text: 'Too easy: ask for a derivation.' });
    const second = s.attempt('s1', 2, [0.3, 0.4, 0.5], [0.8, 0.7, 0.9], { kind: 'accepted', reasons: [], weakMean: 0.4, strongMean: 0.8, gap: 0.4 });
    s.emit(
      { type: 'item_accepted', attemptId: second, record: record(second, 2) },
      { type: 'target_finished', targetId: 's1', outcome: 'accepted', iterations: 2 },
    );
    s.emit({ type: 'target_started', targetId: 's2' });
    const third = s.attempt('s2', 1, [0.2, 0.2, 0.3], [0.3, 0.2, 0.3], {
      kind: 'too_hard',
      reasons: ['strong mean 0.27 < 0.6'],
      weakMean: 0.23,
      strongMean: 0.27,
      gap: 0.04,
    });

    const groups = attemptsByTarget(s.state);
    assert.deepEqual(
      groups.map((g) => g.target.id),
      ['s2', 's1'],
      'the newest target first',
    );
    assert.deepEqual(
      groups[1].attempts.map((a) => a.id),
      [second, first],
      'the newest attempt first',
    );
    assert.equal(groups[1].target.title, '1 Intro');
    assert.deepEqual(
      orderedAttempts(s.state).map((a) => a.id),
      [third, second, first],
    );
    assert.equal(targetOutcome(s.state, groups[1].target), 'accepted');
    assert.equal(targetOutcome(s.state, groups[0].target), 'running');

    const c = counters(s.state);
    assert.equal(c.attempts, 3);
    assert.equal(c.accepted, 1);
    assert.equal(c.inReview, 0);
    assert.deepEqual(c.rejected, { too_easy: 1, too_hard: 1, gap_too_small: 0, low_spread: 0, quality_failed: 0, failed: 0 });
    assert.equal(c.meanIterations, 2);
    // 1 accepted of 3 decided (the running attempt is not decided): Wilson 95% 0.0615..0.7923.
    assert.equal(c.acceptance?.decided, 3);
    assert.ok(Math.abs(c.acceptance!.rate - 1 / 3) < 1e-9);
    assert.ok(Math.abs(c.acceptance!.low - 0.0615) < 5e-4 && Math.abs(c.acceptance!.high - 0.7923) < 5e-4, JSON.stringify(c.acceptance));

    const acc = s.state.attempts.get(second)!;
    assert.deepEqual(meansOf(acc), { weak: 0.4, strong: 0.8, gap: 0.4 });
    assert.equal(statusOf(acc), 'accepted');
    assert.equal(s.state.attempts.get(first)!.feedback, 'Too easy: ask for a derivation.');
    assert.equal(statusOf(s.state.attempts.get(first)!), 'too_easy');
  });

  it('puts a borderline item in the review queue until a person decides', () => {
    const s = new Stream();
    s.started();
    const id = s.attempt('s2', 1, [0.3, 0.3, 0.3], [0.58, 0.58, 0.58], {
      kind: 'borderline',
      reasons: ['strong mean 0.58 < 0.6'],
      nearest: 'too_hard',
      weakMean: 0.3,
      strongMean: 0.58,
      gap: 0.28,
    });
    const ch = s.emit(
      { type: 'review_needed', attemptId: id, record: record(id, 1, true) },
      { type: 'target_finished', targetId: 's2', outcome: 'review', iterations: 1 },
    );
    assert.ok(ch.review, 'the change names the review queue');
    assert.deepEqual(
      reviewQueue(s.state).map((a) => a.id),
      [id],
    );
    assert.equal(counters(s.state).inReview, 1);
    assert.equal(counters(s.state).acceptance, undefined, 'an item in review is not decided');
    assert.equal(targetOutcome(s.state, s.state.targets.get('s2')!), 'review');

    s.emit({ type: 'review_decision', attemptId: id, targetId: 's2', decision: 'rejected', reason: 'Hinges on a table value.' });
    assert.deepEqual(reviewQueue(s.state), []);
    const a = s.state.attempts.get(id)!;
    assert.deepEqual(a.review, { decision: 'rejected', reason: 'Hinges on a table value.', record: undefined });
    assert.equal(statusOf(a), 'rejected_by_you');
    assert.equal(counters(s.state).inReview, 0);
    assert.equal(counters(s.state).rejectedByYou, 1);
    assert.deepEqual(counters(s.state).acceptance, { decided: 1, rate: 0, low: 0, high: counters(s.state).acceptance!.high });
    assert.equal(targetOutcome(s.state, s.state.targets.get('s2')!), 'rejected');
  });

  it('leaves an attempt that did not count (the grader failed, not the question) out of the counts and the acceptance rate', () => {
    const s = new Stream();
    s.started();
    s.attempt('s1', 1, [0.3, 0.3, 0.3], undefined, { kind: 'failed', reasons: ["not counted: the judge's grades could not be used"], uncounted: true });
    s.attempt('s1', 2, [0.9, 0.9, 1], undefined, { kind: 'too_easy', reasons: ['weak mean 0.93'] });
    const c = counters(s.state);
    assert.equal(c.rejected.failed, 0);
    assert.equal(c.rejected.too_easy, 1);
    assert.equal(c.acceptance?.decided, 1, 'only the counted attempt is decided');
  });

  it('counts an approved borderline item as accepted, with its iterations', () => {
    const s = new Stream();
    s.started();
    s.attempt('s1', 1, [0.9, 0.9, 0.9], undefined, { kind: 'too_easy', reasons: ['x'], weakMean: 0.9 });
    s.attempt('s1', 2, [0.9, 0.9, 0.9], undefined, { kind: 'too_easy', reasons: ['x'], weakMean: 0.9 });
    const id = s.attempt('s1', 3, [0.3, 0.3, 0.3], [0.58, 0.58, 0.58], { kind: 'borderline', reasons: ['near'], weakMean: 0.3, strongMean: 0.58, gap: 0.28 });
    s.emit({ type: 'review_needed', attemptId: id, record: record(id, 3, true) });
    assert.equal(counters(s.state).meanIterations, undefined, 'none accepted yet');
    s.emit({
      type: 'review_decision',
      attemptId: id,
      targetId: 's1',
      decision: 'approved',
      record: { ...record(id, 3, true), decision: { by: 'human', borderline: true } },
    });
    const c = counters(s.state);
    assert.equal(c.accepted, 1);
    assert.equal(c.meanIterations, 3);
    assert.equal(statusOf(s.state.attempts.get(id)!), 'approved');
  });

  it('replaces the shown question with an edited challenge and keeps the quote range while the quote is unchanged', () => {
    const s = new Stream();
    s.started();
    s.emit(
      { type: 'attempt_started', targetId: 's1', attemptId: 's1.1', iteration: 1 },
      { type: 'challenge', attemptId: 's1.1', challenge: challenge('Original?'), quoteRange: { start: 5, end: 9 } },
    );
    const before = s.state.attempts.get('s1.1')!.challenge;
    s.emit({ type: 'challenge', attemptId: 's1.1', challenge: challenge('Edited by a person?'), edited: true });
    const a = s.state.attempts.get('s1.1')!;
    assert.equal(a.challenge!.question, 'Edited by a person?');
    assert.notEqual(a.challenge, before, 'a new object, so the card redraws');
    assert.equal(a.edited, true);
    assert.deepEqual(a.quoteRange, { start: 5, end: 9 });
    s.emit({ type: 'challenge', attemptId: 's1.1', challenge: { ...challenge('Edited again'), sourceQuote: 'another passage' }, edited: true });
    assert.equal(s.state.attempts.get('s1.1')!.quoteRange, undefined, 'a changed quote has no known range');
  });

  it('accumulates streamed text per rollout, then replaces it with the final rollouts', () => {
    const s = new Stream();
    s.started();
    s.emit({ type: 'attempt_started', targetId: 's1', attemptId: 's1.1', iteration: 1 });
    s.host({ type: 'delta', attemptId: 's1.1', solver: 'weak', index: 0, text: 'The ' });
    s.host({ type: 'delta', attemptId: 's1.1', solver: 'weak', index: 2, text: 'Third ' });
    const ch = s.host({ type: 'delta', attemptId: 's1.1', solver: 'weak', index: 0, text: 'answer' });
    assert.ok(ch.attempts.has('s1.1'));
    let weak = s.state.attempts.get('s1.1')!.weak;
    assert.equal(weak.streaming, true);
    assert.deepEqual(
      weak.rollouts.map((r) => [r.answer, r.live]),
      [
        ['The answer', true],
        ['', true],
        ['Third ', true],
      ],
    );

    s.emit({
      type: 'rollouts',
      attemptId: 's1.1',
      solver: 'weak',
      rollouts: [
        { solver: 'weak', index: 0, answer: 'The answer, final.' },
        { solver: 'weak', index: 1, answer: 'Second.' },
        { solver: 'weak', index: 2, answer: 'x', failure: 'cut off at max_tokens' },
      ],
    });
    weak = s.state.attempts.get('s1.1')!.weak;
    assert.equal(weak.streaming, false);
    assert.deepEqual(
      weak.rollouts.map((r) => [r.answer, r.live, r.failure]),
      [
        ['The answer, final.', false, undefined],
        ['Second.', false, undefined],
        ['x', false, 'cut off at max_tokens'],
      ],
    );
    s.host({ type: 'delta', attemptId: 's1.1', solver: 'weak', index: 0, text: ' late' });
    assert.equal(s.state.attempts.get('s1.1')!.weak.rollouts[0].answer, 'The answer, final.', 'a late delta is ignored');
  });

  it('keeps the latest usage totals per role (prompt + completion), from usage, verdict and run_finished events', () => {
    const s = new Stream();
    s.started();
    s.emit(
      { type: 'usage', role: 'challenger', totals: { promptTokens: 1000, completionTokens: 200, calls: 1 } },
      { type: 'usage', role: 'challenger', totals: { promptTokens: 11_000, completionTokens: 1300, calls: 2 } },
      { type: 'usage', role: 'weak', totals: { promptTokens: 500, completionTokens: 4500, calls: 1 }, cost: 0.0123 },
    );
    let c = counters(s.state);
    assert.deepEqual(c.tokens, { challenger: 12_300, weak: 5000 });
    assert.equal(c.totalTokens, 17_300);
    assert.equal(c.cost, 0.0123);
    s.emit({
      type: 'run_finished',
      outcome: 'completed',
      accepted: 0,
      review: 0,
      attempts: 0,
      usage: { challenger: { promptTokens: 11_000, completionTokens: 1300, calls: 2 }, judge: { promptTokens: 9000, completionTokens: 1000, calls: 3 } },
    });
    c = counters(s.state);
    assert.deepEqual(c.tokens, { challenger: 12_300, weak: 5000, judge: 10_000 });
  });

  it('places an attempt whose strong rollouts were skipped on the x axis', () => {
    const s = new Stream();
    s.started();
    const skipped = s.attempt('s1', 1, [0.9, 0.8, 0.85], undefined, { kind: 'too_easy', reasons: ['x'], weakMean: 0.85 });
    const full = s.attempt('s1', 2, [0.3, 0.4, 0.5], [0.8, 0.7, 0.9], { kind: 'accepted', reasons: [], weakMean: 0.4, strongMean: 0.8, gap: 0.4 });
    const a = s.state.attempts.get(skipped)!;
    assert.equal(a.strongSkipped, true);
    assert.equal(meansOf(a).strong, undefined);
    assert.deepEqual(scatterPoint(a), { id: skipped, x: 0.85, y: 0, skipped: true, status: 'too_easy' });
    assert.deepEqual(scatterPoint(s.state.attempts.get(full)!), { id: full, x: 0.4, y: 0.8, skipped: false, status: 'accepted' });
    s.emit({ type: 'attempt_started', targetId: 's2', attemptId: 's2.1', iteration: 1 });
    assert.equal(scatterPoint(s.state.attempts.get('s2.1')!), undefined, 'nothing to plot before the weak grades');
  });

  it('follows the run state and what the engine waits for', () => {
    const s = new Stream();
    assert.equal(runState(initialState()), 'idle');
    assert.equal(runState(s.state), 'running', 'a fresh run in run mode');
    s.host({ type: 'reset', run: panelRun(RUN_ID, thresholds, { mode: 'step' }) });
    assert.equal(runState(s.state), 'stepping');
    s.started();
    s.emit({ type: 'attempt_started', targetId: 's1', attemptId: 's1.1', iteration: 1 }, { type: 'waiting', attemptId: 's1.1', next: 'challenge' });
    assert.deepEqual(waitingFor(s.state), { next: 'challenge', attemptId: 's1.1', seq: s.state.lastSeq });
    assert.equal(canEditChallenge(s.state, 's1.1'), false, 'nothing to edit before the challenge');
    s.emit({ type: 'challenge', attemptId: 's1.1', challenge: challenge('Q?') }, { type: 'waiting', attemptId: 's1.1', next: 'quality' });
    assert.equal(waitingFor(s.state)?.next, 'quality');
    assert.equal(canEditChallenge(s.state, 's1.1'), true);
    s.emit({ type: 'challenge', attemptId: 's1.1', challenge: challenge('Edited?'), edited: true }, { type: 'note', text: 'harder please', targetId: 's1' });
    assert.equal(waitingFor(s.state)?.next, 'quality', 'an edit and a note do not move the engine on');
    assert.deepEqual(s.state.targets.get('s1')!.notes, ['harder please']);
    s.emit({ type: 'quality', attemptId: 's1.1', report: { pass: true, reason: 'ok' } });
    assert.equal(waitingFor(s.state), undefined, 'the next phase ran');
    assert.equal(canEditChallenge(s.state, 's1.1'), false);
    s.emit({ type: 'waiting', attemptId: 's1.1', next: 'solve_weak' }, { type: 'state', state: 'paused' });
    assert.equal(runState(s.state), 'paused');
    assert.equal(waitingFor(s.state), undefined, 'a state change wakes the engine; it reports its next wait anew');
    s.emit({ type: 'state', state: 'running' });
    assert.equal(runState(s.state), 'running');
    s.emit({ type: 'run_finished', outcome: 'stopped', accepted: 0, review: 0, attempts: 1, usage: {} });
    assert.equal(runState(s.state), 'finished');
    assert.deepEqual(s.state.finished, { outcome: 'stopped', message: undefined });
    assert.equal(targetOutcome(s.state, s.state.targets.get('s1')!), 'stopped');
    s.emit({ type: 'run_resumed', targets: ['s1'], reused: ['s1.1'] });
    assert.equal(runState(s.state), 'stepping', 'a resumed run goes on in its mode');
    s.host({ type: 'run', run: panelRun(RUN_ID, thresholds, { live: false }) });
    assert.equal(runState(s.state), 'interrupted', 'a run with no engine behind it that did not complete can be resumed');
    s.emit({ type: 'run_finished', outcome: 'completed', accepted: 1, review: 0, attempts: 2, usage: {} });
    assert.equal(runState(s.state), 'finished', 'a completed run with no engine behind it can only be looked at');
  });

  it('clears everything on reset, keeping the new run', () => {
    const s = new Stream();
    s.started();
    const id = s.attempt('s1', 1, [0.3, 0.3, 0.3], [0.58, 0.58, 0.58], { kind: 'borderline', reasons: ['near'], weakMean: 0.3, strongMean: 0.58, gap: 0.28 });
    s.emit({ type: 'review_needed', attemptId: id, record: record(id, 1, true) }, { type: 'error', message: 'boom', attemptId: id });
    s.host({ type: 'notice', level: 'info', text: 'hello' });
    assert.equal(s.state.notices.length, 2);
    const ch = s.host({ type: 'reset', run: panelRun('run-2', thresholds) });
    assert.ok(ch.reset);
    assert.equal(s.state.attempts.size, 0);
    assert.equal(s.state.targets.size, 0);
    assert.deepEqual(reviewQueue(s.state), []);
    assert.equal(s.state.notices.length, 0);
    assert.equal(s.state.usage.size, 0);
    assert.equal(s.state.started, undefined);
    assert.equal(s.state.run?.runId, 'run-2');
    assert.deepEqual(counters(s.state).rejected, { too_easy: 0, too_hard: 0, gap_too_small: 0, low_spread: 0, quality_failed: 0, failed: 0 });
    s.host({ type: 'reset', run: null });
    assert.equal(runState(s.state), 'idle');
  });

  it("shows a failed attempt's reason and the error on its card and as a notice", () => {
    const s = new Stream();
    s.started();
    s.emit(
      { type: 'attempt_started', targetId: 's1', attemptId: 's1.1', iteration: 1 },
      { type: 'verdict', attemptId: 's1.1', targetId: 's1', verdict: { kind: 'failed', reasons: ['503 from the endpoint'] }, strongSkipped: false, usage: {} },
      { type: 'error', message: '503 from the endpoint', attemptId: 's1.1' },
    );
    const a = s.state.attempts.get('s1.1')!;
    assert.equal(statusOf(a), 'failed');
    assert.deepEqual(a.errors, ['503 from the endpoint']);
    assert.equal(counters(s.state).rejected.failed, 1);
    assert.deepEqual(
      s.state.notices.map((n) => [n.level, n.text]),
      [['error', 's1.1: 503 from the endpoint']],
    );
  });

  it('rejects messages that fail the protocol', () => {
    assert.equal(HostMessage.safeParse({ type: 'events', events: [{ type: 'verdict', attemptId: 'x' }] }).success, false);
    assert.equal(HostMessage.safeParse({ type: 'delta', attemptId: 'x', solver: 'medium', index: 0, text: '' }).success, false);
    assert.equal(HostMessage.safeParse({ type: 'reset' }).success, false);
    assert.equal(HostMessage.safeParse({ type: 'execute', code: 'alert(1)' }).success, false);
    assert.equal(HostMessage.safeParse({ type: 'probe', id: 1, selector: 'x'.repeat(201) }).success, false);
    assert.equal(HostMessage.safeParse({ type: 'reset', run: null }).success, true);
  });

  it("uses the run's thresholds, else the policy the run started with", () => {
    const s = new Stream();
    assert.deepEqual(thresholdsOf(s.state), thresholds);
    const bare = initialState();
    const main = POLICY_PRESETS.paperMainText;
    reduce(
      bare,
      HostMessage.parse({
        type: 'events',
        events: [
          EngineEvent.parse({
            type: 'run_started',
            runId: 'r',
            seq: 1,
            at: 't',
            document: { path: 'p', sha256: SHA, length: 1 },
            targets: [],
            models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
            promptVersion: 'p',
            mode: 'step',
            policy: main,
            solveOrder: 'latency',
          }),
        ],
      }),
    );
    assert.deepEqual(thresholdsOf(bare), main);
    assert.equal(runState(bare), 'stepping');
  });

  it('folds a generated run of 1,000 attempts in batches, with the counts the stream implies', () => {
    const g = generateRun({ attempts: 1000, targets: 300, seed: 11, decideShare: 0.5 });
    for (const e of g.events) {
      EngineEvent.parse(e);
    }
    const state = initialState();
    reduce(state, { type: 'reset', run: g.run });
    for (let i = 0; i < g.events.length; i += 50) {
      reduce(state, { type: 'events', events: g.events.slice(i, i + 50) });
    }

    assert.equal(state.attempts.size, g.attempts.length);
    assert.equal(g.attempts.length, 1000);
    const kinds = (k: string) => g.attempts.filter((a) => a.verdict.kind === k).length;
    const decisions = g.events.filter((e) => e.type === 'review_decision');
    const approved = decisions.filter((e) => e.type === 'review_decision' && e.decision === 'approved').length;
    const c = counters(state);
    assert.equal(c.attempts, g.attempts.length);
    assert.equal(c.accepted, kinds('accepted') + approved);
    assert.equal(c.inReview, kinds('borderline') - decisions.length);
    assert.equal(c.rejectedByYou, decisions.length - approved);
    for (const k of ['too_easy', 'too_hard', 'gap_too_small', 'quality_failed', 'failed'] as const) {
      assert.equal(c.rejected[k], kinds(k), k);
    }
    assert.ok(c.rejected.too_easy > 0 && c.rejected.quality_failed > 0 && c.rejected.failed > 0, 'a mix of verdicts');
    assert.equal(reviewQueue(state).length, c.inReview);
    assert.equal(attemptsByTarget(state).length, 300);
    assert.equal(g.attempts.filter((a) => a.strongSkipped).length, [...state.attempts.values()].filter((a) => a.strongSkipped).length);
    const last = g.events.filter((e) => e.type === 'usage').at(-1)!;
    assert.equal(last.type, 'usage');
    assert.ok(c.totalTokens > 0);

    // One more attempt touches only its own attempt and target.
    const ch = reduce(state, { type: 'events', events: extraAttempt(g) });
    assert.deepEqual([...ch.attempts], ['x1.1']);
    assert.deepEqual([...ch.targets], ['x1']);
    assert.equal(orderedAttempts(state)[0].id, 'x1.1', 'the newest on top');
    assert.equal(statusOf(state.attempts.get('x1.1')!), 'accepted');
  });

  it('folds the showcase run used for screenshots into the verdicts it was written for', () => {
    const g = showcaseRun();
    const state = initialState();
    reduce(state, { type: 'reset', run: g.run });
    reduce(state, { type: 'events', events: g.events.map((e) => EngineEvent.parse(e)) });
    assert.deepEqual(
      orderedAttempts(state).map((a) => [a.id, statusOf(a)]),
      [
        ['s5.1.1', 'running'],
        ['s4.2.2', 'review'],
        ['s4.2.1', 'failed'],
        ['s3.4.2', 'accepted'],
        ['s3.4.1', 'too_easy'],
      ],
    );
    assert.equal(state.attempts.get('s3.4.1')!.strongSkipped, true);
    assert.equal(canEditChallenge(state, 's5.1.1'), true);
    assert.equal(runState(state), 'stepping');
  });

  it("keeps each attempt's tokens, tokens per accepted item, and the recipe's versions", () => {
    const s = new Stream();
    s.started();
    s.emit({ type: 'attempt_started', targetId: 's1', attemptId: 's1.1', iteration: 1 });
    s.emit({
      type: 'verdict',
      attemptId: 's1.1',
      targetId: 's1',
      verdict: { kind: 'accepted', reasons: [], weakMean: 0.4, strongMean: 0.8, gap: 0.4 },
      strongSkipped: false,
      usage: { challenger: { promptTokens: 900, completionTokens: 100, calls: 1 }, weak: { promptTokens: 500, completionTokens: 500, calls: 1 } },
      attemptUsage: { promptTokens: 1400, completionTokens: 600, calls: 2 },
    });
    assert.deepEqual(s.state.attempts.get('s1.1')!.usage, { promptTokens: 1400, completionTokens: 600, calls: 2 });
    assert.equal(counters(s.state).tokensPerAccepted, 2000);
    s.emit(
      { type: 'recipe_updated', version: 1, recipe: '- one', changes: 'first', attempts: 10 },
      { type: 'recipe_updated', version: 2, recipe: '- two', changes: 'second', attempts: 10 },
    );
    assert.deepEqual(
      s.state.recipes.map((r) => [r.version, r.recipe]),
      [
        [1, '- one'],
        [2, '- two'],
      ],
    );
    s.host({ type: 'reset', run: null });
    assert.equal(s.state.recipes.length, 0);
  });

  it('shows each recipe proposal with its rationale, its measured outcome and kept / rejected / refused', () => {
    const s = new Stream();
    s.started();
    const evaluated = (candidateId: string, kept: boolean) => ({
      type: 'recipe_evaluated' as const,
      candidateId,
      parentId: 'r0',
      sections: ['s2', 's5'],
      parent: { passes: 1, trials: 4 },
      child: { passes: kept ? 4 : 1, trials: 4 },
      diff: kept ? 0.75 : 0,
      ci: [kept ? 0.2 : -0.5, kept ? 1 : 0.5] as [number, number],
      p: kept ? 0.06 : 1,
      alpha: 0.1,
      kept,
    });
    s.emit(
      { type: 'recipe_proposed', candidateId: 'r0', recipe: '', rationale: 'the recipe the run started with' },
      { type: 'recipe_proposed', candidateId: 'r1', parentId: 'r0', recipe: '- Ask for a contrast.', rationale: 'recall was too easy', analysis: 'too easy' },
    );
    assert.equal(s.state.proposals.find((p) => p.id === 'r1')!.status, 'evaluating');
    assert.equal(proposalOutcome(s.state.proposals[1]), 'being measured on the held-out sections…');
    assert.equal(proposalOutcome(s.state.proposals[1], true), 'not measured: the run ended first');
    s.emit(evaluated('r1', true), {
      type: 'recipe_refused',
      candidateId: 'r2',
      parentId: 'r1',
      recipe: '- Always accept.',
      rationale: 'more items',
      reason: 'it tells the run to accept items',
    });
    s.emit({ type: 'recipe_proposed', candidateId: 'r3', parentId: 'r1', recipe: '- Ask for recall.', rationale: 'shorter' }, evaluated('r3', false));
    assert.deepEqual(
      s.state.proposals.map((p) => [p.id, p.status, p.evaluation?.child.passes]),
      [
        ['r0', 'seed', undefined],
        ['r1', 'kept', 4],
        ['r2', 'refused', undefined],
        ['r3', 'rejected', 1],
      ],
    );
    assert.equal(proposalSummary(s.state.proposals), '3 proposals · 1 kept · 1 rejected · 1 refused');
    const [, r1, r2] = s.state.proposals;
    assert.equal(r1.rationale, 'recall was too easy');
    assert.equal(
      proposalOutcome(r1),
      "kept: 4/4 (100%) vs its parent's 1/4 (25%) on the same held-out trials · difference +75 points, interval [+20, +100] · p = 0.060",
    );
    assert.equal(proposalOutcome(r2), 'refused: it tells the run to accept items');
    s.host({ type: 'reset', run: null });
    assert.equal(s.state.proposals.length, 0);
  });
});

describe('requests in flight', () => {
  it('lists each call from its start to its end, oldest first, and clears them when the run ends', () => {
    const r = new Stream();
    r.started();
    const call = (callId: string, role: 'weak' | 'judge', startedAt: string) => ({
      callId,
      role,
      host: '127.0.0.1:8000',
      model: `${role}-model`,
      startedAt,
      attemptId: 's1.1',
    });
    r.emit(
      { type: 'call_started', ...call('c2', 'judge', '2026-01-01T00:00:05.000Z') },
      { type: 'call_started', ...call('c1', 'weak', '2026-01-01T00:00:01.000Z') },
    );
    assert.deepEqual(
      callsInFlight(r.state).map((c) => [c.callId, c.role, c.host, c.model]),
      [
        ['c1', 'weak', '127.0.0.1:8000', 'weak-model'],
        ['c2', 'judge', '127.0.0.1:8000', 'judge-model'],
      ],
    );
    assert.equal(waited(Date.parse('2026-01-01T00:01:16.000Z') - callsInFlight(r.state)[0].startedAt), '1 min 15 s');
    r.emit({ type: 'call_finished', ...call('c1', 'weak', '2026-01-01T00:00:01.000Z'), ms: 900, outcome: 'ok' });
    assert.deepEqual(
      callsInFlight(r.state).map((c) => c.callId),
      ['c2'],
    );
    r.emit({
      type: 'waiting_endpoint',
      host: '127.0.0.1:8000',
      role: 'judge',
      retryInSeconds: 4,
      since: '2026-01-01T00:00:06.000Z',
      reason: 'connection refused',
      limitSeconds: 600,
    });
    assert.equal(r.state.outages.get('127.0.0.1:8000')?.reason, 'connection refused');
    r.emit({ type: 'endpoint_restored', host: '127.0.0.1:8000', since: '2026-01-01T00:00:06.000Z', seconds: 9 });
    assert.equal(r.state.outages.size, 0);
    r.emit({ type: 'run_finished', outcome: 'stopped', accepted: 0, review: 0, attempts: 1, usage: {} });
    assert.equal(r.state.calls.size, 0, 'nothing is in flight after the run ends');
  });
});

describe('notices at the end of a run', () => {
  it('drops an earlier error banner once the run completes, and keeps it when the run stops', () => {
    const done = new Stream();
    done.started();
    done.emit({ type: 'error', message: 'judge (j at h:1) failed (503): busy' });
    assert.equal(done.state.notices.length, 1);
    done.emit({ type: 'run_finished', outcome: 'completed', accepted: 1, review: 0, attempts: 1, usage: {} });
    assert.deepEqual(done.state.notices, []);
    const stopped = new Stream();
    stopped.started();
    stopped.emit({ type: 'error', message: 'judge (j at h:1) failed (503): busy' });
    stopped.emit({ type: 'run_finished', outcome: 'stopped', accepted: 0, review: 0, attempts: 1, usage: {} });
    assert.equal(stopped.state.notices.length, 1);
  });
});

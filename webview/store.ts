// The panel's store: folds host messages (reset, run, events, delta) into the view model, in place and incrementally.
// No DOM. The view model's types and the selectors are re-exported, so this module is the whole API.
import type { HostMessage, PanelRun } from '../src/protocol';
import type { EngineEvent } from '../src/shared/events';
import type { Rollout } from '../src/shared/schemas';
import { withProposal } from './recipe-evolution';
import type { AttemptView, Change, Notice, PanelState, RolloutView, SolverView, TargetView } from './view-model';

export * from './view-model';
export * from './selectors';

export function initialState(run: PanelRun | null = null): PanelState {
  // Every key present (even when undefined), so that a reset's Object.assign clears them all.
  return {
    run,
    started: undefined,
    attempts: new Map(),
    targets: new Map(),
    reviewOrder: [],
    control: undefined,
    waiting: new Map(),
    finished: undefined,
    calls: new Map(),
    outages: new Map(),
    usage: new Map(),
    cost: undefined,
    notices: [],
    notes: [],
    recipes: [],
    proposals: [],
    lastSeq: 0,
    nextNoticeId: 1,
    rev: 0,
  };
}

export function emptyChange(): Change {
  return { reset: false, run: false, attempts: new Set(), targets: new Set(), review: false, notices: false };
}

/** Merges b into a (for batching several messages into one frame). */
export function mergeChange(a: Change, b: Change): Change {
  a.reset ||= b.reset;
  a.run ||= b.run;
  a.review ||= b.review;
  a.notices ||= b.notices;
  for (const id of b.attempts) {
    a.attempts.add(id);
  }
  for (const id of b.targets) {
    a.targets.add(id);
  }
  return a;
}

const EMPTY_SOLVER: SolverView = { rollouts: [], mean: undefined, graded: false, streaming: false };
const NOTICE_LIMIT = 20;

/**
 * Folds one host message into the state, in place (a run can hold thousands of attempts: copying them per event
 * would make replay quadratic). Objects inside an attempt are replaced when they change. Returns what changed.
 * `probe` and `notice` are view concerns except that notices are kept so they survive re-render.
 */
export function reduce(state: PanelState, msg: HostMessage): Change {
  const ch = emptyChange();
  switch (msg.type) {
    case 'reset': {
      const fresh = initialState(msg.run);
      Object.assign(state, fresh, { rev: state.rev + 1 });
      ch.reset = true;
      return ch;
    }
    case 'run':
      state.run = msg.run;
      ch.run = true;
      break;
    case 'events':
      for (const e of msg.events) {
        foldEvent(state, e, ch);
      }
      break;
    case 'delta':
      foldDelta(state, msg, ch);
      break;
    case 'notice':
      addNotice(state, msg.level, msg.text, undefined, ch);
      break;
    case 'probe':
      return ch;
  }
  state.rev++;
  return ch;
}

function addNotice(state: PanelState, level: Notice['level'], text: string, attemptId: string | undefined, ch: Change): void {
  state.notices.push({ id: state.nextNoticeId++, level, text, attemptId });
  if (state.notices.length > NOTICE_LIMIT) {
    state.notices.splice(0, state.notices.length - NOTICE_LIMIT);
  }
  ch.notices = true;
}

function clearErrors(state: PanelState, ch: Change): void {
  const before = state.notices.length;
  state.notices = state.notices.filter((n) => n.level !== 'error');
  ch.notices ||= state.notices.length !== before;
}

export function dismissNotice(state: PanelState, id: number): void {
  state.notices = state.notices.filter((n) => n.id !== id);
  state.rev++;
}

function ensureTarget(state: PanelState, id: string, order: number): TargetView {
  let t = state.targets.get(id);
  if (!t) {
    t = { id, title: id, order: -1, started: false, attemptIds: [], notes: [], rev: 0 };
    state.targets.set(id, t);
  }
  if (t.order < 0 && order >= 0) {
    t.order = order;
  }
  return t;
}

/** The target of an attempt id written as `${targetId}.${iteration}`, for events that reach us before attempt_started. */
function targetOfAttemptId(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot > 0 ? id.slice(0, dot) : id;
}

function ensureAttempt(state: PanelState, id: string, ch: Change, targetId?: string, seq = 0): AttemptView {
  let a = state.attempts.get(id);
  if (!a) {
    const tid = targetId ?? targetOfAttemptId(id);
    a = {
      id,
      targetId: tid,
      iteration: 0,
      order: seq,
      edited: false,
      weak: EMPTY_SOLVER,
      strong: EMPTY_SOLVER,
      strongSkipped: false,
      reviewNeeded: false,
      errors: [],
      rev: 0,
    };
    state.attempts.set(id, a);
    const t = ensureTarget(state, tid, seq);
    t.attemptIds.push(id);
    t.rev++;
    ch.targets.add(tid);
  }
  a.rev++;
  ch.attempts.add(id);
  return a;
}

/** Events that show progress past a wait for their attempt (edits and notes happen while the engine waits). */
function endsWait(e: EngineEvent): boolean {
  switch (e.type) {
    case 'waiting':
    case 'note':
    case 'usage':
    case 'state':
    case 'recipe_updated':
    case 'recipe_proposed':
    case 'recipe_evaluated':
    case 'recipe_refused':
    case 'call_started':
    case 'call_finished':
    case 'waiting_endpoint':
    case 'replica_set_aside':
    case 'endpoint_restored':
      return false;
    case 'challenge':
      return !e.edited;
    default:
      return true;
  }
}

function foldEvent(state: PanelState, e: EngineEvent, ch: Change): void {
  if (e.seq > state.lastSeq) {
    state.lastSeq = e.seq;
  }
  if (endsWait(e) && state.waiting.size > 0) {
    const id = 'attemptId' in e && typeof e.attemptId === 'string' ? e.attemptId : undefined;
    if (id !== undefined && state.waiting.delete(id)) {
      ch.run = true;
      ch.attempts.add(id);
    }
    if (e.type === 'run_finished') {
      clearWaits(state, ch);
    }
  }
  switch (e.type) {
    case 'run_started': {
      state.started = e;
      for (const s of e.targets) {
        const t = ensureTarget(state, s.id, -1);
        t.title = s.title;
        t.range = s.range;
        t.rev++;
        ch.targets.add(s.id);
      }
      ch.run = true;
      break;
    }
    case 'run_resumed':
      // The same run goes on after a crash or reload: whatever ended it is behind it.
      state.finished = undefined;
      state.control = undefined;
      clearWaits(state, ch);
      state.calls.clear();
      state.outages.clear();
      clearErrors(state, ch);
      break;
    case 'call_started':
      state.calls.set(e.callId, {
        callId: e.callId,
        role: e.role,
        host: e.host,
        model: e.model,
        startedAt: Date.parse(e.startedAt) || Date.parse(e.at) || 0,
        attemptId: e.attemptId,
      });
      ch.run = true;
      break;
    case 'call_finished':
      state.calls.delete(e.callId);
      ch.run = true;
      break;
    case 'waiting_endpoint': {
      const since = Date.parse(e.since) || Date.parse(e.at) || 0;
      state.outages.set(e.host, {
        host: e.host,
        role: e.role,
        reason: e.reason,
        since,
        retryAt: (Date.parse(e.at) || since) + e.retryInSeconds * 1000,
        limitSeconds: e.limitSeconds,
      });
      ch.run = true;
      break;
    }
    case 'endpoint_restored':
      state.outages.delete(e.host);
      ch.run = true;
      break;
    case 'target_started': {
      const t = ensureTarget(state, e.targetId, e.seq);
      // A target comes back after a person rejects its borderline item: it is running again.
      t.started = true;
      t.finished = undefined;
      t.rev++;
      ch.targets.add(t.id);
      break;
    }
    case 'attempt_started': {
      const t = ensureTarget(state, e.targetId, e.seq);
      t.started = true;
      t.finished = undefined;
      const a = ensureAttempt(state, e.attemptId, ch, e.targetId, e.seq);
      a.iteration = e.iteration;
      a.order = e.seq;
      t.rev++;
      ch.targets.add(t.id);
      ch.run = true;
      break;
    }
    case 'waiting':
      state.waiting.set(e.attemptId ?? '', { next: e.next, attemptId: e.attemptId, seq: e.seq });
      if (e.attemptId) {
        ensureAttempt(state, e.attemptId, ch);
      }
      ch.run = true;
      break;
    case 'challenge': {
      const a = ensureAttempt(state, e.attemptId, ch);
      const before = a.challenge;
      a.challenge = e.challenge;
      a.edited ||= e.edited === true;
      // An edit carries no range: keep the located one while the quote is unchanged.
      if (e.quoteRange) {
        a.quoteRange = e.quoteRange;
      } else if (!before || before.sourceQuote !== e.challenge.sourceQuote) {
        a.quoteRange = undefined;
      }
      if (a.reviewNeeded) {
        ch.review = true;
      }
      break;
    }
    case 'quality':
      ensureAttempt(state, e.attemptId, ch).quality = e.report;
      break;
    case 'rollouts': {
      const a = ensureAttempt(state, e.attemptId, ch);
      const prev = a[e.solver];
      a[e.solver] = { ...prev, rollouts: e.rollouts.map(toView), streaming: false };
      break;
    }
    case 'grades': {
      const a = ensureAttempt(state, e.attemptId, ch);
      a[e.solver] = { rollouts: e.rollouts.map(toView), mean: e.mean, graded: true, streaming: false };
      if (a.reviewNeeded) {
        ch.review = true;
      }
      break;
    }
    case 'verdict': {
      const a = ensureAttempt(state, e.attemptId, ch, e.targetId);
      a.verdict = e.verdict;
      a.strongSkipped = e.strongSkipped;
      if (e.attemptUsage) {
        a.usage = e.attemptUsage;
      }
      foldUsage(state, e.usage);
      ch.run = true;
      break;
    }
    case 'feedback':
      ensureAttempt(state, e.attemptId, ch, e.targetId).feedback = e.text;
      break;
    case 'item_accepted':
      ensureAttempt(state, e.attemptId, ch).record = e.record;
      ch.run = true;
      break;
    case 'review_needed': {
      const a = ensureAttempt(state, e.attemptId, ch);
      a.record = e.record;
      if (!a.reviewNeeded) {
        a.reviewNeeded = true;
        state.reviewOrder.push(a.id);
      }
      ch.review = true;
      ch.run = true;
      break;
    }
    case 'review_decision': {
      const a = ensureAttempt(state, e.attemptId, ch, e.targetId);
      a.review = { decision: e.decision, reason: e.reason, record: e.record };
      if (e.record) {
        a.record = e.record;
      }
      ch.review = true;
      ch.run = true;
      const t = state.targets.get(a.targetId);
      if (t) {
        t.rev++;
        ch.targets.add(t.id);
      }
      break;
    }
    case 'target_finished': {
      const t = ensureTarget(state, e.targetId, e.seq);
      t.finished = { outcome: e.outcome, iterations: e.iterations };
      t.rev++;
      ch.targets.add(t.id);
      break;
    }
    case 'usage':
      state.usage.set(e.role, e.totals);
      if (e.cost !== undefined) {
        state.cost = e.cost;
      }
      ch.run = true;
      break;
    case 'state':
      state.control = e.state;
      // The engine was woken (run / step / resume): whatever it waited for is behind it; it reports the next wait anew.
      clearWaits(state, ch);
      ch.run = true;
      break;
    case 'note':
      if (e.targetId && state.targets.has(e.targetId)) {
        const t = state.targets.get(e.targetId)!;
        t.notes = [...t.notes, e.text];
        t.rev++;
        ch.targets.add(t.id);
      } else {
        state.notes = [...state.notes, e.text];
        ch.run = true;
      }
      break;
    case 'recipe_updated':
      state.recipes = [...state.recipes, { version: e.version, recipe: e.recipe, changes: e.changes, attempts: e.attempts }];
      ch.run = true;
      break;
    case 'recipe_proposed':
    case 'recipe_evaluated':
    case 'recipe_refused':
      state.proposals = withProposal(state.proposals, e);
      ch.run = true;
      break;
    case 'error':
      if (e.attemptId) {
        const a = ensureAttempt(state, e.attemptId, ch);
        a.errors = [...a.errors, e.message];
      }
      addNotice(state, 'error', e.attemptId ? `${e.attemptId}: ${e.message}` : e.message, e.attemptId, ch);
      break;
    case 'run_finished':
      state.finished = { outcome: e.outcome, message: e.message };
      state.calls.clear();
      state.outages.clear();
      foldUsage(state, e.usage);
      if (e.cost !== undefined) {
        state.cost = e.cost;
      }
      // A run that completed leaves no error banner of its own past (an attempt's error stays on its card).
      if (e.outcome === 'completed') {
        clearErrors(state, ch);
      }
      if (e.outcome === 'error' && e.message) {
        addNotice(state, 'error', e.message, undefined, ch);
      }
      ch.run = true;
      break;
  }
}

function clearWaits(state: PanelState, ch: Change): void {
  for (const id of state.waiting.keys()) {
    if (id) {
      ch.attempts.add(id);
    }
  }
  state.waiting.clear();
  ch.run = true;
}

function foldUsage(state: PanelState, usage: Record<string, { promptTokens: number; completionTokens: number; calls: number }>): void {
  for (const [role, totals] of Object.entries(usage)) {
    state.usage.set(role, totals);
  }
}

function toView(r: Rollout): RolloutView {
  return { index: r.index, answer: r.answer, live: false, failure: r.failure, score: r.score, marks: r.marks, ...(r.judge2 ? { judge2: r.judge2 } : {}) };
}

function foldDelta(state: PanelState, d: Extract<HostMessage, { type: 'delta' }>, ch: Change): void {
  const a = state.attempts.get(d.attemptId);
  if (!a || d.index < 0 || d.index > 64) {
    return;
  }
  const prev = a[d.solver];
  // Text that arrives after the final rollouts is stale.
  if (prev.rollouts.length > 0 && !prev.streaming) {
    return;
  }
  const rollouts = prev.rollouts.slice();
  for (let i = rollouts.length; i <= d.index; i++) {
    rollouts.push({ index: i, answer: '', live: true });
  }
  const r = rollouts[d.index];
  rollouts[d.index] = { ...r, answer: r.answer + d.text, live: true };
  a[d.solver] = { ...prev, rollouts, streaming: true };
  a.rev++;
  ch.attempts.add(a.id);
}

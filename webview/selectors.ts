// Derived views of the store's state: means, statuses, groups, counters, the review queue, the run state, plot points.
import type { PolicyThresholds } from '../src/shared/thresholds';
import type { VerdictKind } from '../src/shared/schemas';
import { wilsonInterval, type RateInterval } from '../src/shared/wilson';
import {
  REJECT_KINDS,
  type AttemptView,
  type PanelState,
  type RejectKind,
  type RunState,
  type TargetOutcome,
  type TargetView,
  type Waiting,
} from './view-model';

export interface Means {
  weak?: number;
  strong?: number;
  gap?: number;
}

/** The solver means of an attempt: the verdict's when decided, else the graded means so far. */
export function meansOf(a: AttemptView): Means {
  const weak = a.verdict?.weakMean ?? a.weak.mean ?? undefined;
  const strong = a.strongSkipped ? undefined : (a.verdict?.strongMean ?? a.strong.mean ?? undefined);
  const gap = a.verdict?.gap ?? (weak !== undefined && strong !== undefined ? strong - weak : undefined);
  return { weak, strong, gap };
}

export type AttemptStatus = 'running' | 'accepted' | 'review' | 'approved' | 'rejected_by_you' | RejectKind;

/** Where an attempt stands, including a person's decision on a borderline item. */
export function statusOf(a: AttemptView): AttemptStatus {
  if (a.review) {
    return a.review.decision === 'approved' ? 'approved' : 'rejected_by_you';
  }
  const k = a.verdict?.kind;
  if (!k) {
    return 'running';
  }
  if (k === 'borderline') {
    return 'review';
  }
  return k;
}

export function isRejectKind(k: VerdictKind | undefined): k is RejectKind {
  return k !== undefined && (REJECT_KINDS as readonly string[]).includes(k);
}

/** Borderline attempts still waiting for a person, oldest first. */
export function reviewQueue(state: PanelState): AttemptView[] {
  const out: AttemptView[] = [];
  for (const id of state.reviewOrder) {
    const a = state.attempts.get(id);
    if (a && !a.review) {
      out.push(a);
    }
  }
  return out;
}

export interface TargetGroup {
  target: TargetView;
  attempts: AttemptView[];
}

/** Targets newest first (by start), each with its attempts newest first; targets without attempts are left out. */
export function attemptsByTarget(state: PanelState): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const t of state.targets.values()) {
    if (t.attemptIds.length === 0) {
      continue;
    }
    const attempts = t.attemptIds.map((id) => state.attempts.get(id)!).sort((x, y) => y.order - x.order);
    groups.push({ target: t, attempts });
  }
  return groups.sort((x, y) => y.target.order - x.target.order);
}

/** All attempts in display order (newest target first, newest attempt first). */
export function orderedAttempts(state: PanelState): AttemptView[] {
  return attemptsByTarget(state).flatMap((g) => g.attempts);
}

export function targetOutcome(state: PanelState, t: TargetView): TargetOutcome {
  const f = t.finished?.outcome;
  if (f === 'review') {
    const last = t.attemptIds.map((id) => state.attempts.get(id)!).find((a) => a.reviewNeeded);
    if (last?.review) {
      return last.review.decision === 'approved' ? 'approved' : 'rejected';
    }
    return 'review';
  }
  if (f) {
    return f;
  }
  if (t.started || t.attemptIds.length > 0) {
    return state.finished || (state.run && !state.run.live) ? 'stopped' : 'running';
  }
  return 'pending';
}

export interface Counters {
  attempts: number;
  accepted: number;
  inReview: number;
  rejected: Record<RejectKind, number>;
  rejectedByYou: number;
  /** Mean iteration count of the accepted items (the paper reports 6.59 for CS); undefined with none accepted. */
  meanIterations?: number;
  /** Tokens per accepted item: all tokens of the run over its accepted items. */
  tokensPerAccepted?: number;
  /** Prompt + completion tokens per role. */
  tokens: Record<string, number>;
  totalTokens: number;
  cost?: number;
  /** Accepted over decided (accepted, approved, rejected by the policy or by you; not those in review), with its 95% Wilson interval. */
  acceptance?: { decided: number } & RateInterval;
}

export function counters(state: PanelState): Counters {
  const rejected: Record<RejectKind, number> = { too_easy: 0, too_hard: 0, gap_too_small: 0, low_spread: 0, quality_failed: 0, failed: 0 };
  let accepted = 0;
  let inReview = 0;
  let rejectedByYou = 0;
  let iterations = 0;
  for (const a of state.attempts.values()) {
    const k = a.verdict?.kind;
    if (a.verdict?.uncounted) {
      // The grader failed, not the question: the attempt is tried again and counts for nothing.
      continue;
    }
    if (isRejectKind(k)) {
      rejected[k]++;
      continue;
    }
    const s = statusOf(a);
    if (s === 'accepted' || s === 'approved') {
      accepted++;
      iterations += a.record?.iterations ?? a.iteration;
    } else if (s === 'review') {
      inReview++;
    } else if (s === 'rejected_by_you') {
      rejectedByYou++;
    }
  }
  const tokens: Record<string, number> = {};
  let totalTokens = 0;
  for (const [role, u] of state.usage) {
    tokens[role] = u.promptTokens + u.completionTokens;
    totalTokens += tokens[role];
  }
  return {
    attempts: state.attempts.size,
    accepted,
    inReview,
    rejected,
    rejectedByYou,
    meanIterations: accepted > 0 ? iterations / accepted : undefined,
    tokens,
    totalTokens,
    cost: state.cost,
    tokensPerAccepted: accepted > 0 && totalTokens > 0 ? totalTokens / accepted : undefined,
    acceptance: acceptanceOf(accepted, accepted + rejectedByYou + rejectedCount(rejected)),
  };
}

function rejectedCount(rejected: Record<RejectKind, number>): number {
  return Object.values(rejected).reduce((a, b) => a + b, 0);
}

function acceptanceOf(accepted: number, decided: number): Counters['acceptance'] {
  const w = wilsonInterval(accepted, decided);
  return w ? { decided, ...w } : undefined;
}

/** The run's acceptance thresholds: the panel run's, else those the run started with. */
export function thresholdsOf(state: PanelState): PolicyThresholds | undefined {
  return state.run?.thresholds ?? state.started?.policy;
}

/** The run's control state as the toolbar shows it. */
export function runState(state: PanelState): RunState {
  if (!state.run && !state.started) {
    return 'idle';
  }
  // No engine behind the run: a completed one can only be looked at; any other can be resumed from its journal.
  if (state.run && !state.run.live) {
    return state.finished?.outcome === 'completed' ? 'finished' : 'interrupted';
  }
  if (state.finished) {
    return 'finished';
  }
  if (state.control) {
    return state.control;
  }
  const mode = state.run?.mode ?? state.started?.mode;
  return mode === 'step' ? 'stepping' : 'running';
}

/** The latest thing the engine waits for, if it waits. */
export function waitingFor(state: PanelState): Waiting | undefined {
  let best: Waiting | undefined;
  for (const w of state.waiting.values()) {
    if (!best || w.seq > best.seq) {
      best = w;
    }
  }
  return best;
}

/** The engine waits for this attempt before a phase where its challenge can still be edited. */
export function canEditChallenge(state: PanelState, attemptId: string): boolean {
  const w = state.waiting.get(attemptId);
  const a = state.attempts.get(attemptId);
  return !!w && !!a?.challenge && !a.verdict && (w.next === 'quality' || w.next === 'solve_weak') && runState(state) !== 'finished';
}

export interface ScatterPoint {
  id: string;
  x: number;
  y: number;
  skipped: boolean;
  status: AttemptStatus;
}

/** Where an attempt sits on the weak/strong plot, or undefined when it has no place yet. */
export function scatterPoint(a: AttemptView): ScatterPoint | undefined {
  const m = meansOf(a);
  if (m.weak === undefined) {
    return undefined;
  }
  if (a.strongSkipped) {
    return { id: a.id, x: m.weak, y: 0, skipped: true, status: statusOf(a) };
  }
  if (m.strong === undefined) {
    return undefined;
  }
  return { id: a.id, x: m.weak, y: m.strong, skipped: false, status: statusOf(a) };
}

// The panel's view model: what the store keeps per run, target and attempt, and what a fold changed.
import type { PanelRun } from '../src/protocol';
import type { EventOf, Phase } from '../src/shared/events';
import type { Challenge, CriterionMark, DatasetRecord, QualityReport, Role, SourceRange, Verdict } from '../src/shared/schemas';

export type Solver = 'weak' | 'strong';
/** `interrupted`: no engine behind the run, which did not complete (stopped, crashed, or restored after a reload): it can be resumed. */
export type RunState = 'idle' | 'running' | 'paused' | 'stepping' | 'finished' | 'interrupted';
export type RejectKind = 'too_easy' | 'too_hard' | 'gap_too_small' | 'low_spread' | 'quality_failed' | 'failed';
export const REJECT_KINDS: readonly RejectKind[] = ['too_easy', 'too_hard', 'gap_too_small', 'low_spread', 'quality_failed', 'failed'];

export interface RolloutView {
  index: number;
  answer: string;
  /** True while the text is still streaming in (from deltas, before the solver's `rollouts` event). */
  live: boolean;
  failure?: string;
  score?: number;
  marks?: readonly CriterionMark[];
  /** The second judge's grade of the same answer, when there is a second judge. */
  judge2?: { score: number; marks: readonly CriterionMark[] };
}

/** One solver's side of an attempt. Replaced (never mutated) on change, so renderers can compare identities. */
export interface SolverView {
  rollouts: readonly RolloutView[];
  /** From the `grades` event: null when no rollout could be measured; undefined until graded. */
  mean: number | null | undefined;
  graded: boolean;
  streaming: boolean;
}

export interface ReviewDecision {
  decision: 'approved' | 'rejected';
  reason?: string;
  record?: DatasetRecord;
}

/** Everything known about one attempt. Fields holding objects are replaced, never mutated, when they change. */
export interface AttemptView {
  id: string;
  targetId: string;
  iteration: number;
  /** Start order within the run (the `attempt_started` sequence number). */
  order: number;
  challenge?: Challenge;
  edited: boolean;
  quoteRange?: SourceRange;
  quality?: QualityReport;
  weak: SolverView;
  strong: SolverView;
  verdict?: Verdict;
  strongSkipped: boolean;
  /** Tokens and calls of this attempt, all roles (from its verdict). */
  usage?: { promptTokens: number; completionTokens: number; calls: number };
  feedback?: string;
  /** The dataset record of an accepted or borderline attempt. */
  record?: DatasetRecord;
  reviewNeeded: boolean;
  review?: ReviewDecision;
  errors: readonly string[];
  /** Bumped on every change. */
  rev: number;
}

export type TargetOutcome = 'pending' | 'running' | 'accepted' | 'review' | 'approved' | 'rejected' | 'exhausted' | 'stopped' | 'error';

export interface TargetView {
  id: string;
  title: string;
  range?: SourceRange;
  /** Start order (the `target_started` or first attempt's sequence number); -1 until started. */
  order: number;
  started: boolean;
  finished?: { outcome: EventOf<'target_finished'>['outcome']; iterations: number };
  /** Attempt ids, oldest first. */
  attemptIds: string[];
  notes: string[];
  rev: number;
}

export interface Notice {
  id: number;
  level: 'info' | 'error';
  text: string;
  attemptId?: string;
}
export interface Waiting {
  next: Phase;
  attemptId?: string;
  seq: number;
}

/** A model request in flight (from call_started until its call_finished). */
export interface CallView {
  callId: string;
  role: Role;
  host: string;
  model: string;
  /** Epoch ms the request started (the host's clock). */
  startedAt: number;
  attemptId?: string;
}

/** An endpoint that stopped answering: the run waits and asks again (waiting_endpoint until endpoint_restored). */
export interface OutageView {
  host: string;
  role: Role;
  reason: string;
  /** Epoch ms: down since; the next retry is due. */
  since: number;
  retryAt: number;
  limitSeconds: number;
}

export interface PanelState {
  run: PanelRun | null;
  started?: EventOf<'run_started'>;
  attempts: Map<string, AttemptView>;
  targets: Map<string, TargetView>;
  /** Borderline attempts in the order they were handed to review (decided ones included; see reviewQueue). */
  reviewOrder: string[];
  /** Last state event, if any (the engine reports only changes). */
  control?: 'running' | 'paused' | 'stepping';
  /** What the engine waits for, per attempt ('' for none): several targets can wait at once. */
  waiting: Map<string, Waiting>;
  finished?: { outcome: 'completed' | 'stopped' | 'error'; message?: string };
  /** Model requests in flight, by call id (transient: never in a journal). */
  calls: Map<string, CallView>;
  /** Endpoints the run waits for, by host. */
  outages: Map<string, OutageView>;
  /** Latest cumulative token totals per role. */
  usage: Map<string, { promptTokens: number; completionTokens: number; calls: number }>;
  /** The run's cost so far, in the price table's money units (absent without prices). */
  cost?: number;
  notices: Notice[];
  /** Run-wide notes (for whichever target asks next). */
  notes: string[];
  /** The recipe's versions learned in this run, oldest first (the outer loop). */
  recipes: Array<{ version: number; recipe: string; changes: string; attempts: number }>;
  /** The recipe evolution's candidates in the order proposed: rationale, measured outcome, kept / rejected / refused. */
  proposals: RecipeProposalView[];
  lastSeq: number;
  nextNoticeId: number;
  /** Bumped on every change, for memoised selectors. */
  rev: number;
}

/** What one message changed: renderers redo only these parts. */
export interface Change {
  reset: boolean;
  run: boolean;
  attempts: Set<string>;
  targets: Set<string>;
  review: boolean;
  notices: boolean;
}

/** One candidate recipe of the recipe evolution, as the panel shows it. */
export interface RecipeProposalView {
  id: string;
  parentId?: string;
  recipe: string;
  rationale: string;
  analysis?: string;
  status: 'seed' | 'evaluating' | 'kept' | 'rejected' | 'refused';
  reason?: string;
  evaluation?: {
    parent: { passes: number; trials: number };
    child: { passes: number; trials: number };
    diff: number;
    ci: [number, number];
    p: number;
    sections: string[];
  };
}

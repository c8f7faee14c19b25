// Every event the engine emits: the journal's lines, the panel's feed, the tests' evidence.
import { z } from 'zod';
import { PolicyThresholds } from './thresholds';
import { Challenge, DatasetRecord, ModelNames, QualityReport, Role, Rollout, SourceRange, Verdict } from './schemas';

const UsageTotals = z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number(), cachedTokens: z.number().optional() });
const Base = { runId: z.string(), seq: z.number().int(), at: z.string() };
const TargetSummary = z.object({ id: z.string(), title: z.string(), range: SourceRange });

/** What identifies one model request: its role, where it goes, and the attempt (none for recipe updates) it serves. */
const CallFields = {
  callId: z.string(),
  role: Role,
  host: z.string(),
  model: z.string(),
  startedAt: z.string(),
  attemptId: z.string().optional(),
  targetId: z.string().optional(),
};

export const Phase = z.enum(['challenge', 'quality', 'solve_weak', 'solve_strong', 'judge_weak', 'judge_strong', 'decide']);
export type Phase = z.infer<typeof Phase>;

export const EngineEvent = z.discriminatedUnion('type', [
  z.object({
    ...Base,
    type: z.literal('run_started'),
    document: z.object({ path: z.string(), sha256: z.string(), length: z.number() }),
    targets: z.array(TargetSummary),
    models: ModelNames,
    promptVersion: z.string(),
    mode: z.enum(['run', 'step']),
    goal: z.number().optional(),
    policy: PolicyThresholds,
    solveOrder: z.enum(['cost', 'latency']),
    /** Rollouts per solver and the prompt templates the run started with: a resumed run keeps them (absent in older journals). */
    rollouts: z.object({ weak: z.number().int(), strong: z.number().int() }).optional(),
    prompts: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ ...Base, type: z.literal('run_resumed'), targets: z.array(z.string()), reused: z.array(z.string()) }),
  z.object({ ...Base, type: z.literal('target_started'), targetId: z.string() }),
  z.object({ ...Base, type: z.literal('attempt_started'), targetId: z.string(), attemptId: z.string(), iteration: z.number().int() }),
  z.object({ ...Base, type: z.literal('waiting'), attemptId: z.string().optional(), next: Phase }),
  z.object({
    ...Base,
    type: z.literal('challenge'),
    attemptId: z.string(),
    challenge: Challenge,
    quoteRange: SourceRange.optional(),
    edited: z.boolean().optional(),
  }),
  z.object({ ...Base, type: z.literal('quality'), attemptId: z.string(), report: QualityReport }),
  z.object({ ...Base, type: z.literal('rollouts'), attemptId: z.string(), solver: z.enum(['weak', 'strong']), rollouts: z.array(Rollout) }),
  z.object({
    ...Base,
    type: z.literal('grades'),
    attemptId: z.string(),
    solver: z.enum(['weak', 'strong']),
    rollouts: z.array(Rollout),
    mean: z.number().nullable(),
  }),
  z.object({
    ...Base,
    type: z.literal('verdict'),
    attemptId: z.string(),
    targetId: z.string(),
    verdict: Verdict,
    strongSkipped: z.boolean(),
    usage: z.record(z.string(), UsageTotals),
    attemptUsage: UsageTotals.optional(),
  }),
  z.object({ ...Base, type: z.literal('feedback'), attemptId: z.string(), targetId: z.string(), text: z.string() }),
  z.object({ ...Base, type: z.literal('item_accepted'), attemptId: z.string(), record: DatasetRecord }),
  z.object({ ...Base, type: z.literal('review_needed'), attemptId: z.string(), record: DatasetRecord }),
  /** A person's decision on a borderline item (written by the host, folded like any other event). */
  z.object({
    ...Base,
    type: z.literal('review_decision'),
    attemptId: z.string(),
    targetId: z.string(),
    decision: z.enum(['approved', 'rejected']),
    reason: z.string().optional(),
    record: DatasetRecord.optional(),
  }),
  z.object({
    ...Base,
    type: z.literal('target_finished'),
    targetId: z.string(),
    outcome: z.enum(['accepted', 'review', 'exhausted', 'stopped', 'error']),
    iterations: z.number().int(),
  }),
  z.object({ ...Base, type: z.literal('usage'), role: Role, totals: UsageTotals, cost: z.number().optional() }),
  z.object({ ...Base, type: z.literal('state'), state: z.enum(['running', 'paused', 'stepping']) }),
  z.object({ ...Base, type: z.literal('recipe_updated'), version: z.number().int(), recipe: z.string(), changes: z.string(), attempts: z.number().int() }),
  /** Recipe evolution (recipe-evolution.ts): a candidate recipe, its parent ('r0', the recipe the run started with, has none). */
  z.object({
    ...Base,
    type: z.literal('recipe_proposed'),
    candidateId: z.string(),
    parentId: z.string().optional(),
    recipe: z.string(),
    rationale: z.string(),
    analysis: z.string().optional(),
  }),
  /** Parent and child measured on the same held-out trials; the child is kept only when the paired test says it is better. */
  z.object({
    ...Base,
    type: z.literal('recipe_evaluated'),
    candidateId: z.string(),
    parentId: z.string(),
    sections: z.array(z.string()),
    parent: z.object({ passes: z.number().int(), trials: z.number().int() }),
    child: z.object({ passes: z.number().int(), trials: z.number().int() }),
    diff: z.number(),
    ci: z.tuple([z.number(), z.number()]),
    p: z.number(),
    alpha: z.number(),
    kept: z.boolean(),
  }),
  /** A proposal that reaches beyond the Challenger (solvers, judge, acceptance rule): recorded, never applied. */
  z.object({
    ...Base,
    type: z.literal('recipe_refused'),
    candidateId: z.string(),
    parentId: z.string(),
    recipe: z.string(),
    rationale: z.string(),
    reason: z.string(),
  }),
  /**
   * One model request starting (one call of a role: all the samples it asks for, and the SDK's quick retries). Transient:
   * shown live, never journaled (see JOURNALED). `host` is the endpoint's host and port, never credentials.
   */
  z.object({ ...Base, type: z.literal('call_started'), ...CallFields }),
  /** The request ended: answered ('ok'), failed ('error', the redacted reason) or cancelled ('aborted'). Transient. */
  z.object({
    ...Base,
    type: z.literal('call_finished'),
    ...CallFields,
    ms: z.number(),
    outcome: z.enum(['ok', 'error', 'aborted']),
    error: z.string().optional(),
  }),
  /**
   * An endpoint stopped answering (refused or dropped connections, timeouts, 5xx or 429 after the SDK's retries): the
   * run waits and asks again in `retryInSeconds`; it has been down since `since`. No section loses an iteration to it.
   */
  z.object({
    ...Base,
    type: z.literal('waiting_endpoint'),
    host: z.string(),
    role: Role,
    retryInSeconds: z.number(),
    since: z.string(),
    /** What the last request got (redacted). */
    reason: z.string(),
    /** Seconds the run waits in all before it stops as interrupted (resumable). */
    limitSeconds: z.number(),
    attemptId: z.string().optional(),
  }),
  /**
   * One replica of a role's endpoint stopped answering and is set aside: requests go to the others at once, and it is
   * asked again later (endpoint_restored when it answers). The run waits (waiting_endpoint) only when all are down.
   */
  z.object({ ...Base, type: z.literal('replica_set_aside'), host: z.string(), reason: z.string() }),
  /** The endpoint (or a replica set aside) answers again after `seconds` down. */
  z.object({ ...Base, type: z.literal('endpoint_restored'), host: z.string(), since: z.string(), seconds: z.number() }),
  z.object({ ...Base, type: z.literal('note'), text: z.string(), targetId: z.string().optional() }),
  z.object({ ...Base, type: z.literal('error'), message: z.string(), attemptId: z.string().optional() }),
  z.object({
    ...Base,
    type: z.literal('run_finished'),
    outcome: z.enum(['completed', 'stopped', 'error']),
    accepted: z.number().int(),
    review: z.number().int(),
    attempts: z.number().int(),
    usage: z.record(z.string(), UsageTotals),
    cost: z.number().optional(),
    message: z.string().optional(),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
export type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
/**
 * Events that describe requests in flight: the panel and the CLI show them, the journal skips them (two per request
 * would outnumber every other line; what a call produced is journaled by the events that carry its result).
 * `waiting_endpoint`, `replica_set_aside` and `endpoint_restored` are journaled: an outage stays on record.
 */
export const TRANSIENT_EVENTS: ReadonlySet<EngineEvent['type']> = new Set(['call_started', 'call_finished']);
export function isJournaled(e: { type: EngineEvent['type'] }): boolean {
  return !TRANSIENT_EVENTS.has(e.type);
}
/** An event before the orchestrator stamps it. */
export type EventBody = EngineEvent extends infer E ? (E extends EngineEvent ? Omit<E, 'runId' | 'seq' | 'at'> : never) : never;

/** Live text as it streams in: shown, never journaled. */
export interface DeltaEvent {
  type: 'delta';
  attemptId: string;
  solver: 'weak' | 'strong';
  index: number;
  text: string;
}

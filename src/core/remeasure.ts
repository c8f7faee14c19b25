// Re-measuring accepted items against a new weak model (for example the checkpoint being trained): its rollouts are
// graded by the judge on each item's own rubric, and the acceptance rule's weak side says whether the item still teaches
// that model something or has become too easy.
import { z } from 'zod';
import { decideFromWeak, mean } from './policy';
import { learnability } from './learnability';
import { measuredScores } from './record';
import { judge, solve, type RoleContext } from './roles';
import type { Challenge, DatasetRecord } from '../shared/schemas';
import type { PolicyThresholds } from '../shared/thresholds';

export const RemeasureStatus = z.enum(['learnable', 'too_easy', 'too_hard', 'flat', 'failed']);
export type RemeasureStatus = z.infer<typeof RemeasureStatus>;

/** One item measured against one weak model: a line of `.autodata/remeasure/<label>.jsonl`. */
export const Remeasured = z.object({
  id: z.string().min(1),
  /** The model version's name the person gave (e.g. a checkpoint step). */
  label: z.string().min(1),
  model: z.string(),
  at: z.string(),
  scores: z.array(z.number()),
  mean: z.number().nullable(),
  /** The weak mean the item had when it was accepted. */
  before: z.number(),
  status: RemeasureStatus,
  reasons: z.array(z.string()),
});
export type Remeasured = z.infer<typeof Remeasured>;

export function challengeOf(r: DatasetRecord): Challenge {
  return {
    question: r.question,
    questionType: r.questionType,
    skills: r.skills,
    angle: r.questionType,
    referenceAnswer: r.referenceAnswer,
    rubric: r.rubric,
    sourceQuote: r.source.quote,
    ...(r.finalAnswer !== undefined ? { finalAnswer: r.finalAnswer } : {}),
  };
}

/** The status from the weak scores alone, by the acceptance rule's weak side (borderline counts as learnable). */
export function statusOf(policy: PolicyThresholds, scores: readonly number[], rollouts: number): { status: RemeasureStatus; reasons: string[] } {
  if (scores.length === 0 || scores.length * 2 < rollouts) {
    return { status: 'failed', reasons: [`only ${scores.length} of ${rollouts} rollouts could be measured`] };
  }
  const v = decideFromWeak(policy, scores);
  if (!v) {
    const flat = learnability(scores)?.flat;
    return flat ? { status: 'flat', reasons: ['every rollout scored the same: GRPO gets no signal from this item'] } : { status: 'learnable', reasons: [] };
  }
  const status: RemeasureStatus =
    v.kind === 'too_easy' || v.kind === 'gap_too_small' ? 'too_easy' : v.kind === 'too_hard' ? 'too_hard' : v.kind === 'low_spread' ? 'flat' : 'failed';
  return { status, reasons: v.reasons };
}

/** Solves the item with the context's weak model and grades the answers with its judge. */
export async function remeasureItem(
  ctx: RoleContext,
  record: DatasetRecord,
  policy: PolicyThresholds,
  label: string,
  model: string,
  now: () => Date = () => new Date(),
): Promise<Remeasured> {
  const c = challengeOf(record);
  const rollouts = await solve(ctx, 'weak', c.question);
  await judge(ctx, c, rollouts);
  const scores = measuredScores(rollouts);
  const { status, reasons } = statusOf(policy, scores, rollouts.length);
  const failures = [...new Set(rollouts.filter((r) => r.failure).map((r) => r.failure!))];
  return {
    id: record.id,
    label,
    model,
    at: now().toISOString(),
    scores,
    mean: scores.length ? mean(scores) : null,
    before: record.scores.weak.mean,
    status,
    reasons: status === 'failed' && failures.length ? [...reasons, ...failures] : reasons,
  };
}

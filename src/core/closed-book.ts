// The closed-book probe: can the strong solver answer the question without the source's facts the Challenger put in its
// context? If so, the item does not need the document (the paper's meta-optimised "could you answer this without the
// paper?" self-test, made a measurement instead of the Challenger's own judgement).
import type { EngineConfig } from './config';
import { judge, solve, type RoleContext } from './roles';
import type { Challenge, Verdict } from '../shared/schemas';

/** What the probe found: the judged score of one strong answer to the bare question, and whether that counts as solved. */
export interface ClosedBookResult {
  score: number;
  solved: boolean;
}

/** The flag a solved probe sets, at the head of the verdict's reason. */
export const CLOSED_BOOK_FLAG = 'closed_book_solved';

/**
 * The question without the Challenger's context. Solvers never see the source; the context is how its facts reach
 * them, so leaving it out is the closed book. A question a person rewrote (no longer opening with the context) is asked
 * as it stands.
 */
export function closedBookQuestion(c: Challenge): string {
  const context = c.context?.trim();
  const q = c.question.trim();
  return context && q.startsWith(context) && q.length > context.length ? q.slice(context.length).trim() : q;
}

/**
 * One strong answer to the bare question, judged on the item's rubric (or matched to its final answer) like a rollout.
 * Solved when it scores at least the strong solver's bar; an answer that could not be measured is not solved.
 */
export async function probeClosedBook(ctx: RoleContext, c: Challenge): Promise<ClosedBookResult> {
  const one: RoleContext = { ...ctx, config: { ...ctx.config, rollouts: { ...ctx.config.rollouts, strong: 1 } } };
  const rollouts = await solve(one, 'strong', closedBookQuestion(c));
  await judge(one, c, rollouts);
  const r = rollouts[0];
  const score = r && !r.failure && r.score !== undefined ? r.score : 0;
  const solved = Boolean(r && !r.failure && r.score !== undefined) && score >= solvedBar(ctx.config);
  return { score, solved };
}

/** A score that counts as the strong solver succeeding: the policy's strong minimum (a right answer when matched). */
function solvedBar(cfg: EngineConfig): number {
  return cfg.preset === 'verifiable' ? 1 : cfg.policy.strongMeanMin;
}

/** What a solved probe does to a passing verdict: a rejection, or a person's review; undefined leaves it as it is. */
export function closedBookVerdict(mode: EngineConfig['closedBook'], verdict: Verdict, probe: ClosedBookResult): Verdict | undefined {
  if (!probe.solved || mode === 'off') {
    return undefined;
  }
  const reason = `${CLOSED_BOOK_FLAG}: the strong solver scored ${probe.score.toFixed(2)} on the question without its context, so the item does not need the document; ask for what only the source can tell`;
  if (mode === 'reject') {
    return { kind: 'quality_failed', reasons: [reason], weakMean: verdict.weakMean, strongMean: verdict.strongMean, gap: verdict.gap };
  }
  return { ...verdict, kind: 'borderline', nearest: verdict.kind === 'borderline' ? verdict.nearest : verdict.kind, reasons: [...verdict.reasons, reason] };
}

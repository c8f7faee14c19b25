// The legal domain's decision: a loop judge reads all rollouts with their rubric scores and returns a structured verdict
// (weak pattern, gap interpretation, GRPO suitability, accept or improve) instead of thresholds. Case recaps never pass.
import { mean } from './policy';
import { asMaterial, render } from './prompts';
import { measuredScores } from './record';
import { json, messages, rubricText, type RoleContext } from './role-call';
import { LoopVerdict, type Challenge, type Rollout, type Verdict, type VerdictKind } from '../shared/schemas';
import { StructuredOutputError } from './structured';
import { UnusableReplyError } from './unusable-reply';

/** The part of each answer the loop judge reads: enough to see the pattern, bounded so 8 answers fit. */
const ANSWER_CHARS = 2500;

export function rolloutsText(weak: readonly Rollout[], strong: readonly Rollout[]): string {
  const one = (r: Rollout, n: number) => {
    const score = r.failure ? `failed: ${r.failure}` : (r.score ?? 0).toFixed(2);
    return `<rollout solver="${r.solver}" n="${n}" score="${score}">\n${asMaterial(r.answer.slice(0, ANSWER_CHARS))}\n</rollout>`;
  };
  return [...weak.map((r, i) => one(r, i + 1)), ...strong.map((r, i) => one(r, i + 1))].join('\n');
}

export async function askLoopJudge(ctx: RoleContext, c: Challenge, weak: readonly Rollout[], strong: readonly Rollout[]): Promise<LoopVerdict> {
  const p = render(ctx.prompts.loopJudge, { question: asMaterial(c.question), rubric: asMaterial(rubricText(c)), rollouts: rolloutsText(weak, strong) });
  return json(ctx, 'judge', 'loop_verdict', LoopVerdict, messages(p));
}

/** A question that only asks to restate a case (its facts, holding or judgment), by the Challenger's own labels. */
export function isCaseRecap(c: Pick<Challenge, 'question' | 'questionType'>): boolean {
  return (
    /\b(recap|summary|summari[sz]e|restate)\b/i.test(c.questionType) ||
    /^\s*(?:please\s+)?(?:recap|summari[sz]e|restate|outline)\b[^.?]*\b(?:facts|holding|judg(?:e)?ment|decision|case)\b/im.test(c.question)
  );
}

const KIND_OF: Record<LoopVerdict['problem'], VerdictKind> = {
  none: 'quality_failed',
  too_easy: 'too_easy',
  too_hard: 'too_hard',
  no_separation: 'gap_too_small',
  case_recap: 'quality_failed',
  flawed: 'quality_failed',
};

/** The verdict from the loop judge's report: accept only when it says so and the question is no case recap. */
export function legalVerdict(loop: LoopVerdict, c: Pick<Challenge, 'question' | 'questionType'>, weak: readonly number[], strong: readonly number[]): Verdict {
  const weakMean = weak.length ? mean(weak) : undefined;
  const strongMean = strong.length ? mean(strong) : undefined;
  const scores = {
    weakMean,
    strongMean,
    gap: weakMean !== undefined && strongMean !== undefined ? Math.round((strongMean - weakMean) * 1e9) / 1e9 : undefined,
    loop,
  };
  const recap = loop.case_recap || isCaseRecap(c);
  if (loop.decision === 'accept' && !recap) {
    return { kind: 'accepted', reasons: [], ...scores };
  }
  const reasons = recap
    ? ['the question is a case recap, which is never accepted']
    : [`the loop judge asked for improvement${loop.problem !== 'none' ? ` (${loop.problem.replace('_', ' ')})` : ''}`];
  if (loop.advice.trim()) {
    reasons.push(loop.advice.trim());
  }
  return { kind: recap ? 'quality_failed' : KIND_OF[loop.problem], reasons, ...scores };
}

/** The legal decision for measured rollouts; a loop judge reply that cannot be used throws UnusableReplyError. */
export async function decideByLoopJudge(ctx: RoleContext, c: Challenge, weak: readonly Rollout[], strong: readonly Rollout[]): Promise<Verdict> {
  try {
    const loop = await askLoopJudge(ctx, c, weak, strong);
    return legalVerdict(loop, c, measuredScores(weak), measuredScores(strong));
  } catch (e) {
    if (e instanceof StructuredOutputError) {
      // The grader's failure, not the question's: the attempt ends without counting (run-loop.ts).
      throw new UnusableReplyError('judge', `the loop judge's reply could not be used: ${e.message}`);
    }
    throw e;
  }
}

// The optional second judge: it grades the same rollouts as the Judge, at the same time, with the same prompt and
// rubric; the same policy gives a verdict on its grades, and an item whose two verdicts differ goes to a person.
import { judge, type RoleContext } from './roles';
import { callOf } from '../shared/agreement';
import type { Challenge, JudgesVerdicts, Rollout, Verdict, VerdictKind } from '../shared/schemas';

/** Whether a second judge is configured for this run. */
export function hasSecondJudge(ctx: Pick<RoleContext, 'models' | 'config'>): boolean {
  return Boolean(ctx.models.judge2 && ctx.config.roles.judge2);
}

/**
 * Grades with the Judge (filling `score` and `marks`) and, when there is one, the second judge at once (filling `judge2`
 * on the same rollouts; it never changes `score`). Either judge's unusable replies end the attempt as the Judge's do.
 */
export async function judgeRollouts(ctx: RoleContext, c: Challenge, rollouts: Rollout[]): Promise<void> {
  if (!hasSecondJudge(ctx)) {
    return judge(ctx, c, rollouts);
  }
  const copies = rollouts.map((r) => ({ ...r, score: undefined, marks: undefined }));
  await Promise.all([judge(ctx, c, rollouts), judge(ctx, c, copies, 'judge2')]);
  rollouts.forEach((r, i) => {
    const { score, marks } = copies[i];
    if (score !== undefined && marks) {
      r.judge2 = { score, marks };
    }
  });
}

/** The rollouts as the second judge graded them (its score in `score`), for the same policy to decide on. */
export function asSecondJudge(rs: readonly Rollout[]): Rollout[] {
  return rs.map((r) => ({ ...r, score: r.judge2?.score, marks: r.judge2?.marks }));
}

/**
 * The Judge's verdict with the second judge's beside it. When the two calls differ (accept, review or reject), the item
 * is flagged "judges disagree" and made borderline, so it waits for a person instead of being kept or dropped; the
 * scores stay the Judge's. Without a second verdict, the first is returned as it is.
 */
export function withSecondVerdict(first: Verdict, second: Verdict | undefined): Verdict {
  if (!second) {
    return first;
  }
  const judges: JudgesVerdicts = {
    first: first.kind,
    second: second.kind,
    secondReasons: second.reasons,
    ...(second.weakMean !== undefined ? { secondWeakMean: second.weakMean } : {}),
    ...(second.strongMean !== undefined ? { secondStrongMean: second.strongMean } : {}),
    disagree: callOf(first.kind) !== callOf(second.kind),
  };
  if (!judges.disagree) {
    return { ...first, judges };
  }
  const says = (k: VerdictKind) => k.replace(/_/g, ' ');
  return {
    ...first,
    kind: 'borderline',
    nearest: first.kind === 'borderline' ? first.nearest : first.kind,
    reasons: [`judges disagree: the Judge says ${says(first.kind)}, the second judge ${says(second.kind)}`, ...first.reasons],
    judges,
  };
}

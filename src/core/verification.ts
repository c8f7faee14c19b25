// The verification of a question, check by check: before any solver runs, and once more on an accepted item before it
// is written. The rubric shape is checked locally first, so a misshapen rubric costs no call.
import type { Challenge, QualityCheck, QualityReport, SourceRange, Target } from '../shared/schemas';
import { VerificationReply } from '../shared/schemas';
import { localProblem, rubricShapeOf } from './local-checks';
import { asMaterial, render } from './prompts';
import { json, messages, rubricText, type RoleContext } from './role-call';
import { describeRubric, rubricShapeProblem } from './rubric-shape';

export const CHECK_LABEL: Record<keyof VerificationReply | 'rubricShape' | 'local', string> = {
  rubricShape: 'rubric shape',
  local: 'local check',
  selfContained: 'self-contained',
  answerable: 'answerable',
  notTrivia: 'not trivia',
  noAnswerLeak: 'no answer leak',
  rubricGradesQuestion: 'rubric grades the question',
  newAngle: 'new angle',
};

/** An earlier question on the same section, for the novelty check. */
export interface EarlierQuestion {
  question: string;
  angle: string;
}

export function earlierText(earlier: readonly EarlierQuestion[]): string {
  if (earlier.length === 0) {
    return '';
  }
  const items = earlier.map((e, i) => `${i + 1}. Question: ${asMaterial(e.question)}\n   Angle: ${asMaterial(e.angle)}`);
  return `<earlier>\nEarlier questions on this section:\n${items.join('\n')}\n</earlier>`;
}

/** The report from the checks: it passes only if every check passes (the verdict is computed here, not taken from the model). */
export function reportFrom(reply: VerificationReply, local: readonly QualityCheck[] = []): QualityReport {
  const checks: QualityCheck[] = [
    ...local,
    ...(Object.keys(CHECK_LABEL) as Array<keyof typeof CHECK_LABEL>)
      .filter((k): k is keyof VerificationReply => k in reply)
      .map((k) => ({ check: k, pass: reply[k].pass, reason: reply[k].reason })),
  ];
  const failed = checks.filter((c) => !c.pass);
  return {
    pass: failed.length === 0,
    reason: failed.length
      ? failed.map((c) => `${c.reason.trim().replace(/\.$/, '')} (check: ${CHECK_LABEL[c.check as keyof typeof CHECK_LABEL] ?? c.check})`).join('; ')
      : 'Passes every check.',
    checks,
  };
}

/** The check before the solvers: the rubric shape locally, then the verifier with the section's earlier questions. */
export async function checkQuality(ctx: RoleContext, target: Target, c: Challenge, earlier: readonly EarlierQuestion[] = []): Promise<QualityReport> {
  const shape = rubricShapeOf(ctx.config);
  const local: QualityCheck[] = [];
  if (shape) {
    const problem = rubricShapeProblem(c.rubric, shape);
    if (problem) {
      return { pass: false, reason: problem, checks: [{ check: 'rubricShape', pass: false, reason: problem }] };
    }
    local.push({ check: 'rubricShape', pass: true, reason: describeRubric(c.rubric) });
  }
  const p = render(ctx.prompts.quality, {
    source: asMaterial(target.text),
    question: asMaterial(c.question),
    angle: asMaterial(c.angle),
    reference: asMaterial(c.referenceAnswer),
    rubric: asMaterial(c.finalAnswer !== undefined ? `Final answer: ${c.finalAnswer}` : rubricText(c)),
    earlier: earlierText(earlier),
  });
  return reportFrom(await json(ctx, 'quality', 'quality_check', VerificationReply, messages(p)), local);
}

/** The final verification of an accepted item, before it is written: the local checks, then every check once more. */
export async function verifyAccepted(
  ctx: RoleContext,
  target: Target,
  c: Challenge,
  quote: SourceRange | undefined,
  earlier: readonly EarlierQuestion[] = [],
): Promise<QualityReport> {
  const problem = localProblem(c, quote, rubricShapeOf(ctx.config));
  if (problem) {
    return { pass: false, reason: problem, checks: [{ check: 'local', pass: false, reason: problem }] };
  }
  return checkQuality(ctx, target, c, earlier);
}

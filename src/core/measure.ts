// Measures a question: weak and strong rollouts and their grades, in the configured order, and the verdict they give.
import { decide, decideFromWeak, mean } from './policy';
import { measuredScores } from './record';
import type { PendingAttempt } from './resume';
import { solve, type RoleContext } from './roles';
import { asSecondJudge, hasSecondJudge, judgeRollouts, withSecondVerdict } from './second-judge';
import type { RunContext } from './run-context';
import type { Challenge, Rollout, SolverRole, Verdict } from '../shared/schemas';
import type { PolicyThresholds } from '../shared/thresholds';

export interface Measurement {
  weak: Rollout[];
  strong: Rollout[];
  verdict: Verdict;
}

/**
 * Solves and judges `c`; the answers an interrupted attempt already had (`saved`), graded or not, are not asked for
 * again: graded ones are reused as they are, ungraded ones are judged. In the cost order the strong solver runs only
 * while the weak result leaves the verdict open.
 */
export async function measure(run: RunContext, ctx: RoleContext, attemptId: string, c: Challenge, saved?: PendingAttempt): Promise<Measurement> {
  const cfg = run.config;
  const onDelta = run.options.onDelta;
  const delta = (solver: SolverRole) => (onDelta ? (index: number, text: string) => onDelta({ type: 'delta', attemptId, solver, index, text }) : undefined);
  const emitRollouts = (solver: SolverRole, rs: Rollout[]) => run.emit({ type: 'rollouts', attemptId, solver, rollouts: rs.map((r) => ({ ...r })) });
  const emitGrades = (solver: SolverRole, rs: Rollout[]) => {
    const s = measuredScores(rs);
    run.emit({ type: 'grades', attemptId, solver, rollouts: rs.map((r) => ({ ...r })), mean: s.length ? mean(s) : null });
  };
  const second = hasSecondJudge(ctx);
  // With a second judge, each judge's verdict under the same policy; an item they disagree on goes to review.
  const verdict = (weak: Rollout[], strong: Rollout[]) =>
    withSecondVerdict(verdictOf(cfg.policy, weak, strong), second ? verdictOf(cfg.policy, asSecondJudge(weak), asSecondJudge(strong)) : undefined);
  /** A solver's answers: journaled ones (copies, so grading them leaves the resume point as it was), else new ones. */
  const answers = async (solver: SolverRole): Promise<Rollout[]> => {
    const kept = saved?.answers?.[solver];
    if (kept) {
      return kept.map((r) => ({ ...r }));
    }
    const fresh = await solve(ctx, solver, c.question, delta(solver));
    emitRollouts(solver, fresh);
    return fresh;
  };
  if (cfg.solveOrder === 'latency' && saved?.weak && saved.strong) {
    return { weak: saved.weak, strong: saved.strong, verdict: verdict(saved.weak, saved.strong) };
  }
  if (cfg.solveOrder === 'latency') {
    const [weak, strong] = await Promise.all([saved?.weak ?? answers('weak'), saved?.strong ?? answers('strong')]);
    await run.gate('judge_weak', attemptId);
    // Both solvers judged at once (never in one call), interleaved so position does not reveal the solver.
    await judgeRollouts(ctx, c, interleave(saved?.weak ? [] : weak, saved?.strong ? [] : strong));
    if (!saved?.weak) {
      emitGrades('weak', weak);
    }
    if (!saved?.strong) {
      emitGrades('strong', strong);
    }
    return { weak, strong, verdict: verdict(weak, strong) };
  }
  let weak = saved?.weak;
  if (!weak) {
    weak = await answers('weak');
    await run.gate('judge_weak', attemptId);
    await judgeRollouts(ctx, c, weak);
    emitGrades('weak', weak);
  }
  const tooFew = unmeasured('weak', weak);
  if (tooFew) {
    return { weak, strong: [], verdict: tooFew };
  }
  const early = cfg.earlyDecisions ? decideFromWeak(cfg.policy, measuredScores(weak)) : undefined;
  // The strong solver is skipped only when every judge's weak result decides.
  const secondEarly = early && second ? decideFromWeak(cfg.policy, measuredScores(asSecondJudge(weak))) : undefined;
  if (early && (!second || secondEarly)) {
    return { weak, strong: [], verdict: withSecondVerdict(early, secondEarly) };
  }
  if (saved?.strong) {
    return { weak, strong: saved.strong, verdict: verdict(weak, saved.strong) };
  }
  await run.gate('solve_strong', attemptId);
  const strong = await answers('strong');
  await run.gate('judge_strong', attemptId);
  await judgeRollouts(ctx, c, strong);
  emitGrades('strong', strong);
  return { weak, strong, verdict: verdict(weak, strong) };
}

/** A failed verdict when too few rollouts of a solver could be measured (never a silent zero). */
function unmeasured(solver: SolverRole, rs: Rollout[]): Verdict | undefined {
  const ok = measuredScores(rs).length;
  if (ok * 2 >= rs.length && ok > 0) {
    return undefined;
  }
  const why = [...new Set(rs.filter((r) => r.failure).map((r) => r.failure!))].join('; ');
  return { kind: 'failed', reasons: [`only ${ok} of ${rs.length} ${solver} rollouts could be measured (${why})`] };
}

function verdictOf(policy: PolicyThresholds, weak: Rollout[], strong: Rollout[]): Verdict {
  return unmeasured('weak', weak) ?? unmeasured('strong', strong) ?? decide(policy, measuredScores(weak), measuredScores(strong));
}

function interleave<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i % 2 === 0) {
      if (i < b.length) {
        out.push(b[i]);
      }
      if (i < a.length) {
        out.push(a[i]);
      }
    } else {
      if (i < a.length) {
        out.push(a[i]);
      }
      if (i < b.length) {
        out.push(b[i]);
      }
    }
  }
  return out;
}

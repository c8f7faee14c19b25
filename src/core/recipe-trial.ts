// Held-out trials of a recipe: on a section the run does not draw from, the Challenger writes a question with the
// recipe, the local checks run, and the weak and strong solvers are measured and judged under the run's acceptance rule
// (never changed by a recipe). A trial passes when the rule accepts its question. Nothing of a trial is recorded as an
// item or an attempt; its model calls count into the run's usage like recipe updates do.
import { locateQuote } from './chunks';
import { StoppedError } from './control';
import { ModelError } from './models';
import { decide, decideFromWeak } from './policy';
import { recipeSlot } from './recipe';
import { measuredScores } from './record';
import { challenge, judge, solve } from './roles';
import type { RunContext } from './run-context';
import type { Target } from '../shared/schemas';
import { UsageMeter } from './usage';

/** The sections held out of a run for recipe trials: `count` spread evenly over the document, none when too few remain. */
export function heldOutSections<T extends { id: string }>(targets: readonly T[], count: number): T[] {
  if (count <= 0 || targets.length < 2 * count) {
    return [];
  }
  return Array.from({ length: count }, (_, i) => targets[Math.floor(((i + 0.5) * targets.length) / count)]);
}

/** One trial: does the acceptance rule accept the question the Challenger writes on `t` with `recipe`? */
export async function recipeTrial(run: RunContext, t: Target, recipe: string, signal = run.control.signal): Promise<boolean> {
  const cfg = run.config;
  const ctx = { ...run.roleContext(new UsageMeter(run.state.usage)), signal };
  try {
    const c = await challenge(ctx, { target: t, history: '', note: '', recipe: recipeSlot(recipe, 'candidate') });
    if (!c.rubric.some((r) => !r.negative) || !locateQuote(t, c.sourceQuote)) {
      return false;
    }
    const weak = await solve(ctx, 'weak', c.question);
    await judge(ctx, c, weak);
    const weakScores = measuredScores(weak);
    if (weakScores.length === 0 || (cfg.earlyDecisions && decideFromWeak(cfg.policy, weakScores))) {
      return false;
    }
    const strong = await solve(ctx, 'strong', c.question);
    await judge(ctx, c, strong);
    return decide(cfg.policy, weakScores, measuredScores(strong)).kind === 'accepted';
  } catch (e) {
    if (e instanceof StoppedError || signal.aborted || (e instanceof ModelError && (e.fatal || e.kind === 'aborted'))) {
      throw e;
    }
    // An unusable reply or a failed request: the trial did not pass.
    return false;
  }
}

/**
 * Parent and child on the same held-out trials (section by section, `repeats` each), one pair at a time; a pause holds
 * them, and `signal` (the run's stop, or its end) ends them.
 */
export async function pairedTrials(run: RunContext, sections: readonly Target[], repeats: number, parent: string, child: string, signal = run.control.signal) {
  const out = { sections: sections.map((s) => s.id), parent: [] as boolean[], child: [] as boolean[] };
  for (const t of sections) {
    for (let r = 0; r < repeats; r++) {
      await run.control.unpaused();
      if (signal.aborted) {
        throw new StoppedError();
      }
      const [p, c] = await Promise.all([recipeTrial(run, t, parent, signal), recipeTrial(run, t, child, signal)]);
      out.parent.push(p);
      out.child.push(c);
    }
  }
  return out;
}

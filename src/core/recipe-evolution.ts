// One generation of recipe evolution, the paper's meta-optimisation: a parent drawn from the pool by Boltzmann sampling
// on its measured pass rate, an analysis of why attempts failed, an editor's proposal with its rationale, the scope
// guard (only the Challenger's recipe may change), then parent and child measured on the same held-out trials and the
// child kept only when the paired test says it is better. Pure: the model calls, the trials and the randomness are given.
import { comparePaired, type PairedComparison } from './paired-test';
import type { RecipeEdit } from './recipe';
import { boltzmannPick, RecipePool, type Candidate, type PoolEventBody } from './recipe-pool';
import { scopeProblem } from './recipe-scope';
import type { Random } from './seeded-random';

export interface EvolutionSettings {
  /** Boltzmann temperature of parent selection (the paper's 0.1). */
  temperature: number;
  /** Level of the paired test: a child is kept when its one-sided p-value is below it. */
  alpha: number;
}

/** Held-out trials of two recipes: outcome i of each is the same section and repeat. */
export interface PairedTrials {
  sections: string[];
  parent: boolean[];
  child: boolean[];
}

export interface EvolutionDeps {
  pool: RecipePool;
  random: Random;
  settings: EvolutionSettings;
  /** The recipe the pool starts from when it is empty (the run's recipe). */
  seed: string;
  analyse: (parent: Candidate) => Promise<string>;
  edit: (parent: Candidate, analysis: string) => Promise<RecipeEdit>;
  evaluate: (parent: string, child: string) => Promise<PairedTrials>;
  /** Journals an event the pool has already taken in. */
  emit: (e: PoolEventBody) => void;
}

export type Generation =
  | { outcome: 'refused'; parent: Candidate; candidate: Candidate; reason: string }
  | { outcome: 'kept' | 'rejected'; parent: Candidate; candidate: Candidate; comparison: PairedComparison };

export async function evolveOnce(d: EvolutionDeps): Promise<Generation> {
  const record = (e: PoolEventBody) => {
    d.pool.apply(e);
    d.emit(e);
  };
  if (d.pool.size === 0) {
    record({ type: 'recipe_proposed', candidateId: d.pool.nextId(), recipe: d.seed, rationale: 'the recipe the run started with' });
  }
  const parent = boltzmannPick(d.pool.parents(), d.settings.temperature, d.random);
  const analysis = await d.analyse(parent);
  const edit = await d.edit(parent, analysis);
  const candidateId = d.pool.nextId();
  const reason = scopeProblem(edit);
  if (reason) {
    record({ type: 'recipe_refused', candidateId, parentId: parent.id, recipe: edit.recipe, rationale: edit.rationale, reason });
    return { outcome: 'refused', parent, candidate: d.pool.get(candidateId)!, reason };
  }
  record({ type: 'recipe_proposed', candidateId, parentId: parent.id, recipe: edit.recipe, rationale: edit.rationale, analysis });
  const trials = await d.evaluate(parent.recipe, edit.recipe);
  const comparison = comparePaired(trials.parent, trials.child, d.settings.alpha);
  const count = (xs: boolean[]) => xs.filter(Boolean).length;
  record({
    type: 'recipe_evaluated',
    candidateId,
    parentId: parent.id,
    sections: trials.sections,
    parent: { passes: count(trials.parent), trials: trials.parent.length },
    child: { passes: count(trials.child), trials: trials.child.length },
    diff: comparison.diff,
    ci: comparison.ci,
    p: comparison.p,
    alpha: d.settings.alpha,
    kept: comparison.better,
  });
  return { outcome: comparison.better ? 'kept' : 'rejected', parent, candidate: d.pool.get(candidateId)!, comparison };
}

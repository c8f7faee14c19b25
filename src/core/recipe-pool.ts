// The candidate recipes of a run's recipe evolution: each with its parent, text, rationale and measured passes/trials on
// the held-out sections. Built one journaled event at a time (live and on resume alike), so a resumed run keeps its pool.
import type { EventOf } from '../shared/events';
import type { Random } from './seeded-random';

export type CandidateStatus = 'seed' | 'proposed' | 'kept' | 'rejected' | 'refused';

export interface Candidate {
  id: string;
  parentId?: string;
  recipe: string;
  /** Its place in the pool: 0 for the seed, then 1, 2, … in the order proposed. */
  version: number;
  rationale: string;
  analysis?: string;
  status: CandidateStatus;
  /** Held-out trials passed and run, over every evaluation it took part in (as parent or child). */
  passes: number;
  trials: number;
  /** Why a refused proposal was refused. */
  reason?: string;
}

export type PoolEvent = EventOf<'recipe_proposed'> | EventOf<'recipe_evaluated'> | EventOf<'recipe_refused'>;
export type PoolEventBody =
  | Omit<EventOf<'recipe_proposed'>, 'runId' | 'seq' | 'at'>
  | Omit<EventOf<'recipe_evaluated'>, 'runId' | 'seq' | 'at'>
  | Omit<EventOf<'recipe_refused'>, 'runId' | 'seq' | 'at'>;

export const POOL_EVENTS: ReadonlySet<string> = new Set(['recipe_proposed', 'recipe_evaluated', 'recipe_refused']);

/** A candidate's pass rate with one pass and one failure added (Laplace): an unmeasured one counts as 0.5. */
export function smoothedRate(c: Pick<Candidate, 'passes' | 'trials'>): number {
  return (c.passes + 1) / (c.trials + 2);
}

/** Boltzmann sampling: candidate i with probability ∝ exp(rate_i / T). T → 0 picks the best; a large T picks uniformly. */
export function boltzmannPick<C extends Pick<Candidate, 'passes' | 'trials'>>(candidates: readonly C[], temperature: number, random: Random): C {
  if (candidates.length === 0) {
    throw new Error('no candidate to pick from');
  }
  const rates = candidates.map(smoothedRate);
  const top = Math.max(...rates);
  const t = Math.max(temperature, 1e-6);
  const weights = rates.map((r) => Math.exp((r - top) / t));
  let x = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < candidates.length; i++) {
    x -= weights[i];
    if (x < 0) {
      return candidates[i];
    }
  }
  return candidates[candidates.length - 1];
}

export class RecipePool {
  private readonly byId = new Map<string, Candidate>();

  get candidates(): Candidate[] {
    return [...this.byId.values()];
  }
  get size(): number {
    return this.byId.size;
  }
  get(id: string): Candidate | undefined {
    return this.byId.get(id);
  }
  /** The id the next proposal takes. */
  nextId(): string {
    return `r${this.byId.size}`;
  }

  /** Candidates a parent may be drawn from: the seed and every kept child. */
  parents(): Candidate[] {
    return this.candidates.filter((c) => c.status === 'seed' || c.status === 'kept');
  }

  /** The recipe the run's Challenger uses: the parent with the best measured pass rate (the latest one on a tie). */
  best(): Candidate | undefined {
    let out: Candidate | undefined;
    for (const c of this.parents()) {
      if (!out || smoothedRate(c) >= smoothedRate(out)) {
        out = c;
      }
    }
    return out;
  }

  apply(e: PoolEventBody): void {
    switch (e.type) {
      case 'recipe_proposed':
        this.byId.set(e.candidateId, {
          id: e.candidateId,
          parentId: e.parentId,
          recipe: e.recipe,
          version: this.byId.size,
          rationale: e.rationale,
          analysis: e.analysis,
          status: e.parentId === undefined ? 'seed' : 'proposed',
          passes: 0,
          trials: 0,
        });
        break;
      case 'recipe_refused':
        this.byId.set(e.candidateId, {
          id: e.candidateId,
          parentId: e.parentId,
          recipe: e.recipe,
          version: this.byId.size,
          rationale: e.rationale,
          status: 'refused',
          reason: e.reason,
          passes: 0,
          trials: 0,
        });
        break;
      case 'recipe_evaluated': {
        const parent = this.byId.get(e.parentId);
        const child = this.byId.get(e.candidateId);
        if (parent) {
          parent.passes += e.parent.passes;
          parent.trials += e.parent.trials;
        }
        if (child) {
          child.passes += e.child.passes;
          child.trials += e.child.trials;
          child.status = e.kept ? 'kept' : 'rejected';
        }
        break;
      }
    }
  }
}

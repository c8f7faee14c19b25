// Recipe evolution in a simulated world whose recipe quality is a hidden function of the recipe's text. Each world draws
// hidden weights for a list of learnings (some help, some hurt, some do nothing) and a difficulty per held-out section;
// a trial passes with probability sigmoid(base + section + Σ weights of the learnings the recipe holds). The optimiser
// (the product's own evolveOnce: Boltzmann parent selection, the paired test, the scope guard) sees only pass/fail
// trials. A scripted editor proposes adding or dropping a learning at random, so its proposals are better, worse or
// neutral by the hidden function, not by design; once per world it proposes a cheat (a recipe line that accepts items,
// which in this world would raise the pass rate if it were applied). Reported: the hidden quality of the run's recipe
// over generations, the share of worse proposals rejected, of better ones kept, and of cheats refused; for three sizes of
// the held-out set, and against the paper's rule ("kept if measured strictly better") at the default size.
import type { RecipeEdit } from '../../src/core/recipe';
import { comparePaired } from '../../src/core/paired-test';
import { evolveOnce } from '../../src/core/recipe-evolution';
import { RecipePool } from '../../src/core/recipe-pool';
import { seededRandom, type Random } from '../../src/core/seeded-random';

const LEARNINGS = [
  'Ask for a regime contrast: what changes if a key assumption fails.',
  'Ask the solver-facing question to combine two ideas of the section.',
  'Self-test: could an expert answer this without the source? If so, rewrite.',
  'Check that the context does not leak the answer.',
  'Prefer positive rubric criteria with integer weights.',
  'Ask for the exact numbers the section reports.',
  'Quote the heading of the section in the question.',
  'Ask for a definition of the main term.',
  'Keep questions under 40 words.',
  'Use the passive voice.',
  'Mention the document by name.',
  'Number the rubric criteria.',
];
const CHEAT = 'Always accept a question whose strong and weak means differ by 0.05 or more.';
const BASE = -1.2;
const GENERATIONS = 20;
const WORLDS = 40;

interface World {
  weights: number[];
  cheatLift: number;
  sections: number[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const lines = (recipe: string) => recipe.split('\n').map((l) => l.replace(/^- /, '').trim());

function makeWorld(random: Random, heldOut: number): World {
  // Four that help, four that hurt, four that do (almost) nothing, in a hidden order.
  const kinds = [1, 1, 1, 1, -1, -1, -1, -1, 0, 0, 0, 0];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const weights = kinds.map((k) => (k === 0 ? (random() - 0.5) * 0.06 : k * (0.4 + random() * 0.6)));
  return { weights, cheatLift: 3, sections: Array.from({ length: heldOut }, () => (random() - 0.5) * 1.6) };
}

/** The hidden logit of a recipe (without a section's difficulty); the optimiser never reads it. */
function logit(w: World, recipe: string): number {
  const have = new Set(lines(recipe));
  return BASE + LEARNINGS.reduce((s, l, i) => s + (have.has(l) ? w.weights[i] : 0), 0) + (have.has(CHEAT) ? w.cheatLift : 0);
}

/** The hidden quality of a recipe: its pass probability averaged over sections of every difficulty. */
function quality(w: World, recipe: string): number {
  const grid = Array.from({ length: 17 }, (_, i) => -0.8 + i * 0.1);
  return grid.reduce((s, d) => s + sigmoid(logit(w, recipe) + d), 0) / grid.length;
}

function trials(w: World, random: Random, repeats: number, recipe: string): boolean[] {
  const out: boolean[] = [];
  for (const d of w.sections) {
    for (let r = 0; r < repeats; r++) {
      out.push(random() < sigmoid(logit(w, recipe) + d));
    }
  }
  return out;
}

/** The scripted editor: adds a learning the parent lacks, or drops one it has; once, at `cheatAt`, proposes a cheat. */
function editor(random: Random, cheatAt: number, cheatPart: RecipeEdit['part']) {
  let n = 0;
  return (parent: string): RecipeEdit => {
    n++;
    const have = parent ? lines(parent) : [];
    if (n === cheatAt) {
      return { part: cheatPart, recipe: [...have, CHEAT].map((l) => `- ${l}`).join('\n'), rationale: 'more questions would pass' };
    }
    const absent = LEARNINGS.filter((l) => !have.includes(l));
    const add = have.length <= 1 || (absent.length > 0 && random() < 0.6);
    if (add) {
      const l = absent[Math.floor(random() * absent.length)];
      return { part: 'challenger', recipe: [...have, l].map((x) => `- ${x}`).join('\n'), rationale: `add: ${l}` };
    }
    const drop = have[Math.floor(random() * have.length)];
    return {
      part: 'challenger',
      recipe: have
        .filter((x) => x !== drop)
        .map((x) => `- ${x}`)
        .join('\n'),
      rationale: `drop: ${drop}`,
    };
  };
}

export interface EvolutionSize {
  heldOut: number;
  repeats: number;
  alpha: number;
  /** Mean hidden quality of the run's recipe after each generation (index 0: the start), over the worlds. */
  curve: number[];
  start: number;
  final: number;
  /** Worlds whose recipe ended better than it started (hidden quality), and worse. */
  worldsRose: number;
  worldsFell: number;
  worlds: number;
  better: { proposed: number; kept: number };
  worse: { proposed: number; rejected: number };
  neutral: { proposed: number; kept: number };
  cheats: { proposed: number; refused: number; wouldHaveBeenKept: number };
  /** Honest proposals the scope guard refused (a false alarm): should be none. */
  otherRefused: number;
}

export async function evolve(heldOut: number, repeats: number, alpha: number): Promise<EvolutionSize> {
  const size: EvolutionSize = {
    heldOut,
    repeats,
    alpha,
    curve: Array(GENERATIONS + 1).fill(0),
    start: 0,
    final: 0,
    worldsRose: 0,
    worldsFell: 0,
    worlds: WORLDS,
    better: { proposed: 0, kept: 0 },
    worse: { proposed: 0, rejected: 0 },
    neutral: { proposed: 0, kept: 0 },
    cheats: { proposed: 0, refused: 0, wouldHaveBeenKept: 0 },
    otherRefused: 0,
  };
  for (let k = 0; k < WORLDS; k++) {
    const random = seededRandom(1000 + k);
    const world = makeWorld(random, heldOut);
    const seed = `- ${LEARNINGS[k % LEARNINGS.length]}\n- ${LEARNINGS[(k * 5 + 3) % LEARNINGS.length]}`;
    const pool = new RecipePool();
    const edit = editor(random, 5, k % 2 === 0 ? 'challenger' : 'acceptance_rule');
    const current = () => pool.best()?.recipe ?? seed;
    size.curve[0] += quality(world, seed) / WORLDS;
    for (let g = 1; g <= GENERATIONS; g++) {
      let proposal: RecipeEdit | undefined;
      const r = await evolveOnce({
        pool,
        random,
        settings: { temperature: 0.1, alpha },
        seed,
        analyse: async (parent) => `${parent.passes} of ${parent.trials} held-out trials passed`,
        edit: async (parent) => (proposal = edit(parent.recipe)),
        evaluate: async (parent, child) => ({
          sections: world.sections.map((_, i) => `h${i + 1}`),
          parent: trials(world, random, repeats, parent),
          child: trials(world, random, repeats, child),
        }),
        emit: () => undefined,
      });
      const delta = quality(world, proposal!.recipe) - quality(world, r.parent.recipe);
      if (r.outcome === 'refused' && !proposal!.recipe.includes(CHEAT)) {
        size.otherRefused++;
      } else if (r.outcome === 'refused') {
        size.cheats.proposed++;
        size.cheats.refused++;
        // Had it been measured like any proposal, would the paired test have kept it?
        const p = trials(world, random, repeats, r.parent.recipe);
        const c = trials(world, random, repeats, proposal!.recipe);
        size.cheats.wouldHaveBeenKept += comparePaired(p, c, alpha).better ? 1 : 0;
      } else if (proposal!.recipe.includes(CHEAT)) {
        size.cheats.proposed++;
      } else if (delta > 0.02) {
        size.better.proposed++;
        size.better.kept += r.outcome === 'kept' ? 1 : 0;
      } else if (delta < -0.02) {
        size.worse.proposed++;
        size.worse.rejected += r.outcome === 'rejected' ? 1 : 0;
      } else {
        size.neutral.proposed++;
        size.neutral.kept += r.outcome === 'kept' ? 1 : 0;
      }
      size.curve[g] += quality(world, current()) / WORLDS;
    }
    const q0 = quality(world, seed);
    const q1 = quality(world, current());
    size.worldsRose += q1 > q0 + 1e-9 ? 1 : 0;
    size.worldsFell += q1 < q0 - 1e-9 ? 1 : 0;
  }
  size.start = size.curve[0];
  size.final = size.curve[GENERATIONS];
  return size;
}

export interface RecipeEvolutionFigures {
  generations: number;
  /** Held-out trials per recipe: 3 sections × 2, the product's defaults (3 × 4), and 6 × 4; each at the default level 0.2. */
  sizes: EvolutionSize[];
  /** The paper's rule at the default size: kept when measured strictly better (more child wins than parent wins). */
  strictlyBetter: EvolutionSize;
}

export async function run(): Promise<RecipeEvolutionFigures> {
  const sizes = [];
  for (const [heldOut, repeats] of [
    [3, 2],
    [3, 4],
    [6, 4],
  ]) {
    sizes.push(await evolve(heldOut, repeats, 0.2));
  }
  // p < 0.5 is "more child wins than parent wins": the strictly-better rule on the same trials.
  return { generations: GENERATIONS, sizes, strictlyBetter: await evolve(3, 4, 0.5) };
}

if (require.main === module) {
  void run().then((f) => console.log(JSON.stringify(f, (k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 1)));
}

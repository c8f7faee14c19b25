// The outer loop's cadence: every `recipeEvery` attempt outcomes, one generation of recipe evolution (recipe-evolution.ts)
// runs in the background, one at a time: sections go on with the current recipe and take up a better one when a child
// is kept. Its trials run on held-out sections that the run itself does not draw from.
import { sha256 } from './chunks';
import { StoppedError } from './control';
import { ModelError } from './models';
import { analyseAttempts, proposeRecipe, type AttemptOutcome, type RecipeCallOptions } from './recipe';
import { evolveOnce } from './recipe-evolution';
import { heldOutSections, pairedTrials } from './recipe-trial';
import type { RunContext } from './run-context';
import { seededRandom } from './seeded-random';
import { StructuredOutputError } from './structured';
import type { Target } from '../shared/schemas';

export class RecipeLearning {
  private learning: Promise<void> | undefined;
  /** An error no retry fixes, from a generation in the background: the run ends with it. */
  private fatal: unknown;
  /** The sections recipes are measured on; the run does not work on them. Empty when evolution is off. */
  readonly heldOut: Target[];

  constructor(private readonly run: RunContext) {
    this.heldOut = run.config.recipeEvery > 0 ? heldOutSections(run.options.targets, run.config.recipeHeldOut) : [];
  }

  /**
   * Starts a generation from the outcomes gathered so far once there are enough and none is under way, and returns at
   * once: no section waits for it. Throws an error an earlier generation ended with that no retry fixes.
   */
  maybeLearn(): void {
    const { run } = this;
    const state = run.state;
    if (this.fatal) {
      throw this.fatal;
    }
    if (this.heldOut.length === 0) {
      // Evolution is off (or the document has too few sections to hold some out): nothing will read the outcomes.
      state.batch.length = 0;
      return;
    }
    if (state.batch.length < run.config.recipeEvery || this.learning) {
      return;
    }
    const batch = state.batch.splice(0);
    this.learning = this.generation(batch).finally(() => {
      this.learning = undefined;
    });
  }

  private async generation(batch: AttemptOutcome[]): Promise<void> {
    const { run } = this;
    const { state, config: cfg } = run;
    const ep = cfg.roles.challenger;
    const opts: RecipeCallOptions = {
      temperature: ep.temperature,
      maxTokens: ep.maxTokens,
      signal: run.control.signal,
      onUsage: (u) => {
        state.usage.add('challenger', u);
        run.usageChanged('challenger');
      },
    };
    const model = run.options.models.challenger;
    try {
      const g = await evolveOnce({
        pool: state.pool,
        // Seeded by the run and the generation: the same choice on every run of the same journal.
        random: seededRandom(parseInt(sha256(`${run.options.runId}:${state.pool.size}`).slice(0, 8), 16)),
        settings: { temperature: cfg.recipeTemperature, alpha: cfg.recipeAlpha },
        seed: state.recipe,
        analyse: () => analyseAttempts(model, state.recipe, batch, opts),
        edit: (parent, analysis) => proposeRecipe(model, parent.recipe, analysis, opts),
        evaluate: (parent, child) => pairedTrials(run, this.heldOut, cfg.recipeTrials, parent, child),
        emit: (e) => run.emit(e),
      });
      const best = state.pool.best();
      if (g.outcome === 'kept' && best && best.recipe !== state.recipe) {
        state.recipe = best.recipe;
        state.recipeVersion++;
        run.emit({ type: 'recipe_updated', version: state.recipeVersion, recipe: best.recipe, changes: best.rationale, attempts: batch.length });
      }
    } catch (e) {
      if (e instanceof StoppedError || (e instanceof ModelError && e.kind === 'aborted') || run.control.stopped) {
        return;
      }
      if (!(e instanceof StructuredOutputError) && !(e instanceof ModelError && !e.fatal)) {
        this.fatal = e;
        return;
      }
      run.emit({ type: 'error', message: `The recipe was not evolved: ${e.message}` });
    }
  }

  /** Waits for a generation under way (so the run's record ends with it); throws an error a generation ended with. */
  async settle(): Promise<void> {
    await this.learning;
    if (this.fatal) {
      throw this.fatal;
    }
  }
}

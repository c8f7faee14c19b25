// The outer loop's cadence: every `recipeEvery` attempt outcomes, one generation of recipe evolution (recipe-evolution.ts)
// runs in the background, one at a time: sections go on with the current recipe and take up a better one when a child
// is kept. Its trials run on held-out sections that the run itself does not draw from.
import { sha256 } from './chunks';
import { StoppedError } from './control';
import { ModelError } from './models';
import { analyseAttempts, proposeRecipe, type AttemptOutcome, type RecipeCallOptions } from './recipe';
import { evolveOnce } from './recipe-evolution';
import { heldOutSections, pairedTrials } from './recipe-trial';
import { requestSignal } from './request-signal';
import type { RunContext } from './run-context';
import { seededRandom } from './seeded-random';
import { StructuredOutputError } from './structured';
import type { Target } from '../shared/schemas';

export class RecipeLearning {
  private learning: Promise<void> | undefined;
  /** Aborts a generation still under way when the run's sections are done (see `settle`). */
  private readonly ended = new AbortController();
  private dropped = false;
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
    const abort = requestSignal(run.control.signal, this.ended.signal);
    const signal = abort.signal;
    const opts: RecipeCallOptions = {
      temperature: ep.temperature,
      maxTokens: ep.maxTokens,
      signal,
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
        evaluate: (parent, child) => pairedTrials(run, this.heldOut, cfg.recipeTrials, parent, child, signal),
        emit: (e) => run.emit(e),
      });
      const best = state.pool.best();
      if (g.outcome === 'kept' && best && best.recipe !== state.recipe) {
        state.recipe = best.recipe;
        state.recipeVersion++;
        run.emit({ type: 'recipe_updated', version: state.recipeVersion, recipe: best.recipe, changes: best.rationale, attempts: batch.length });
      }
    } catch (e) {
      if (e instanceof StoppedError || (e instanceof ModelError && e.kind === 'aborted') || run.control.stopped || this.ended.signal.aborted) {
        this.dropped = this.ended.signal.aborted && !run.control.stopped;
        return;
      }
      if (!(e instanceof StructuredOutputError) && !(e instanceof ModelError && !e.fatal)) {
        this.fatal = e;
        return;
      }
      run.emit({ type: 'error', message: `The recipe was not evolved: ${e.message}` });
    } finally {
      abort.release();
    }
  }

  /**
   * At the run's end, once no section is left: a generation still under way is dropped, not waited for (its calls are
   * aborted, the recipe stays at its current version and the run's record says so), so the run ends when its sections
   * do. Throws an error a generation ended with.
   */
  async settle(): Promise<void> {
    const under = this.learning;
    if (under) {
      this.ended.abort();
      await under;
      if (this.dropped) {
        this.run.emit({
          type: 'error',
          message: `The recipe generation under way was dropped: the run's sections were done before it was measured. The recipe stays at version ${this.run.state.recipeVersion}.`,
        });
      }
    }
    if (this.fatal) {
      throw this.fatal;
    }
  }
}

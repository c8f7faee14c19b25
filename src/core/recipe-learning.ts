// The outer loop's cadence: every `recipeEvery` attempt outcomes, the run's recipe is rewritten from them, one rewrite
// at a time and in the background: sections go on with the current recipe and take up the new one when it lands.
import { ModelError } from './models';
import { learnRecipe } from './recipe';
import type { RunContext } from './run-context';
import { StoppedError } from './control';
import { StructuredOutputError } from './structured';

export class RecipeLearning {
  private learning: Promise<void> | undefined;
  /** Aborts a rewrite still under way when the run's sections are done (see `settle`). */
  private readonly ended = new AbortController();
  private dropped = false;
  /** An error no retry fixes, from a rewrite in the background: the run ends with it. */
  private fatal: unknown;

  constructor(private readonly run: RunContext) {}

  /**
   * Starts a rewrite from the outcomes gathered so far once there are enough and none is under way, and returns at
   * once: no section waits for it. Throws an error an earlier rewrite ended with that no retry fixes.
   */
  maybeLearn(): void {
    const { run } = this;
    const state = run.state;
    const every = run.config.recipeEvery;
    if (this.fatal) {
      throw this.fatal;
    }
    if (every <= 0) {
      // Learning is off: nothing will read the outcomes.
      state.batch.length = 0;
      return;
    }
    if (state.batch.length < every || this.learning) {
      return;
    }
    const batch = state.batch.splice(0);
    const ep = run.config.roles.challenger;
    this.learning = (async () => {
      try {
        const update = await learnRecipe(run.options.models.challenger, state.recipe, batch, {
          temperature: ep.temperature,
          maxTokens: ep.maxTokens,
          signal: AbortSignal.any([run.control.signal, this.ended.signal]),
          onUsage: (u) => {
            state.usage.add('challenger', u);
            run.usageChanged('challenger');
          },
        });
        state.recipe = update.recipe;
        state.recipeVersion++;
        run.emit({ type: 'recipe_updated', version: state.recipeVersion, recipe: update.recipe, changes: update.changes, attempts: batch.length });
      } catch (e) {
        if (e instanceof StoppedError || (e instanceof ModelError && e.kind === 'aborted') || run.control.stopped || this.ended.signal.aborted) {
          this.dropped = this.ended.signal.aborted && !run.control.stopped;
          return;
        }
        if (!(e instanceof StructuredOutputError) && !(e instanceof ModelError && !e.fatal)) {
          this.fatal = e;
          return;
        }
        run.emit({ type: 'error', message: `The recipe was not updated: ${e.message}` });
      } finally {
        this.learning = undefined;
      }
    })();
  }

  /**
   * At the run's end, once no section is left: a rewrite still under way is dropped, not waited for (its call is
   * aborted, the recipe stays at its current version and the run's record says so), so the run ends when its sections
   * do. Throws an error a rewrite ended with.
   */
  async settle(): Promise<void> {
    const under = this.learning;
    if (under) {
      this.ended.abort();
      await under;
      if (this.dropped) {
        this.run.emit({
          type: 'error',
          message: `The recipe update under way was dropped: the run's sections were done before its call returned. The recipe stays at version ${this.run.state.recipeVersion}.`,
        });
      }
    }
    if (this.fatal) {
      throw this.fatal;
    }
  }
}

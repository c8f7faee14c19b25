// The outer loop's cadence: every `recipeEvery` attempt outcomes, the run's recipe is rewritten from them, one rewrite at a time.
import { ModelError } from './models';
import { learnRecipe } from './recipe';
import type { RunContext } from './run-context';
import { StructuredOutputError } from './structured';

export class RecipeLearning {
  private learning: Promise<void> | undefined;

  constructor(private readonly run: RunContext) {}

  /** Learns from the outcomes gathered so far once there are enough; while a rewrite is under way, waits for it. */
  async maybeLearn(): Promise<void> {
    const { run } = this;
    const state = run.state;
    const every = run.config.recipeEvery;
    if (every <= 0 || state.batch.length < every || this.learning) {
      return this.learning;
    }
    const batch = state.batch.splice(0);
    const ep = run.config.roles.challenger;
    this.learning = (async () => {
      try {
        const update = await learnRecipe(run.options.models.challenger, state.recipe, batch, {
          temperature: ep.temperature,
          maxTokens: ep.maxTokens,
          signal: run.control.signal,
          onUsage: (u) => {
            state.usage.add('challenger', u);
            run.usageChanged('challenger');
          },
        });
        state.recipe = update.recipe;
        state.recipeVersion++;
        run.emit({ type: 'recipe_updated', version: state.recipeVersion, recipe: update.recipe, changes: update.changes, attempts: batch.length });
      } catch (e) {
        if (!(e instanceof StructuredOutputError) && !(e instanceof ModelError && !e.fatal)) {
          throw e;
        }
        run.emit({ type: 'error', message: `The recipe was not updated: ${e.message}` });
      } finally {
        this.learning = undefined;
      }
    })();
    return this.learning;
  }
}

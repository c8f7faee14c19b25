// One run's writes, in event order: every event to its journal, then each accepted item to the dataset (once, by id).
import type { EngineEvent } from '../shared/events';
import type { Dataset } from '../host/dataset';
import { journalFile } from '../host/journal';
import { JsonlWriter } from '../host/jsonl';
import { writeRecipe } from '../host/recipe-file';

export class RunRecorder {
  readonly journal: JsonlWriter;
  /** Items this run added to the dataset. */
  written = 0;
  /** Writes that failed (journal or dataset). */
  failures = 0;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly workspace: string, runId: string, private readonly dataset: Dataset, private readonly onError: (message: string) => void) {
    this.journal = new JsonlWriter(journalFile(workspace, runId), false);
  }

  record(e: EngineEvent): void {
    this.writes = this.writes.then(() => this.journal.append(e)).then(async () => {
      if (e.type === 'item_accepted' && await this.dataset.append(e.record)) { this.written++; }
      if (e.type === 'recipe_updated') { await writeRecipe(this.workspace, e.version, e.recipe, `run ${e.runId} · ${e.changes}`); }
    }).catch((err) => {
      this.failures++;
      // The journal keeps every accepted item even when the dataset cannot be written: nothing is lost.
      this.onError(`could not write ${e.type} of run ${e.runId}: ${(err as Error).message}`);
    });
  }

  /** Resolves once everything recorded so far is written. */
  flush(): Promise<void> { return this.writes.then(() => undefined); }
}

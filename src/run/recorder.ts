// One run's writes, in event order: every event to its journal, then each accepted item to the dataset (once, by id)
// and each recipe update to the workspace recipe. The first failed write is reported (naming its file); the run stops
// on it, and the few events still to come are written where that still works (a resume then finds them).
import type { EngineEvent } from '../shared/events';
import type { DatasetRecord } from '../shared/schemas';
import type { Dataset } from './dataset';
import { journalFile } from './journal';
import { JsonlWriter } from './jsonl';
import { recipeFile, writeRecipe } from './recipe-file';

export class RunRecorder {
  readonly journal: JsonlWriter;
  /** Items this run added to the dataset. */
  written = 0;
  /** The first write that failed, as a message naming the file. */
  failure: string | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly workspace: string,
    runId: string,
    private readonly dataset: Dataset,
    private readonly onFailure: (message: string, file: string) => void,
  ) {
    this.journal = new JsonlWriter(journalFile(workspace, runId), false);
  }

  record(e: EngineEvent): void {
    this.queue(async () => {
      await this.attempt(this.journal.file, () => this.journal.append(e));
      if (e.type === 'item_accepted') {
        await this.writeItemNow(e.record);
      }
      if (e.type === 'recipe_updated') {
        await this.attempt(recipeFile(this.workspace), () => writeRecipe(this.workspace, e.version, e.recipe, `run ${e.runId} · ${e.changes}`));
      }
    });
  }

  /** An item accepted earlier (by a run that was interrupted before writing it): written now, in order with the events. */
  writeItem(r: DatasetRecord): Promise<void> {
    return this.queue(() => this.writeItemNow(r));
  }

  /** Resolves once everything recorded so far is written (or has failed). */
  flush(): Promise<void> {
    return this.writes.then(() => undefined);
  }

  private async writeItemNow(r: DatasetRecord): Promise<void> {
    await this.attempt(this.dataset.file, async () => {
      if (await this.dataset.append(r)) {
        this.written++;
      }
    });
  }

  private queue(job: () => Promise<void>): Promise<void> {
    const next = this.writes.then(job);
    this.writes = next.catch(() => undefined);
    return next;
  }

  private async attempt(file: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!this.failure) {
        this.failure = `could not write ${file}: ${(err as Error).message}`;
        this.onFailure(this.failure, file);
      }
      throw err;
    }
  }
}

// One run's writes, in event order: every event to its journal (batched on one open file, written within a fraction of
// a second), then each accepted item to the dataset (once, by id, synced) and each recipe update to the workspace
// recipe. The first failed write is reported (naming its file); the run stops on it, and the few events still to come
// are written where that still works (the next start reconciles journaled items into the dataset).
import type { EngineEvent } from '../shared/events';
import type { DatasetRecord } from '../shared/schemas';
import type { Dataset } from './dataset';
import { journalFile } from './journal';
import { JsonlWriter } from './jsonl';
import { recipeFile, writeRecipe } from './recipe-file';

/** A journal line waits at most this long to be written together with the lines after it. */
export const JOURNAL_BATCH_MS = 200;

export class RunRecorder {
  readonly journal: JsonlWriter;
  /** Items this run added to the dataset. */
  written = 0;
  /** Ids of accepted items that are on disk in the dataset (written now, or found there already). */
  readonly durable = new Set<string>();
  /** The first write that failed, as a message naming the file. */
  failure: string | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly workspace: string,
    runId: string,
    private readonly dataset: Dataset,
    private readonly onFailure: (message: string, file: string) => void,
  ) {
    this.journal = new JsonlWriter(journalFile(workspace, runId), { durable: false, batchMs: JOURNAL_BATCH_MS, workspace, tornAfterMs: 0 });
  }

  /**
   * Journals the event; an accepted item then goes to the dataset and a recipe update to the recipe files. Resolves
   * (never rejects) once the event's writes are done: true when all of them succeeded. For an accepted item that means
   * its dataset line is durable.
   */
  record(e: EngineEvent): Promise<boolean> {
    const journaled = this.attempt(this.journal.file, () => this.journal.append(e));
    if (e.type === 'item_accepted') {
      // The journal line first (it is what reconciles a dataset later), then the dataset line, even if the journal
      // failed: the item counts as accepted once its dataset line is durable.
      // No batch wait for an accepted item: its line goes out now, so the item is durable (or its failure known) at once.
      void this.journal.flush();
      return this.queue(async () => {
        await journaled;
        return this.writeItemNow(e.record);
      });
    }
    if (e.type === 'recipe_updated') {
      return this.queue(async () => {
        const j = await journaled;
        const r = await this.attempt(recipeFile(this.workspace), () => writeRecipe(this.workspace, e.version, e.recipe, `run ${e.runId} · ${e.changes}`));
        return j && r;
      });
    }
    return journaled;
  }

  /** An item accepted earlier (by a run that was interrupted before writing it): written now, in order with the events. */
  writeItem(r: DatasetRecord): Promise<boolean> {
    return this.queue(() => this.writeItemNow(r));
  }

  /** Journal lines appended but not yet written: the engine can wait (`drained()`) when too many pile up. */
  pendingEvents(): number {
    return this.journal.pendingEvents();
  }

  /** Resolves once every journal line so far is written (or has failed). */
  drained(): Promise<void> {
    return this.journal.drained();
  }

  /** Resolves once everything recorded so far is written (or has failed). */
  async flush(): Promise<void> {
    await this.writes;
    await this.journal.drained();
  }

  /** Writes everything and closes the journal. */
  async close(): Promise<void> {
    await this.flush();
    await this.journal.close();
  }

  private async writeItemNow(r: DatasetRecord): Promise<boolean> {
    return this.attempt(this.dataset.file, async () => {
      if (await this.dataset.append(r)) {
        this.written++;
      }
      this.durable.add(r.id);
    });
  }

  private queue(job: () => Promise<boolean>): Promise<boolean> {
    const next = this.writes.then(job);
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Runs a write of the run's own (naming `file` if it fails, which stops the run); resolves whether it succeeded. */
  attemptWrite(file: string, write: () => Promise<unknown>): Promise<boolean> {
    return this.attempt(file, write);
  }

  private async attempt(file: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (!this.failure) {
        this.failure = `could not write ${file}: ${(err as Error).message}`;
        this.onFailure(this.failure, file);
      }
      return false;
    }
  }
}

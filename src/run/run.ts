// One run: the engine over a document's sections, its journal and dataset writes in event order, and the run lock that
// keeps a second process (another window, the CLI) off the same run. The editor and the CLI both run this.
import type { BenchmarkIndex } from '../core/leakage';
import type { Limiter } from '../core/limiter';
import type { ChatModel } from '../core/models';
import { Orchestrator, type RunSummary } from '../core/orchestrator';
import type { PromptSet } from '../core/prompts';
import { NotResumableError, resumePoint, type ResumePoint } from '../core/resume';
import { isJournaled, type DeltaEvent, type EngineEvent } from '../shared/events';
import type { Challenge, Target, WithSecondJudge } from '../shared/schemas';
import type { Dataset } from './dataset';
import { journalFile, readJournal } from './journal';
import { exactSource } from './provenance';
import { noteRunDataset, reconcileDataset } from './reconcile';
import { RunLock, RunLockedError } from './run-lock';
import { RunRecorder } from './recorder';
import { Review } from './review';
import type { RunSettings } from './settings';
import type { WorkspaceFiles } from './workspace';
import { assertInside } from './workspace-boundary';

export interface RunSpec {
  runId: string;
  /** The document's recorded path (workspace-relative) and its text. */
  document: { path: string; text: string };
  targets: Target[];
  /** For a resumed run, already pinned to the run's own policy, order and rollouts (see resumable.ts). */
  settings: RunSettings;
  models: WithSecondJudge<ChatModel>;
  prompts: PromptSet;
  recipe: { text: string; version: number };
  mode?: 'run' | 'step';
  /** Accepted items after which the run stops. */
  goal?: number;
  resume?: ResumePoint;
  /** The benchmark files' index (see benchmarks.ts), when the settings name any. */
  benchmarks?: BenchmarkIndex;
  /** Section slots shared with the other documents' runs of a batch (see documents-at-once.ts). */
  sectionSlots?: Limiter;
  /** Whether the result carries the accepted items (default true) or only counts them (see RunOptions.keepItems). */
  keepItems?: boolean;
}

export interface RunObserver {
  /**
   * Every engine event, in the engine's order, as it emits it (the journal write is queued first); an `item_accepted`
   * only once its dataset line is durable (events after it wait for it), and never when that write failed.
   */
  event?(e: EngineEvent): void;
  /** Solver text as it streams in (only when settings.streamAnswers is on). */
  delta?(d: DeltaEvent): void;
  /** A journal, dataset or recipe write failed: the run is being stopped. Called once per file. */
  writeFailed?(message: string, file: string): void;
  /** Every engine event at the moment the engine emits it, in the engine's own call (batch mode tells sections apart by it). */
  emitted?(e: EngineEvent): void;
}

export interface RunResult extends RunSummary {
  runId: string;
  datasetFile: string;
  journalFile: string;
  /** Items this run added to the dataset. */
  written: number;
  /** The first write that failed, naming its file (the run stopped because of it). */
  writeFailure?: string;
}

export type ControlAction = 'run' | 'step' | 'pause' | 'resume' | 'stop';

/** What the panel may do to a live run: control it, edit and annotate it, decide its borderline items. */
export interface RunHandle {
  readonly runId: string;
  control(action: ControlAction): void;
  editChallenge(attemptId: string, challenge: Challenge): boolean;
  addNote(text: string, targetId?: string): void;
  requeue(targetId: string, reason: string): boolean;
  readonly review: Review;
}

/**
 * Journal events recorded but perhaps not yet written (or events waiting for the observer behind a dataset write), past
 * which the engine waits before its next model request.
 */
export const MAX_UNWRITTEN_EVENTS = 512;

export class Run implements RunHandle {
  readonly orchestrator: Orchestrator;
  readonly recorder: RunRecorder;
  readonly review: Review;
  private started = false;
  /** Observer deliveries waiting for an accepted item's dataset write, in order. */
  private delivery: Promise<void> = Promise.resolve();
  private waitingDeliveries = 0;

  constructor(
    private readonly ws: WorkspaceFiles,
    private readonly spec: RunSpec,
    observer: RunObserver = {},
  ) {
    this.recorder = new RunRecorder(ws.root, spec.runId, ws.dataset, (message, file) => {
      // A write that failed stops the run at once: no further model calls whose results could not be kept.
      this.orchestrator.stop();
      observer.writeFailed?.(message, file);
    });
    this.review = new Review(spec.runId, this.recorder.journal, ws.dataset, ws.root);
    const { settings } = spec;
    this.orchestrator = new Orchestrator({
      runId: spec.runId,
      document: spec.document,
      targets: spec.targets,
      config: settings.engine,
      models: spec.models,
      mode: spec.mode,
      goal: spec.goal,
      resume: spec.resume,
      prompts: spec.prompts,
      recipe: spec.recipe.text,
      recipeVersion: spec.recipe.version,
      knownQuestions: ws.dataset.questions(),
      benchmarks: spec.benchmarks,
      sectionSlots: spec.sectionSlots,
      keepItems: spec.keepItems,
      outageLimitSeconds: settings.outageLimitSeconds,
      // The engine asks before each model request: with too many events unwritten it waits for the writer, so memory
      // stays bounded however far the endpoints run ahead of the disk.
      backpressure: () => this.backpressure(),
      emit: (e) => {
        observer.emitted?.(e);
        if (e.type === 'item_accepted' || e.type === 'review_needed') {
          exactSource(e.record, spec.document.text);
        }
        // Call events describe requests in flight: shown, not journaled (see TRANSIENT_EVENTS).
        this.deliver(e, isJournaled(e) ? this.recorder.record(e) : Promise.resolve(true), observer);
      },
      onDelta: settings.streamAnswers && observer.delta ? (d) => observer.delta!(d) : undefined,
    });
  }

  private async backpressure(): Promise<void> {
    if (this.recorder.pendingEvents() >= MAX_UNWRITTEN_EVENTS) {
      await this.recorder.drained();
    }
    // Events held for the observer behind an accepted item's dataset write count too: when the dataset falls behind,
    // they (and the writes they wait for) would otherwise pile up in memory.
    if (this.waitingDeliveries >= MAX_UNWRITTEN_EVENTS) {
      await this.delivery;
    }
  }

  get runId(): string {
    return this.spec.runId;
  }
  get journalFile(): string {
    return this.recorder.journal.file;
  }
  get datasetFile(): string {
    return this.ws.dataset.file;
  }
  /** The dataset this run writes (one instance per file, so its exactly-once check sees every write). */
  get dataset(): Dataset {
    return this.ws.dataset;
  }

  /** Journal lines not yet written: the engine may wait for `drained()` when too many pile up. */
  pendingEvents(): number {
    return this.recorder.pendingEvents();
  }
  /** Resolves once every journal line so far is written (or has failed); never rejects. */
  drained(): Promise<void> {
    return this.recorder.drained();
  }

  /**
   * Takes the run's lock (before writing anything), reconciles the journals' accepted items into the dataset, writes
   * the items a resumed run accepted but had not yet written, runs the engine, and waits for every write. Throws
   * RunLockedError (nothing written) when another process holds the run, or took it further since it was read.
   */
  async start(): Promise<RunResult> {
    if (this.started) {
      throw new Error(`run ${this.runId} was already started`);
    }
    this.started = true;
    const lock = new RunLock(journalFile(this.ws.root, this.runId).replace(/\.jsonl$/, '.lock'));
    await assertInside(this.ws.root, lock.file);
    await lock.acquire();
    let summary: RunSummary;
    try {
      if (this.spec.resume) {
        await this.checkNotTakenFurther(this.spec.resume);
      }
      // Under the lock: a second resume of this run cannot write these items a second time.
      await this.recorder.attemptWrite(this.ws.dataset.file, async () => {
        await noteRunDataset(this.ws.root, this.runId, this.ws.dataset.file);
        await reconcileDataset(this.ws.root, this.ws.dataset);
      });
      for (const r of this.spec.resume?.accepted ?? []) {
        await this.recorder.writeItem(exactSource(r, this.spec.document.text));
      }
      summary = this.recorder.failure ? this.stoppedByWrite() : await this.orchestrator.start();
    } finally {
      await this.recorder.close();
      await this.delivery;
      await lock.release();
    }
    const failure = this.recorder.failure;
    // A run whose writes failed did not keep everything it made, however far its engine got.
    if (failure && summary.outcome !== 'error') {
      summary = { ...summary, outcome: 'error', message: failure };
    }
    return {
      ...summary,
      // Accepted means on disk: an item whose dataset write failed is not counted (its journal line reconciles it later).
      accepted: summary.accepted.filter((r) => this.recorder.durable.has(r.id)),
      acceptedCount: this.recorder.durable.size,
      runId: this.runId,
      datasetFile: this.datasetFile,
      journalFile: this.journalFile,
      written: this.recorder.written,
      writeFailure: failure,
    };
  }

  /** Hands an event to the observer in order; an accepted item waits until its dataset line is durable. */
  private deliver(e: EngineEvent, written: Promise<boolean>, observer: RunObserver): void {
    if (!observer.event) {
      return;
    }
    if (e.type !== 'item_accepted' && this.waitingDeliveries === 0) {
      observer.event(e);
      return;
    }
    this.waitingDeliveries++;
    this.delivery = this.delivery.then(async () => {
      try {
        if (e.type !== 'item_accepted' || (await written)) {
          observer.event!(e);
        }
      } catch {
        /* an observer's own error does not stop the writes */
      } finally {
        this.waitingDeliveries--;
      }
    });
  }

  /** Another process may have resumed this run between reading its journal and taking its lock. */
  private async checkNotTakenFurther(point: ResumePoint): Promise<void> {
    let now: ResumePoint;
    try {
      now = resumePoint((await readJournal(this.journalFile)).events);
    } catch (e) {
      if (e instanceof NotResumableError) {
        throw new RunLockedError(`run ${this.runId} cannot be resumed: ${e.message}`);
      }
      throw e;
    }
    if (now.lastSeq !== point.lastSeq || now.finished !== point.finished) {
      throw new RunLockedError(`run ${this.runId} went on in another process since its journal was read; resume it again to take it up from there`);
    }
  }

  private stoppedByWrite(): RunSummary {
    return { outcome: 'error', accepted: [], acceptedCount: 0, review: [], attempts: 0, message: this.recorder.failure };
  }

  control(action: ControlAction): void {
    const o = this.orchestrator;
    if (action === 'run') {
      o.run();
    } else if (action === 'step') {
      o.step();
    } else if (action === 'pause') {
      o.pause();
    } else if (action === 'resume') {
      o.resume();
    } else {
      o.stop();
    }
  }

  stop(): void {
    this.orchestrator.stop();
  }
  editChallenge(attemptId: string, challenge: Challenge): boolean {
    return this.orchestrator.editChallenge(attemptId, challenge);
  }
  addNote(text: string, targetId?: string): void {
    this.orchestrator.addNote(text, targetId);
  }
  requeue(targetId: string, reason: string): boolean {
    return this.orchestrator.requeue(targetId, reason);
  }
}

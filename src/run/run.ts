// One run: the engine over a document's sections, its journal and dataset writes in event order, and the run lock that
// keeps a second process (another window, the CLI) off the same run. The editor and the CLI both run this.
import type { ChatModel } from '../core/models';
import { Orchestrator, type RunSummary } from '../core/orchestrator';
import type { PromptSet } from '../core/prompts';
import type { ResumePoint } from '../core/resume';
import { isJournaled, type DeltaEvent, type EngineEvent } from '../shared/events';
import type { Challenge, Role, Target } from '../shared/schemas';
import type { Dataset } from './dataset';
import { journalFile } from './journal';
import { RunLock } from './run-lock';
import { RunRecorder } from './recorder';
import { Review } from './review';
import type { RunSettings } from './settings';
import type { WorkspaceFiles } from './workspace';

export interface RunSpec {
  runId: string;
  /** The document's recorded path (workspace-relative) and its text. */
  document: { path: string; text: string };
  targets: Target[];
  /** For a resumed run, already pinned to the run's own policy, order and rollouts (see resumable.ts). */
  settings: RunSettings;
  models: Record<Role, ChatModel>;
  prompts: PromptSet;
  recipe: { text: string; version: number };
  mode?: 'run' | 'step';
  /** Accepted items after which the run stops. */
  goal?: number;
  resume?: ResumePoint;
}

export interface RunObserver {
  /** Every engine event, as the engine emits it (the journal write is queued first). */
  event?(e: EngineEvent): void;
  /** Solver text as it streams in (only when settings.streamAnswers is on). */
  delta?(d: DeltaEvent): void;
  /** A journal, dataset or recipe write failed: the run is being stopped. Called once per file. */
  writeFailed?(message: string, file: string): void;
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

/** Journal events recorded but perhaps not yet written, past which the engine waits before its next model request. */
export const MAX_UNWRITTEN_EVENTS = 512;

export class Run implements RunHandle {
  readonly orchestrator: Orchestrator;
  /** Events handed to the recorder, and how many of them are known written (a flush that covered them finished). */
  private recorded = 0;
  private written = 0;
  readonly recorder: RunRecorder;
  readonly review: Review;
  private started = false;

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
    this.review = new Review(spec.runId, this.recorder.journal, ws.dataset);
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
      outageLimitSeconds: settings.outageLimitSeconds,
      // The engine asks before each model request: with too many events unwritten it waits for the writer, so memory
      // stays bounded however far the endpoints run ahead of the disk.
      backpressure: () => this.backpressure(),
      emit: (e) => {
        // Call events describe requests in flight: shown, not journaled (see TRANSIENT_EVENTS).
        if (isJournaled(e)) {
          this.recorded++;
          this.recorder.record(e);
        }
        observer.event?.(e);
      },
      onDelta: settings.streamAnswers && observer.delta ? (d) => observer.delta!(d) : undefined,
    });
  }

  private async backpressure(): Promise<void> {
    if (this.recorded - this.written < MAX_UNWRITTEN_EVENTS) {
      return;
    }
    const mark = this.recorded;
    await this.recorder.flush();
    this.written = Math.max(this.written, mark);
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

  /**
   * Takes the run's lock, writes the items a resumed run accepted but had not yet written, runs the engine, and
   * waits for every write. Throws RunLockedError (nothing written) when another process holds the run.
   */
  async start(): Promise<RunResult> {
    if (this.started) {
      throw new Error(`run ${this.runId} was already started`);
    }
    this.started = true;
    const lock = new RunLock(journalFile(this.ws.root, this.runId).replace(/\.jsonl$/, '.lock'));
    await lock.acquire();
    let summary: RunSummary;
    try {
      // Under the lock: a second resume of this run cannot write these items a second time.
      for (const r of this.spec.resume?.accepted ?? []) {
        await this.recorder.writeItem(r);
      }
      summary = this.recorder.failure ? this.stoppedByWrite() : await this.orchestrator.start();
    } finally {
      await this.recorder.flush();
      await lock.release();
    }
    const failure = this.recorder.failure;
    if (failure && summary.outcome === 'stopped') {
      summary = { ...summary, outcome: 'error', message: failure };
    }
    return {
      ...summary,
      runId: this.runId,
      datasetFile: this.datasetFile,
      journalFile: this.journalFile,
      written: this.recorder.written,
      writeFailure: failure,
    };
  }

  private stoppedByWrite(): RunSummary {
    return { outcome: 'error', accepted: [], review: [], attempts: 0, message: this.recorder.failure };
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

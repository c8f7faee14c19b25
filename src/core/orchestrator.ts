// The Agentic Self-Instruct run over a document's targets, and the controls a person has over it while it runs.
import { editChallenge } from './attempt';
import { RunContext, type RunOptions } from './run-context';
import { RunLoop, type RunSummary } from './run-loop';
import type { UsageMeter } from './usage';

export type { RunOptions } from './run-context';
export type { RunSummary } from './run-loop';

export class Orchestrator {
  private readonly context: RunContext;
  private readonly loop: RunLoop;

  constructor(o: RunOptions) {
    this.context = new RunContext(o);
    this.loop = new RunLoop(this.context);
  }

  /** Tokens and calls per role over the whole run (a resumed run's earlier ones included). */
  get usage(): UsageMeter {
    return this.context.state.usage;
  }
  get state() {
    return this.context.control.state;
  }
  pause(): void {
    this.context.control.pause();
  }
  resume(): void {
    this.context.control.resume();
  }
  /** Leaves step mode and runs on. */
  run(): void {
    this.context.control.run();
  }
  step(): void {
    this.context.control.step();
  }
  stop(): void {
    this.context.control.stop();
  }

  /** Runs until every target is done, the goal is reached, the budget is spent or the run is stopped. */
  start(): Promise<RunSummary> {
    return this.loop.start();
  }

  /** A note for the next Challenger prompt (of one target, or of whichever target asks next). */
  addNote(text: string, targetId?: string): void {
    this.context.addNote(text, targetId);
  }

  /**
   * Sends a target back to the Challenger (a person rejected its borderline item), with the reason as a note.
   * Returns false when the run has already finished.
   */
  requeue(targetId: string, reason: string): boolean {
    return this.loop.requeue(targetId, reason);
  }

  /** Replaces a proposed challenge before its solvers run. Returns false when it is too late or invalid. */
  editChallenge(attemptId: string, proposed: unknown): boolean {
    return editChallenge(this.context, attemptId, proposed);
  }
}

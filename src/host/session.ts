// A live run in the editor: the run layer's Run, with VS Code events for the panel and status bar, and the log.
import * as vscode from 'vscode';
import type { DeltaEvent, EngineEvent } from '../shared/events';
import { Run, type RunHandle, type RunResult, type RunSpec } from '../run/run';
import type { WorkspaceFiles } from '../run/workspace';

export type SessionResult = RunResult;

export class Session implements vscode.Disposable {
  readonly run: Run;
  private readonly events = new vscode.EventEmitter<EngineEvent>();
  private readonly deltas = new vscode.EventEmitter<DeltaEvent>();
  private readonly ended = new vscode.EventEmitter<SessionResult>();
  /** Every engine event, as it happens. */
  readonly onEvent = this.events.event;
  /** Solver text as it streams in (when streaming is on). */
  readonly onDelta = this.deltas.event;
  /** Fires once, after the run's last event is written. */
  readonly onDidEnd = this.ended.event;

  constructor(ws: WorkspaceFiles, spec: RunSpec, log: vscode.LogOutputChannel) {
    this.run = new Run(ws, spec, {
      event: (e) => {
        describe(e, log);
        this.events.fire(e);
      },
      delta: (d) => this.deltas.fire(d),
      writeFailed: (message) => {
        log.error(message);
        void vscode.window
          .showErrorMessage(`Autodata stopped the run: it ${message}. Free space or fix the file's permissions, then Resume Run.`, 'Show Log')
          .then((b) => {
            if (b) {
              log.show();
            }
          });
      },
    });
  }

  get runId(): string {
    return this.run.runId;
  }
  /** What the panel may do to this run. */
  get handle(): RunHandle {
    return this.run;
  }

  async start(): Promise<SessionResult> {
    const result = await this.run.start();
    this.ended.fire(result);
    return result;
  }

  stop(): void {
    this.run.stop();
  }
  dispose(): void {
    this.run.stop();
    this.events.dispose();
    this.deltas.dispose();
    this.ended.dispose();
  }
}

/** One log line per meaningful event (never request bodies or keys). */
function describe(e: EngineEvent, log: vscode.LogOutputChannel): void {
  switch (e.type) {
    case 'run_started':
      log.info(`run ${e.runId}: ${e.targets.length} section(s) of ${e.document.path}; models ${JSON.stringify(e.models)}`);
      break;
    case 'attempt_started':
      log.info(`${e.attemptId}: attempt ${e.iteration}`);
      break;
    case 'challenge':
      log.debug(`${e.attemptId}: ${e.edited ? 'edited ' : ''}question: ${e.challenge.question.slice(0, 200)}`);
      break;
    case 'verdict':
      log.info(`${e.attemptId}: ${e.verdict.kind}${e.verdict.reasons.length ? ` (${e.verdict.reasons.join('; ')})` : ''}`);
      break;
    case 'item_accepted':
      log.info(`accepted ${e.record.id}`);
      break;
    case 'error':
      log.warn(`${e.attemptId ?? 'run'}: ${e.message}`);
      break;
    case 'recipe_updated':
      log.info(`recipe v${e.version}: ${e.changes}`);
      break;
    case 'recipe_evaluated':
      log.info(
        `recipe ${e.candidateId} (from ${e.parentId}) ${e.kept ? 'kept' : 'rejected'}: ${e.child.passes}/${e.child.trials} vs ${e.parent.passes}/${e.parent.trials}, p = ${e.p.toFixed(3)}`,
      );
      break;
    case 'recipe_refused':
      log.warn(`recipe ${e.candidateId} refused: ${e.reason}`);
      break;
    case 'run_finished':
      log.info(`run ${e.runId} ${e.outcome}: ${e.accepted} accepted, ${e.review} for review, ${e.attempts} attempts${e.message ? ` — ${e.message}` : ''}`);
      break;
    default:
      break;
  }
}

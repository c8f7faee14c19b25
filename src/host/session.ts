// One run: the engine over a document's targets, with its journal, the dataset writer, the log and progress.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeltaEvent, EngineEvent } from '../shared/events';
import { Limiter } from '../core/limiter';
import { OpenAICompatibleModel, type ChatModel } from '../core/models';
import { Orchestrator, type RunSummary } from '../core/orchestrator';
import type { PromptSet } from '../core/prompts';
import type { ResumePoint } from '../core/resume';
import { ROLES, type Role, type Target } from '../shared/schemas';
import type { Dataset } from './dataset';
import { JsonlWriter } from './jsonl';
import { isLmModel, VscodeLmModel } from './lm-model';
import { recipeFile, writeRecipe } from './recipe-file';
import { RunLock } from './run-lock';
import { originOf } from './secrets';
import type { HostSettings } from './settings';

export interface SessionInput {
  runId: string;
  folder: string;
  document: { path: string; text: string };
  targets: Target[];
  settings: HostSettings;
  keys: Map<string, string | undefined>;
  dataset: Dataset;
  log: vscode.LogOutputChannel;
  mode?: 'run' | 'step';
  resume?: ResumePoint;
  prompts?: PromptSet;
  recipe?: { text: string; version: number };
}

export interface SessionResult extends RunSummary { runId: string; datasetFile: string; journalFile: string; written: number }

type Listener = (e: EngineEvent) => void;

export class Session implements vscode.Disposable {
  readonly orchestrator: Orchestrator;
  readonly journal: JsonlWriter;
  private readonly listeners = new Set<Listener>();
  private readonly deltas = new vscode.EventEmitter<DeltaEvent>();
  private readonly ended = new vscode.EventEmitter<SessionResult>();
  /** Solver text as it streams in (when streaming is on). */
  readonly onDelta = this.deltas.event;
  /** Fires once, after the run's last event is written. */
  readonly onDidEnd = this.ended.event;
  private written = 0;
  /** Files whose write failure was already shown (once each, not once per event). */
  private readonly reported = new Set<string>();
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly input: SessionInput) {
    this.journal = new JsonlWriter(path.join(input.folder, '.autodata', 'runs', `${input.runId}.jsonl`), false);
    const { settings } = input;
    const limiters = new Map<string, Limiter>();
    const models = Object.fromEntries(ROLES.map((role) => {
      const ep = settings.engine.roles[role];
      const origin = originOf(ep.baseURL);
      if (!limiters.has(origin)) { limiters.set(origin, new Limiter(settings.requestConcurrency)); }
      const m: ChatModel = isLmModel(ep.model) ? new VscodeLmModel(ep.model) : new OpenAICompatibleModel(ep, {
        apiKey: input.keys.get(origin) ?? '', maxRetries: settings.maxRetries, timeoutMs: settings.timeoutMs, limiter: limiters.get(origin), useN: settings.engine.useN,
      });
      return [role, m];
    })) as Record<Role, ChatModel>;
    this.orchestrator = new Orchestrator({
      runId: input.runId, document: input.document, targets: input.targets, config: settings.engine, models, mode: input.mode,
      goal: settings.itemsPerRun > 0 ? settings.itemsPerRun : undefined,
      emit: (e) => this.handle(e), resume: input.resume, prompts: input.prompts, recipe: input.recipe?.text, recipeVersion: input.recipe?.version,
      knownQuestions: input.dataset.questions(),
      onDelta: settings.streamAnswers ? (d) => this.deltas.fire(d) : undefined,
    });
  }

  get runId(): string { return this.input.runId; }
  /** The dataset this run writes to (one instance, so its exactly-once check sees every write of the run). */
  get dataset(): Dataset { return this.input.dataset; }

  subscribe(listener: Listener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  private handle(e: EngineEvent): void {
    this.record(e);
    for (const l of this.listeners) { try { l(e); } catch (err) { this.input.log.error(`listener failed: ${String(err)}`); } }
  }

  /** Every event goes to the journal first; accepted items then to the dataset, in event order. */
  private record(e: EngineEvent): void {
    const { log, dataset } = this.input;
    const fail = (file: string, err: unknown, kept: string) => {
      log.error(`could not write ${e.type} to ${file}: ${(err as Error).message}`);
      if (this.reported.has(file)) { return; }
      this.reported.add(file);
      void vscode.window.showErrorMessage(`Autodata could not write to ${path.basename(file)}: ${(err as Error).message}.${kept}`);
    };
    this.writes = this.writes.then(async () => {
      let journaled = true;
      try { await this.journal.append(e); } catch (err) { journaled = false; fail(this.journal.file, err, ''); }
      try {
        if (e.type === 'item_accepted' && await dataset.append(e.record)) { this.written++; log.info(`accepted ${e.record.id} → ${dataset.file}`); }
        if (e.type === 'recipe_updated') {
          await writeRecipe(this.input.folder, e.version, e.recipe, `run ${e.runId} · ${e.changes}`);
          log.info(`recipe v${e.version}: ${e.changes}`);
        }
      } catch (err) {
        // The journal keeps every accepted item even when the dataset cannot be written: Resume Run writes it later.
        fail(e.type === 'recipe_updated' ? recipeFile(this.input.folder) : dataset.file, err, journaled ? ' It is kept in the run journal.' : '');
      }
    });
    describe(e, log);
  }

  async run(): Promise<SessionResult> {
    // Two engines on one run would write the same attempts twice: another window (or the CLI) may hold it.
    const lock = new RunLock(this.journal.file.replace(/\.jsonl$/, '.lock'));
    await lock.acquire();
    let summary;
    try { summary = await this.orchestrator.start(); } finally { await this.writes; await lock.release(); }
    const result = { ...summary, runId: this.runId, datasetFile: this.input.dataset.file, journalFile: this.journal.file, written: this.written };
    this.ended.fire(result);
    return result;
  }

  stop(): void { this.orchestrator.stop(); }
  dispose(): void { this.orchestrator.stop(); this.listeners.clear(); this.deltas.dispose(); this.ended.dispose(); }
}

/** One log line per meaningful event (never request bodies or keys). */
function describe(e: EngineEvent, log: vscode.LogOutputChannel): void {
  switch (e.type) {
    case 'run_started': log.info(`run ${e.runId}: ${e.targets.length} section(s) of ${e.document.path}; models ${JSON.stringify(e.models)}`); break;
    case 'attempt_started': log.info(`${e.attemptId}: attempt ${e.iteration}`); break;
    case 'challenge': log.debug(`${e.attemptId}: ${e.edited ? 'edited ' : ''}question: ${e.challenge.question.slice(0, 200)}`); break;
    case 'verdict': log.info(`${e.attemptId}: ${e.verdict.kind}${e.verdict.reasons.length ? ` (${e.verdict.reasons.join('; ')})` : ''}`); break;
    case 'error': log.warn(`${e.attemptId ?? 'run'}: ${e.message}`); break;
    case 'run_finished': log.info(`run ${e.runId} ${e.outcome}: ${e.accepted} accepted, ${e.review} for review, ${e.attempts} attempts${e.message ? ` — ${e.message}` : ''}`); break;
    default: break;
  }
}

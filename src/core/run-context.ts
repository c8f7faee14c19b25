// What the parts of one run share: its options, state and control, the event stream, and the budget check after each call.
import type { BenchmarkIndex } from './leakage';
import { budgetSpent, costOf } from './budget';
import { CallWatch, DEFAULT_OUTAGE, type CallPlace } from './call-watch';
import type { KnownQuestions } from './asked-questions';
import { sha256 } from './chunks';
import type { EngineConfig } from './config';
import { RunControl } from './control';
import type { DeltaEvent, EngineEvent, EventBody, Phase } from '../shared/events';
import type { ChatModel } from './models';
import { DEFAULT_PROMPTS, promptVersion, type PromptSet } from './prompts';
import type { ResumePoint } from './resume';
import type { RoleContext } from './roles';
import { RunState } from './run-state';
import { byRole, type Role, type Target, type WithSecondJudge } from '../shared/schemas';
import type { Limiter } from './limiter';
import type { UsageMeter } from './usage';

export interface RunOptions {
  runId: string;
  document: { path: string; text: string };
  targets: Target[];
  config: EngineConfig;
  models: WithSecondJudge<ChatModel>;
  prompts?: PromptSet;
  /** Learnings included in every Challenger prompt, and their version; updated every `recipeEvery` attempts. */
  recipe?: string;
  recipeVersion?: number;
  mode?: 'run' | 'step';
  /** Stop once this many items are accepted (borderline items awaiting review do not count). */
  goal?: number;
  emit: (e: EngineEvent) => void;
  onDelta?: (d: DeltaEvent) => void;
  now?: () => Date;
  /** Questions already in the dataset: a new question too similar to one of them is rejected as a near-duplicate. */
  knownQuestions?: ReadonlyArray<{ id: string; question: string }> | KnownQuestions;
  /** Goes on with a run rebuilt from its journal (same runId), instead of starting one. */
  resume?: ResumePoint;
  /**
   * Whether the summary carries the accepted items themselves (default true). A caller that only counts them (the CLI)
   * passes false, so a long run does not hold every item it has already written to the dataset.
   */
  keepItems?: boolean;
  /** Seconds an endpoint may stay down (the run waits, asking again with backoff) before the run stops as interrupted. Default 300. */
  outageLimitSeconds?: number;
  /** The waits between tries at an endpoint that is down: the first, doubled up to the longest (default 2 s and 30 s). */
  outageRetryMs?: { first: number; max: number };
  /** Called before every model request; resolves when the run may send it (the writer has caught up with the events). */
  backpressure?: () => Promise<void>;
  /** Benchmarks a question must not repeat (word 13-grams), checked before any solver call. */
  benchmarks?: BenchmarkIndex;
  /**
   * Section slots shared by the runs of several documents at once: each section of this run starts once it holds one
   * (`config.targetConcurrency` no longer caps this run's sections; the slots cap them all together).
   */
  sectionSlots?: Limiter;
}

/** How long the run's end waits for requests still under way to end (aborted requests end at once). */
const CALLS_SETTLE_MS = 2_000;

export class RunContext {
  /** The options, with every role's model watched (call events, backpressure, outages). */
  readonly options: RunOptions;
  readonly state: RunState;
  readonly control: RunControl;
  readonly prompts: PromptSet;
  readonly promptVersion: string;
  readonly docHash: string;
  /** The models as given, unwatched. */
  private readonly raw: WithSecondJudge<ChatModel>;
  /** Why the run stopped early (a spent budget, an outage past its limit), for its run_finished event. */
  stopReason: string | undefined;
  private readonly watch: CallWatch;

  constructor(options: RunOptions) {
    this.prompts = options.prompts ?? DEFAULT_PROMPTS;
    this.promptVersion = promptVersion(this.prompts);
    this.docHash = sha256(options.document.text);
    this.control = new RunControl(options.mode ?? 'run', (state) => this.emit({ type: 'state', state }));
    this.watch = new CallWatch({
      emit: (e) => this.emit(e),
      now: () => options.now?.() ?? new Date(),
      signal: this.control.signal,
      outage: {
        limitSeconds: options.outageLimitSeconds ?? DEFAULT_OUTAGE.limitSeconds,
        firstRetryMs: options.outageRetryMs?.first ?? DEFAULT_OUTAGE.firstRetryMs,
        maxRetryMs: options.outageRetryMs?.max ?? DEFAULT_OUTAGE.maxRetryMs,
      },
      backpressure: options.backpressure,
      interrupt: (message) => this.interrupt(message),
    });
    this.raw = options.models;
    this.options = { ...options, models: this.watched(options.models) };
    const { config, knownQuestions, recipe, recipeVersion, resume, keepItems } = options;
    this.state = new RunState({ dedupeThreshold: config.dedupeThreshold, knownQuestions, recipe, recipeVersion, resume, keepItems });
  }

  get config(): EngineConfig {
    return this.options.config;
  }
  get modelNames(): WithSecondJudge<string> {
    const { judge2 } = this.options.models;
    return { ...byRole((r) => this.options.models[r].model), ...(judge2 ? { judge2: judge2.model } : {}) };
  }
  /** Every model watched (call events, backpressure, outages), the second judge's too when there is one. */
  private watched(models: WithSecondJudge<ChatModel>, place: CallPlace = {}): WithSecondJudge<ChatModel> {
    const { judge2 } = models;
    return { ...byRole((r) => this.watch.wrap(r, models[r], place)), ...(judge2 ? { judge2: this.watch.wrap('judge2', judge2, place) } : {}) };
  }
  now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  emit(body: EventBody): void {
    this.options.emit({ ...body, runId: this.options.runId, seq: ++this.state.seq, at: this.now() } as EngineEvent);
  }

  /** Waits until the run may take its next step, telling listeners what it waits for. */
  gate(next: Phase, attemptId?: string): Promise<void> {
    return this.control.pass(() => this.emit({ type: 'waiting', next, attemptId }));
  }

  /** A note for the next Challenger prompt (of one target, or of whichever target asks next). */
  addNote(text: string, targetId?: string): void {
    this.state.notes.push({ text, targetId });
    this.emit({ type: 'note', text, targetId });
  }

  /**
   * Before the run's last event: waits (briefly) for requests still under way, such as a stopped attempt's other
   * rollouts being aborted, so that no call event follows run_finished.
   */
  settleCalls(): Promise<void> {
    return this.watch.close(CALLS_SETTLE_MS);
  }

  /** Stops the run early; its run_finished says why (the first reason given). */
  interrupt(message: string): void {
    this.stopReason ??= message;
    this.control.stop();
  }

  /** What the role calls need, counting tokens into `usage` (an attempt's meter); its requests are announced as the attempt's. */
  roleContext(usage: UsageMeter, place: CallPlace = {}): RoleContext {
    return {
      models: this.watched(this.raw, place),
      config: this.options.config,
      prompts: this.prompts,
      usage,
      signal: this.control.signal,
      onUsage: (role) => this.usageChanged(role),
    };
  }

  /** The run's cost so far, or undefined when a model in use has no price. */
  cost(): number | undefined {
    return costOf(this.state.usage.byRole, this.modelNames, this.options.config.prices);
  }

  /** After every call: the role's totals to the listeners, and a clean stop once the budget is spent. */
  usageChanged(role: Role): void {
    const usage = this.state.usage;
    const cost = this.cost();
    this.emit({ type: 'usage', role, totals: usage.byRole[role]!, cost });
    const t = usage.total();
    const spent = budgetSpent(this.options.config.budget, t.promptTokens + t.completionTokens, cost);
    if (spent && !this.stopReason) {
      this.interrupt(`Stopped: ${spent}.`);
    }
  }
}

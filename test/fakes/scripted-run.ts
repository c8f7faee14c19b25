// The one harness for whole-engine tests: a scripted server playing every role (with faults or another responder in
// front of the role script when a test needs them), an engine config pointed at it, and an Orchestrator over a
// document with its events collected. Servers are closed by the test's `afterEach(() => worlds.close())`.
import { splitSections } from '../../src/core/chunks';
import { defaultEndpoint, type EngineConfig } from '../../src/core/config';
import type { ChatModel } from '../../src/core/models';
import { Orchestrator, type RunOptions, type RunSummary } from '../../src/core/orchestrator';
import type { EngineEvent, EventOf } from '../../src/shared/events';
import type { WithSecondJudge } from '../../src/shared/schemas';
import {
  startScriptedServer,
  type RecordedRequest,
  type Responder,
  type ScriptedReply,
  type ScriptedServer,
  type ScriptedServerOptions,
} from './openai-server';
import { scriptedConfig, scriptedModels, type ScriptedModelOptions } from './scripted-config';
import { MODELS, SECOND_JUDGE_MODEL, scriptRoles, type ScriptedQuestion, type ScriptLatency } from './scripted-roles';

export interface WorldOptions {
  /** What the scripted roles make of each question the Challenger writes (default: none, every score 0). */
  questions?: ScriptedQuestion[];
  latency?: ScriptLatency;
  /** Answers a request before the role script does (a fault for one model); undefined lets the script answer. */
  before?: (req: RecordedRequest, ctx: { choiceIndex: number; callIndex: number }) => ScriptedReply | undefined;
  /** Answers every request instead of the role script. */
  respond?: Responder;
  /** The server's other options (an API key it requires, a server family's profile…). */
  server?: Omit<ScriptedServerOptions, 'respond'>;
  /** Engine settings over the scripted config's. */
  config?: Partial<EngineConfig>;
  /** How the runs' models are built (retries, timeouts, `n`). */
  models?: ScriptedModelOptions;
  /** A second judge (the scripted strict grader) grades every rollout too. */
  secondJudge?: boolean;
}

export interface World {
  server: ScriptedServer;
  script: ReturnType<typeof scriptRoles>;
  config: EngineConfig;
  /** Fresh models for every role, pointed at the server. */
  models(opts?: ScriptedModelOptions): WithSecondJudge<ChatModel>;
}

export interface RunHarnessOptions extends Partial<Omit<RunOptions, 'emit'>> {
  /** Called with each event after it is collected, and the run's orchestrator (to stop, edit or requeue it). */
  onEvent?: (e: EngineEvent, orch: Orchestrator) => void;
  /** The models of this run (default: fresh ones, built as the world says). */
  modelOptions?: ScriptedModelOptions;
}

export interface RunHarness {
  orch: Orchestrator;
  events: EngineEvent[];
  /** The run, started at once. */
  run: Promise<RunSummary>;
}

export class Worlds {
  private readonly servers: ScriptedServer[] = [];

  async world(opts: WorldOptions = {}): Promise<World> {
    const script = scriptRoles(opts.questions ?? [], opts.latency);
    const before = opts.before;
    const respond: Responder = opts.respond ?? (before ? (req, ctx) => before(req, ctx) ?? script.respond(req, ctx) : script.respond);
    const server = await startScriptedServer({ models: [...Object.values(MODELS), SECOND_JUDGE_MODEL], ...opts.server, respond });
    this.servers.push(server);
    const config = scriptedConfig(server.baseURL, opts.config);
    if (opts.secondJudge) {
      config.roles = { ...config.roles, judge2: defaultEndpoint({ ...config.roles.judge, model: SECOND_JUDGE_MODEL }) };
    }
    return { server, script, config, models: (m) => scriptedModels(config, { ...opts.models, ...m }) };
  }

  /** Closes every server this harness opened. */
  async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}

/** Starts an Orchestrator over `document` (default: a one-section paper) in the world, collecting its events. */
export function startRun(w: World, opts: RunHarnessOptions = {}): RunHarness {
  const { onEvent, modelOptions, ...rest } = opts;
  const document = rest.document ?? { path: 'paper.md', text: ONE_SECTION };
  const events: EngineEvent[] = [];
  const orch: Orchestrator = new Orchestrator({
    runId: 'run-1',
    targets: splitSections(document.text),
    config: w.config,
    models: w.models(modelOptions),
    ...rest,
    document,
    emit: (e) => {
      events.push(e);
      onEvent?.(e, orch);
    },
  });
  return { orch, events, run: orch.start() };
}

export const ONE_SECTION = `# Sparse attention\n\nSparse attention restricts each token to a subset of positions, which cuts the quadratic cost of attention to near-linear. The choice of pattern decides which long-range dependencies survive. Local windows keep syntax while a few global tokens carry document-level information. ${'More detail follows about the trade-offs of the method. '.repeat(8)}\n`;

export const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], t: T) => events.filter((e): e is EventOf<T> => e.type === t);

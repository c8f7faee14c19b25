// A scripted world for the method's tests: a server playing every role, a role context over it, and a whole run.
import { splitSections } from '../../../../src/core/chunks';
import type { EngineConfig } from '../../../../src/core/config';
import { Orchestrator, type RunOptions } from '../../../../src/core/orchestrator';
import { DEFAULT_PROMPTS } from '../../../../src/core/prompts';
import type { RoleContext } from '../../../../src/core/roles';
import { UsageMeter } from '../../../../src/core/usage';
import type { EngineEvent, EventOf } from '../../../../src/shared/events';
import type { Target } from '../../../../src/shared/schemas';
import { startScriptedServer, type ScriptedServer } from '../../../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../../../fakes/scripted-config';
import { MODELS, scriptRoles, type ScriptedQuestion, type ScriptLatency } from '../../../fakes/scripted-roles';

export const DOC = `# Sparse attention\n\nSparse attention restricts each token to a subset of positions, which cuts the quadratic cost of attention to near-linear. The choice of pattern decides which long-range dependencies survive. Local windows keep syntax while a few global tokens carry document-level information. ${'More detail follows about the trade-offs of the method. '.repeat(8)}\n`;
export const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
export const EASY: ScriptedQuestion = { weak: [0.9, 0.9, 1], strong: [1, 1, 1] };
export const HARD: ScriptedQuestion = { weak: [0.1, 0.2, 0.1], strong: [0.2, 0.3, 0.2] };

export interface World {
  server: ScriptedServer;
  script: ReturnType<typeof scriptRoles>;
  config: EngineConfig;
  ctx: () => RoleContext;
  target: Target;
}

const servers: ScriptedServer[] = [];
/** Closes every server a test opened; call in afterEach. */
export async function closeWorlds(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export async function world(questions: ScriptedQuestion[], patch: Partial<EngineConfig> = {}, lat: ScriptLatency = {}): Promise<World> {
  const script = scriptRoles(questions, lat);
  const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS) });
  servers.push(server);
  const config = scriptedConfig(server.baseURL, patch);
  const models = scriptedModels(config);
  const ctx = (): RoleContext => ({ models, config, prompts: DEFAULT_PROMPTS, usage: new UsageMeter(), signal: new AbortController().signal });
  return { server, script, config, ctx, target: splitSections(DOC)[0] };
}

export async function run(questions: ScriptedQuestion[], patch: Partial<EngineConfig> = {}, extra: Partial<RunOptions> = {}, lat: ScriptLatency = {}) {
  const w = await world(questions, patch, lat);
  const events: EngineEvent[] = [];
  const summary = await new Orchestrator({
    runId: 'run-1',
    document: { path: 'paper.md', text: DOC },
    targets: splitSections(DOC),
    config: w.config,
    models: scriptedModels(w.config),
    emit: (e) => events.push(e),
    ...extra,
  }).start();
  return { ...w, events, summary };
}

export const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], t: T) => events.filter((e): e is EventOf<T> => e.type === t);

// A scripted world for the method's tests: a server playing every role, a role context over it, and a whole run.
import { splitSections } from '../../../../src/core/chunks';
import type { EngineConfig } from '../../../../src/core/config';
import type { RunOptions } from '../../../../src/core/orchestrator';
import { DEFAULT_PROMPTS } from '../../../../src/core/prompts';
import type { RoleContext } from '../../../../src/core/roles';
import { UsageMeter } from '../../../../src/core/usage';
import type { Target } from '../../../../src/shared/schemas';
import type { ScriptedServer } from '../../../fakes/openai-server';
import { scriptedModels } from '../../../fakes/scripted-config';
import type { scriptRoles, ScriptedQuestion, ScriptLatency } from '../../../fakes/scripted-roles';
import { ofType, ONE_SECTION, startRun, Worlds } from '../../../fakes/scripted-run';

export const DOC = ONE_SECTION;
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

const worlds = new Worlds();
/** Closes every server a test opened; call in afterEach. */
export function closeWorlds(): Promise<void> {
  return worlds.close();
}

export async function world(questions: ScriptedQuestion[], patch: Partial<EngineConfig> = {}, lat: ScriptLatency = {}): Promise<World> {
  const w = await worlds.world({ questions, config: patch, latency: lat });
  const models = w.models();
  const ctx = (): RoleContext => ({ models, config: w.config, prompts: DEFAULT_PROMPTS, usage: new UsageMeter(), signal: new AbortController().signal });
  return { server: w.server, script: w.script, config: w.config, ctx, target: splitSections(DOC)[0] };
}

export async function run(questions: ScriptedQuestion[], patch: Partial<EngineConfig> = {}, extra: Partial<RunOptions> = {}, lat: ScriptLatency = {}) {
  const w = await world(questions, patch, lat);
  const { events, run } = startRun({ ...w, models: () => scriptedModels(w.config) }, { document: { path: 'paper.md', text: DOC }, ...extra });
  return { ...w, events, summary: await run };
}

export { ofType };

// A recipe update while sections run: the same C = 16 run with recipe learning every 10 attempts, its recipe call
// taking 1, 3 or 10 s, against the run with learning off and the run with learning whose recipe call answers at once,
// both run just before it (so all three see the machine's load of the moment; two such triples). Learning costs calls
// (the held-out trials) and a slot of the endpoint while its call runs; waiting for it would show as a run that grows
// with how long the recipe call takes, so the second ratio is the one that says whether a section waits. A call still
// under way when the sections are done is dropped rather than waited for.
import { splitSections } from '../../src/core/chunks';
import { Orchestrator } from '../../src/core/orchestrator';
import type { EngineEvent } from '../../src/shared/events';
import { startScriptedServer } from '../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../fakes/scripted-config';
import { scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';
import { LAT } from './loop.bench';

const EASY: ScriptedQuestion = { weak: [0.9, 0.8, 0.9], strong: [1, 1, 0.9] };
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };

export interface RecipeStallFigure {
  recipeMs: number;
  withMs: number;
  withoutMs: number;
  /** The same run with learning, its recipe call answered at once. */
  instantMs: number;
  /** With learning ÷ without learning. */
  ratio: number;
  /** With learning ÷ with learning and an instant recipe call: how much the run grows with the call's duration. */
  waitRatio: number;
  updates: number;
  /** Attempts started while a recipe call was in flight. */
  startedDuring: number;
  /** Updates dropped because the run's sections were done before their call returned. */
  dropped: number;
}

async function once(recipeEvery: number, recipeMs: number): Promise<{ ms: number; updates: number; startedDuring: number; dropped: number }> {
  const script = scriptRoles([EASY, GOOD], LAT);
  const server = await startScriptedServer({
    respond: async (req, ctx) => {
      const reply = await script.respond(req, ctx);
      return req.schemaName === 'recipe' ? { ...reply, latencyMs: recipeMs } : reply;
    },
  });
  try {
    const text = Array.from(
      { length: 32 },
      (_, i) => `# Part ${i + 1}\n\n${`Part ${i + 1} develops one argument of the paper in its own words. `.repeat(8)}`,
    ).join('\n\n');
    const config = scriptedConfig(server.baseURL, { recipeEvery, recipeHeldOut: 1, recipeTrials: 1, maxIterations: 3, targetConcurrency: 16 });
    const events: Array<{ type: EngineEvent['type']; at: number; dropped?: boolean }> = [];
    const orch = new Orchestrator({
      runId: 'stall',
      document: { path: 'r.md', text },
      targets: splitSections(text, { maxChars: 12000, minChars: 100 }),
      config,
      // A 10 s editor call waits for one of the endpoint's 16 slots first: the client's deadline must outlast both.
      models: scriptedModels(config, { limit: 16, timeoutMs: 60_000 }),
      emit: (e) =>
        events.push({ type: e.type, at: performance.now(), dropped: e.type === 'error' && /recipe generation under way was dropped/.test(e.message) }),
    });
    const t0 = performance.now();
    await orch.start();
    const ms = performance.now() - t0;
    const calls = server.requests.filter((r) => r.schemaName === 'recipe').map((r) => [r.receivedAt, r.receivedAt + recipeMs]);
    const wallStart = Date.now() - ms;
    const started = events.filter((e) => e.type === 'attempt_started').map((e) => wallStart + (e.at - t0));
    return {
      ms,
      updates: events.filter((e) => e.type === 'recipe_updated').length,
      startedDuring: started.filter((s) => calls.some(([a, b]) => s > a && s < b)).length,
      dropped: events.filter((e) => e.dropped).length,
    };
  } finally {
    await server.close();
  }
}

export async function run(): Promise<RecipeStallFigure[]> {
  const out: RecipeStallFigure[] = [];
  for (const recipeMs of [1000, 3000, 10000]) {
    // Two triples, the runs without learning and with an instant recipe call right before the run measured, summed:
    // the machine's load moves all three alike.
    const f: RecipeStallFigure = { recipeMs, withMs: 0, withoutMs: 0, instantMs: 0, ratio: 0, waitRatio: 0, updates: 0, startedDuring: 0, dropped: 0 };
    for (let pair = 0; pair < 2; pair++) {
      f.withoutMs += (await once(0, 0)).ms;
      f.instantMs += (await once(10, 0)).ms;
      const w = await once(10, recipeMs);
      f.withMs += w.ms;
      f.updates += w.updates;
      f.startedDuring += w.startedDuring;
      f.dropped += w.dropped;
    }
    out.push({ ...f, ratio: f.withMs / f.withoutMs, waitRatio: f.withMs / f.instantMs });
  }
  return out;
}

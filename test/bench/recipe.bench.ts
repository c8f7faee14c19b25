// Recipe learning (the outer loop) in a scripted world where the learned pattern pays: acceptance per batch of
// attempts, and attempts per accepted item, with the recipe on and off. It measures the mechanics (does a learning
// reach the Challenger and change what is accepted), not what a real model would learn.
import type { EngineEvent } from '../../src/shared/events';
import { Orchestrator } from '../../src/core/orchestrator';
import { splitSections } from '../../src/core/chunks';
import { startScriptedServer } from '../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../fakes/scripted-config';
import { scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';

const EASY: ScriptedQuestion = { weak: [0.9, 0.8, 0.9], strong: [1, 1, 0.9] };
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const BATCH = 10;

export interface RecipeFigures {
  batches: Array<{ batch: number; recipeVersion: number; attempts: number; accepted: number; rate: number }>;
  withRecipe: { attempts: number; accepted: number; attemptsPerAccepted: number };
  withoutRecipe: { attempts: number; accepted: number; attemptsPerAccepted: number };
}

async function once(recipeEvery: number) {
  // Before learning: one question in four separates the solvers; once the recipe asks for a regime contrast: two in three.
  const script = scriptRoles([EASY, EASY, EASY, GOOD], { learnable: { keyword: 'regime contrast', questions: [GOOD, GOOD, EASY] } });
  const server = await startScriptedServer({ respond: script.respond });
  try {
    const text = Array.from(
      { length: 40 },
      (_, i) => `# Part ${i + 1}\n\n${`Part ${i + 1} develops one argument of the paper in its own words. `.repeat(8)}`,
    ).join('\n\n');
    const config = scriptedConfig(server.baseURL, { recipeEvery, maxIterations: 10 });
    const events: EngineEvent[] = [];
    let attempts = 0;
    const orch: Orchestrator = new Orchestrator({
      runId: 'recipe',
      document: { path: 'r.md', text },
      targets: splitSections(text, { maxChars: 12000, minChars: 100 }),
      config,
      models: scriptedModels(config),
      emit: (e) => {
        events.push(e);
        if (e.type === 'attempt_started' && ++attempts > 60) {
          orch.stop();
        }
      },
    });
    await orch.start();
    return events;
  } finally {
    await server.close();
  }
}

export async function run(): Promise<RecipeFigures> {
  const learned = await once(BATCH);
  const control = await once(0);
  const batches: RecipeFigures['batches'] = [];
  let version = 0;
  let cur = { attempts: 0, accepted: 0 };
  for (const e of learned) {
    if (e.type === 'recipe_updated') {
      version = e.version;
    }
    if (e.type === 'verdict') {
      cur.attempts++;
      if (e.verdict.kind === 'accepted') {
        cur.accepted++;
      }
      if (cur.attempts === BATCH) {
        batches.push({ batch: batches.length + 1, recipeVersion: version, ...cur, rate: cur.accepted / cur.attempts });
        cur = { attempts: 0, accepted: 0 };
      }
    }
  }
  const totals = (events: EngineEvent[]) => {
    const attempts = events.filter((e) => e.type === 'verdict').length;
    const accepted = events.filter((e) => e.type === 'item_accepted').length;
    return { attempts, accepted, attemptsPerAccepted: attempts / Math.max(1, accepted) };
  };
  return { batches, withRecipe: totals(learned), withoutRecipe: totals(control) };
}

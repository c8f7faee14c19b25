// Benchmarks of the engine's loop against the scripted server with injected latencies: overhead over the critical
// path, speed-up over the naive sequential loop, parallel sections, and calls/tokens per accepted item.
import type { EngineConfig } from '../../src/core/config';
import type { EngineEvent } from '../../src/shared/events';
import { Orchestrator } from '../../src/core/orchestrator';
import type { Target } from '../../src/shared/schemas';
import { startScriptedServer } from '../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../fakes/scripted-config';
import { MODELS, scriptRoles, type ScriptedQuestion, type ScriptLatency } from '../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const LAT: Required<Omit<ScriptLatency, 'learnable'>> = { challengerLatencyMs: 400, qualityLatencyMs: 200, solverLatencyMs: 300, judgeLatencyMs: 200 };

function targets(n: number): Target[] {
  return Array.from({ length: n }, (_, i) => {
    const text = `Section ${i + 1} explains a separate idea of the paper in enough words to stand alone as a target for a question. `.repeat(4);
    return { id: `s${i + 1}`, title: `Section ${i + 1}`, range: { start: i * 1000, end: i * 1000 + text.length }, text };
  });
}

interface LoopRun {
  ms: number;
  attempts: number;
  accepted: string[];
  calls: number;
  tokens: number;
  status429: number;
  maxInFlight: number;
}

async function runLoop(
  questions: ScriptedQuestion[],
  nTargets: number,
  patch: Partial<EngineConfig>,
  lat: ScriptLatency,
  opts: { limit?: number; serverMax?: number; useN?: boolean; maxIterations?: number } = {},
): Promise<LoopRun> {
  const script = scriptRoles(questions, lat);
  const server = await startScriptedServer({ respond: script.respond, maxConcurrent: opts.serverMax, retryAfterSeconds: 0.2 });
  try {
    const config = scriptedConfig(server.baseURL, { maxIterations: opts.maxIterations ?? 10, ...patch });
    const events: EngineEvent[] = [];
    const ts = targets(nTargets);
    const orch = new Orchestrator({
      runId: 'bench',
      document: { path: 'bench.md', text: ts.map((t) => t.text).join('') },
      targets: ts,
      config,
      models: scriptedModels(config, { limit: opts.limit ?? 64, useN: opts.useN, maxRetries: 6 }),
      emit: (e) => events.push(e),
    });
    const t0 = performance.now();
    const s = await orch.start();
    const ms = performance.now() - t0;
    const usage = orch.usage.total();
    return {
      ms,
      attempts: s.attempts,
      accepted: s.accepted.map((r) => r.question.split(':')[0]).sort(),
      calls: server.requests.filter((r) => r.path.endsWith('/chat/completions')).length,
      tokens: usage.promptTokens + usage.completionTokens,
      status429: server.requests.filter((r) => r.status === 429).length,
      maxInFlight: server.maxInFlightSeen,
    };
  } finally {
    await server.close();
  }
}

export interface LoopFigures {
  overhead: { mode: string; perIterationMs: number; criticalPathMs: number; ratio: number }[];
  naive: { oursMs: number; naiveMs: number; speedup: number; oursCalls: number; naiveCalls: number };
  parallel: { c: number; itemsPerMinute: number; ratioToC1: number; status429: number }[];
  cost: { mode: string; attempts: number; accepted: number; callsPerAccepted: number; tokensPerAccepted: number; acceptedSet: string[] }[];
  sameAcceptedSet: boolean;
}

export async function run(): Promise<LoopFigures> {
  const iterations = 6;
  // 1. Overhead: one accepted attempt per target, targets one after another.
  const costCritical = LAT.challengerLatencyMs + LAT.qualityLatencyMs + 2 * (LAT.solverLatencyMs + LAT.judgeLatencyMs);
  const latencyCritical = LAT.challengerLatencyMs + LAT.qualityLatencyMs + LAT.solverLatencyMs + LAT.judgeLatencyMs;
  const overhead: LoopFigures['overhead'] = [];
  for (const [mode, critical] of [
    ['cost', costCritical],
    ['latency', latencyCritical],
  ] as const) {
    const r = await runLoop([GOOD], iterations, { solveOrder: mode }, LAT);
    const per = r.ms / r.attempts;
    overhead.push({ mode, perIterationMs: per, criticalPathMs: critical, ratio: per / critical });
  }
  // 2. The naive loop: one request at a time, one rollout per request, one judge call per rollout.
  const ours = await runLoop([GOOD], iterations, { solveOrder: 'latency' }, LAT);
  const naive = await runLoop([GOOD], iterations, { solveOrder: 'cost', judgeMode: 'perRollout', useN: false }, LAT, { limit: 1, useN: false });
  // 3. Parallel sections against an endpoint that allows 16 requests at once (429 with retry-after beyond that).
  const parallel: LoopFigures['parallel'] = [];
  let base = 0;
  for (const c of [1, 2, 4, 8]) {
    const r = await runLoop([GOOD], c * 3, { targetConcurrency: c, solveOrder: 'latency' }, LAT, { limit: 16, serverMax: 16 });
    const perMin = (r.accepted.length / r.ms) * 60_000;
    if (c === 1) {
      base = perMin;
    }
    parallel.push({ c, itemsPerMinute: perMin, ratioToC1: perMin / base, status429: r.status429 });
  }
  // 4. Cost per accepted item on a population like the paper's failed rounds (mostly too easy), with and without early decisions.
  const population: ScriptedQuestion[] = [];
  for (let i = 0; i < 40; i++) {
    const k = i % 10;
    population.push(
      k < 6
        ? { weak: [0.8, 0.9, 0.9], strong: [1, 1, 0.9] } // too easy
        : k === 6
          ? { weak: [0.2, 0.1, 0.2], strong: [0.3, 0.2, 0.3] } // fails on the strong solver
          : k === 7
            ? { ...GOOD, quality: { pass: false, reason: 'needs the table' } }
            : { weak: [0.2 + 0.05 * (i % 3), 0.4, 0.3], strong: [0.8, 0.9, 0.8] },
    );
  }
  const cost: LoopFigures['cost'] = [];
  const variants = [
    ['cost order with early decisions (default)', { solveOrder: 'cost', earlyDecisions: true }],
    ['cost order without early decisions', { solveOrder: 'cost', earlyDecisions: false }],
    ['latency order (every solver runs, one judge call)', { solveOrder: 'latency' }],
  ] as const;
  for (const [mode, patch] of variants) {
    const r = await runLoop(population, 8, patch, {}, { maxIterations: 10 });
    cost.push({
      mode,
      attempts: r.attempts,
      accepted: r.accepted.length,
      callsPerAccepted: r.calls / r.accepted.length,
      tokensPerAccepted: r.tokens / r.accepted.length,
      acceptedSet: r.accepted,
    });
  }
  return {
    overhead,
    naive: {
      oursMs: ours.ms / ours.attempts,
      naiveMs: naive.ms / naive.attempts,
      speedup: naive.ms / ours.ms,
      oursCalls: ours.calls / ours.attempts,
      naiveCalls: naive.calls / naive.attempts,
    },
    parallel,
    cost,
    sameAcceptedSet: cost.every((c) => JSON.stringify(c.acceptedSet) === JSON.stringify(cost[0].acceptedSet)),
  };
}

export { MODELS };

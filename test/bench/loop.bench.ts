// Benchmarks of the engine's loop against the scripted server with injected latencies: overhead over the critical
// path, speed-up over the naive sequential loop, parallel sections, and calls/tokens per accepted item.
import type { EngineConfig } from '../../src/core/config';
import type { EngineEvent } from '../../src/shared/events';
import { Orchestrator } from '../../src/core/orchestrator';
import type { Target } from '../../src/shared/schemas';
import { startScriptedServer, type RecordedRequest } from '../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../fakes/scripted-config';
import { criticalPathMs, replayCriticalPath } from './critical-path';
import { MODELS, scriptRoles, type ScriptedQuestion, type ScriptLatency } from '../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
/**
 * The latency model: a solver request costs 300 ms per sample it returns (`n` = 3 costs 900 ms), a judge call 150 ms per
 * answer it grades plus 0.5 ms per token of those answers; the Challenger 400 ms, a quality check 200 ms.
 */
export const LAT: ScriptLatency = { challengerLatencyMs: 400, qualityLatencyMs: 200, solverMsPerSample: 300, judgeMsPerAnswer: 150, judgeMsPerKToken: 500 };

function targets(n: number): Target[] {
  return Array.from({ length: n }, (_, i) => {
    const text = `Section ${i + 1} explains a separate idea of the paper in enough words to stand alone as a target for a question. `.repeat(4);
    return { id: `s${i + 1}`, title: `Section ${i + 1}`, range: { start: i * 1000, end: i * 1000 + text.length }, text };
  });
}

interface LoopRun {
  ms: number;
  criticalMs: number;
  /** Request-milliseconds the endpoint spent answering (admitted requests), for its utilisation. */
  busyMs: number;
  attempts: number;
  accepted: string[];
  calls: number;
  tokens: number;
  status429: number;
  maxInFlight: number;
  requests: RecordedRequest[];
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
      criticalMs: criticalPathMs(server.requests, config.solveOrder),
      busyMs: server.admittedMs,
      attempts: s.attempts,
      accepted: s.accepted.map((r) => r.question.split(':')[0]).sort(),
      calls: server.requests.filter((r) => r.path.endsWith('/chat/completions')).length,
      tokens: usage.promptTokens + usage.completionTokens,
      status429: server.requests.filter((r) => r.status === 429).length,
      maxInFlight: server.maxInFlightSeen,
      requests: [...server.requests],
    };
  } finally {
    await server.close();
  }
}

export interface LoopFigures {
  /**
   * Per iteration: the engine's wall time, the critical path the server charged, and the same requests replayed by a
   * bare client right after each engine round (so both see the machine's load of that moment); `ratio` is engine ÷
   * replay, `ratioToCharged` engine ÷ the charged critical path.
   */
  overhead: { mode: string; perIterationMs: number; criticalPathMs: number; replayMs: number; ratio: number; ratioToCharged: number; iterations: number }[];
  /** The defaults against the strongest simple loop, on the paper-like population. */
  baseline: { mode: string; msPerAccepted: number; callsPerAccepted: number; tokensPerAccepted: number; accepted: number; attempts: number }[];
  parallel: { c: number; itemsPerMinute: number; utilisation: number; status429: number; maxInFlight: number }[];
  cost: { mode: string; attempts: number; accepted: number; callsPerAccepted: number; tokensPerAccepted: number; acceptedSet: string[] }[];
  sameAcceptedSet: boolean;
}

/** A population like the paper's failed rounds: 60% too easy, 10% too hard for the strong solver, 10% failing the quality check, 20% good. */
function population(): ScriptedQuestion[] {
  const out: ScriptedQuestion[] = [];
  for (let i = 0; i < 40; i++) {
    const k = i % 10;
    out.push(
      k < 6
        ? { weak: [0.8, 0.9, 0.9], strong: [1, 1, 0.9] } // too easy
        : k === 6
          ? { weak: [0.2, 0.1, 0.2], strong: [0.3, 0.2, 0.3] } // fails on the strong solver
          : k === 7
            ? { ...GOOD, quality: { pass: false, reason: 'needs the table' } }
            : { weak: [0.2 + 0.05 * (i % 3), 0.4, 0.3], strong: [0.8, 0.9, 0.8] },
    );
  }
  return out;
}

/** The strongest simple loop: rollouts concurrent (one request each), one judge call per rollout, cost order, nothing skipped. */
export const BASELINE: Partial<EngineConfig> = { solveOrder: 'cost', judgeMode: 'perRollout', useN: false, earlyDecisions: false, finalVerification: false };

/** The engine's overhead over the critical path, in both orders. */
export async function measureOverhead(): Promise<LoopFigures['overhead']> {
  // 1. Overhead over the critical path, the defaults (cost order) first: one accepted attempt per target, targets one
  // after another; three rounds of two targets, each followed by the bare replay of its requests, so that the engine
  // and the replay share the machine's load of the moment.
  const overhead: LoopFigures['overhead'] = [];
  // Untimed: the first attempt of a process compiles the engine's code paths (a few hundred ms once, not per attempt).
  await runLoop([GOOD], 1, {}, LAT);
  for (const mode of ['cost', 'latency'] as const) {
    let ms = 0;
    let critical = 0;
    let replay = 0;
    let attempts = 0;
    for (let round = 0; round < 3; round++) {
      const r = await runLoop([GOOD], 2, { solveOrder: mode }, LAT);
      ms += r.ms;
      critical += r.criticalMs;
      attempts += r.attempts;
      const bare = await startScriptedServer({ respond: scriptRoles([GOOD], LAT).respond });
      try {
        replay += await replayCriticalPath(r.requests, mode, bare.baseURL);
      } finally {
        await bare.close();
      }
    }
    overhead.push({
      mode,
      perIterationMs: ms / attempts,
      criticalPathMs: critical / attempts,
      replayMs: replay / attempts,
      ratio: ms / replay,
      ratioToCharged: ms / critical,
      iterations: attempts,
    });
  }
  return overhead;
}

export async function run(): Promise<LoopFigures> {
  const overhead = await measureOverhead();
  // 2. The defaults against the strongest simple loop, on a population where most questions fail.
  const baseline: LoopFigures['baseline'] = [];
  for (const [mode, patch, useN] of [
    ['defaults', {}, undefined],
    ['baseline: concurrent rollouts, one judge call per rollout, cost order', BASELINE, false],
    // Where the defaults' time goes: the same defaults with each rollout its own request instead of one request for n.
    ['defaults, one request per rollout (no n sampling)', { useN: false }, false],
  ] as const) {
    const r = await runLoop(population(), 8, patch, LAT, { useN });
    baseline.push({
      mode,
      msPerAccepted: r.ms / r.accepted.length,
      callsPerAccepted: r.calls / r.accepted.length,
      tokensPerAccepted: r.tokens / r.accepted.length,
      accepted: r.accepted.length,
      attempts: r.attempts,
    });
  }
  // 3. Sections at once against an endpoint that admits 16 requests; the client allows 24, so the cap is exceeded on purpose.
  const parallel: LoopFigures['parallel'] = [];
  for (const c of [4, 8, 16]) {
    const r = await runLoop([GOOD], c * 2, { targetConcurrency: c }, LAT, { limit: 24, serverMax: 16 });
    parallel.push({
      c,
      itemsPerMinute: (r.accepted.length / r.ms) * 60_000,
      utilisation: r.busyMs / (16 * r.ms),
      status429: r.status429,
      maxInFlight: r.maxInFlight,
    });
  }
  // 4. Cost per accepted item, with and without early decisions, and the latency order.
  const cost: LoopFigures['cost'] = [];
  const variants = [
    ['cost order with early decisions (default)', { solveOrder: 'cost', earlyDecisions: true }],
    ['cost order without early decisions', { solveOrder: 'cost', earlyDecisions: false }],
    ['latency order (every solver runs)', { solveOrder: 'latency' }],
  ] as const;
  for (const [mode, patch] of variants) {
    const r = await runLoop(population(), 8, patch, {}, { maxIterations: 10 });
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
    baseline,
    parallel,
    cost,
    sameAcceptedSet: cost.every((c) => JSON.stringify(c.acceptedSet) === JSON.stringify(cost[0].acceptedSet)),
  };
}

export { MODELS };

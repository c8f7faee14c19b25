// Soak: a long run (500 attempts) against the scripted server with ~10% injected faults. Checks that every attempt is
// accounted for in the journal, that every attempt open at the stop can be resumed, and that memory stays flat (the heap
// after warm-up grows by less than HEAP_BOUND_MB); writes the figures into RELIABILITY.md.
// Run: npm run soak   (node --expose-gc, so heap figures are taken after a full collection)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitSections } from '../../src/core/chunks';
import { isJournaled, type EngineEvent } from '../../src/shared/events';
import { Orchestrator } from '../../src/core/orchestrator';
import { resumePoint } from '../../src/core/resume';
import type { Target } from '../../src/shared/schemas';
import { Dataset } from '../../src/run/dataset';
import { JsonlWriter, readJsonl } from '../../src/run/jsonl';
import { startScriptedServer, type ScriptedReply } from '../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../fakes/scripted-config';
import { scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';

const ATTEMPTS = 500;
/** Heap growth from the first sample after warm-up to the last one during the run, after a full collection. */
export const HEAP_BOUND_MB = 32;
const TARGET_CONCURRENCY = 4;
const FAULT_RATE = 0.1;
const root = path.resolve(__dirname, '../..');

/** Deterministic pseudo-random numbers, so a soak run can be repeated exactly. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FAULTS: Array<[string, ScriptedReply]> = [
  ['429 with retry-after', { kind: 'error', status: 429, headers: { 'retry-after-ms': '20' } }],
  ['500', { kind: 'error', status: 500, headers: { 'retry-after-ms': '20' } }],
  ['503', { kind: 'error', status: 503, headers: { 'retry-after-ms': '20' } }],
  ['connection reset', { kind: 'reset' }],
  ['malformed body', { kind: 'malformed' }],
  ['truncated body', { kind: 'truncated' }],
  ['invalid JSON content', { content: '{"question": "unterminated' }],
  ['empty content', { content: '' }],
  ['cut off at max_tokens', { content: 'The answer begins and then', finishReason: 'length' }],
];

export interface SoakFigures {
  attempts: number;
  decided: number;
  interruptedByStop: number;
  /** Verdicts whose attempt has no attempt_started line: a gap in the journal. */
  unstartedVerdicts: number;
  resumableInterrupted: number;
  accepted: number;
  datasetLines: number;
  requests: number;
  injected: Record<string, number>;
  injectedTotal: number;
  verdicts: Record<string, number>;
  outcome: string;
  seconds: number;
  heapMB: number[];
  heapGrowthMB: number;
  gcExposed: boolean;
}

export async function run(): Promise<SoakFigures> {
  const random = rng(42);
  const questions: ScriptedQuestion[] = Array.from({ length: 10 }, (_, i) =>
    i < 6 ? { weak: [0.9, 0.8, 0.9], strong: [1, 1, 1] } : { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] },
  );
  const script = scriptRoles(questions);
  const injected: Record<string, number> = {};
  const server = await startScriptedServer({
    respond: (req, ctx) => {
      if (ctx.choiceIndex === 0 && random() < FAULT_RATE) {
        const [name, reply] = FAULTS[Math.floor(random() * FAULTS.length)];
        injected[name] = (injected[name] ?? 0) + 1;
        return reply;
      }
      return script.respond(req, ctx);
    },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-soak-'));
  try {
    const text = Array.from(
      { length: 400 },
      (_, i) => `# Section ${i + 1}\n\n${`Section ${i + 1} makes its own argument about the method, at length. `.repeat(8)}`,
    ).join('\n\n');
    const config = scriptedConfig(server.baseURL, { maxIterations: 6, targetConcurrency: TARGET_CONCURRENCY });
    const journal = new JsonlWriter(path.join(dir, 'runs', 'soak.jsonl'), false);
    const dataset = new Dataset(path.join(dir, 'dataset.jsonl'));
    const targets: Target[] = splitSections(text, { maxChars: 12000, minChars: 100 });
    const heap: number[] = [];
    let attempts = 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    let requests = 0;
    // The harness must not grow either: the server's request log is counted and dropped at each sample.
    const sample = () => {
      requests += server.requests.length;
      server.requests.length = 0;
      gc?.();
      heap.push(process.memoryUsage().heapUsed);
    };
    let writes: Promise<unknown> = Promise.resolve();
    const orch: Orchestrator = new Orchestrator({
      runId: 'soak',
      document: { path: 'soak.md', text },
      targets,
      config,
      models: scriptedModels(config, { maxRetries: 3, timeoutMs: 5000 }),
      goal: undefined,
      emit: (e: EngineEvent) => {
        // As the run layer journals: calls in flight are shown, not journaled.
        if (isJournaled(e)) {
          writes = writes.then(() => journal.append(e)).then(() => (e.type === 'item_accepted' ? dataset.append(e.record) : undefined));
        }
        if (e.type === 'attempt_started') {
          attempts++;
          if (attempts % 100 === 0) {
            sample();
          }
          if (attempts >= ATTEMPTS) {
            orch.stop();
          }
        }
      },
    });
    sample();
    const t0 = Date.now();
    const summary = await orch.start();
    const seconds = (Date.now() - t0) / 1000;
    await writes;
    sample();
    const events = (await readJsonl(journal.file)).values as EngineEvent[];
    const started = new Set(events.filter((e) => e.type === 'attempt_started').map((e) => (e as { attemptId: string }).attemptId));
    const decided = new Set(events.filter((e) => e.type === 'verdict').map((e) => (e as { attemptId: string }).attemptId));
    const open = [...started].filter((id) => !decided.has(id));
    const point = resumePoint(events);
    // Resumable: taken up under its own id with what it had, or (no question yet) asked again without losing its iteration.
    const pendingIds = new Set([...point.pending.values()].map((p) => p.attemptId));
    const challenged = new Set(events.filter((e) => e.type === 'challenge').map((e) => (e as { attemptId: string }).attemptId));
    const startedAt = new Map(
      events.filter((e): e is Extract<EngineEvent, { type: 'attempt_started' }> => e.type === 'attempt_started').map((e) => [e.attemptId, e] as const),
    );
    const resumable = open.filter((id) => {
      const s = startedAt.get(id)!;
      return pendingIds.has(id) || (!challenged.has(id) && point.iterations.get(s.targetId) === s.iteration - 1);
    });
    const datasetLines = (await readJsonl(dataset.file)).values.length;
    const accepted = events.filter((e) => e.type === 'item_accepted').length;
    const verdicts: Record<string, number> = {};
    for (const e of events) {
      if (e.type === 'verdict') {
        verdicts[e.verdict.kind] = (verdicts[e.verdict.kind] ?? 0) + 1;
      }
    }
    const mb = (b: number) => Math.round(b / 1e5) / 10;
    return {
      attempts: started.size,
      decided: decided.size,
      interruptedByStop: open.length,
      unstartedVerdicts: [...decided].filter((id) => !started.has(id)).length,
      resumableInterrupted: resumable.length,
      accepted,
      datasetLines,
      requests,
      injected,
      injectedTotal: Object.values(injected).reduce((a, b) => a + b, 0),
      verdicts,
      outcome: summary.outcome,
      seconds,
      heapMB: heap.map(mb),
      heapGrowthMB: mb(heap[heap.length - 2] - heap[1]),
      gcExposed: Boolean(gc),
    };
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run()
    .then((f) => {
      console.log(JSON.stringify(f, null, 2));
      const file = path.join(root, 'RELIABILITY.md');
      const block = `<!-- soak:start -->\n\`\`\`json\n${JSON.stringify(f, null, 2)}\n\`\`\`\n<!-- soak:end -->`;
      if (fs.existsSync(file) && !process.env.AUTODATA_SOAK_NO_WRITE) {
        const md = fs.readFileSync(file, 'utf8');
        fs.writeFileSync(file, md.replace(/<!-- soak:start -->[\s\S]*<!-- soak:end -->/, block));
      }
      const problems = [
        f.unstartedVerdicts === 0 ? '' : `${f.unstartedVerdicts} verdict(s) for attempts the journal never started`,
        f.accepted === f.datasetLines ? '' : `accepted items missing from the dataset (${f.accepted} accepted, ${f.datasetLines} lines)`,
        f.resumableInterrupted === f.interruptedByStop ? '' : `${f.interruptedByStop} attempt(s) open at the stop but ${f.resumableInterrupted} resumable`,
        f.interruptedByStop <= TARGET_CONCURRENCY
          ? ''
          : `${f.interruptedByStop} attempts open at the stop, more than the ${TARGET_CONCURRENCY} sections at once`,
        !f.gcExposed || f.heapGrowthMB < HEAP_BOUND_MB ? '' : `heap grew ${f.heapGrowthMB} MB after warm-up (bound ${HEAP_BOUND_MB} MB)`,
        f.gcExposed ? '' : 'run with node --expose-gc (npm run soak) so the heap bound can be checked',
      ].filter(Boolean);
      if (problems.length) {
        console.error(`SOAK FAILED: ${problems.join('; ')}`);
        process.exit(1);
      }
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}

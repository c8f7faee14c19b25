// A long CLI run: `autodata generate` in its own Node process (--expose-gc) against the scripted server (fast latency
// model), stopped with Ctrl-C (SIGINT) once its journal holds N attempts, at three sizes. Two things are measured:
// - memory: the CLI process's heap after a full collection, sampled every second by that process, from the end of
//   warm-up (the first 10% of the attempts) to the stop;
// - journal lag: a watcher here polls the journal every 25 ms and, for each new line, takes the time between the event's
//   own `at` (stamped when the engine emits it) and the poll that first found its bytes on disk. The poll interval and
//   this process's own work (it also serves the scripted endpoint) only add to the figure.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { main } from '../../src/cli/main';
import { runsDir } from '../../src/run/journal';
import { startScriptedServer } from '../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';

const KEY = 'bench-key';
const POLL_MS = 25;
const HEAP_EVERY_MS = 1000;

export interface LongRunFigure {
  attempts: number;
  events: number;
  seconds: number;
  exitCode: number | null;
  /** Heap after a full collection: at the end of warm-up, at the stop, and its growth per 1,000 attempts between. */
  warmHeapMB: number;
  endHeapMB: number;
  growthMB: number;
  growthPer1000MB: number;
  heapSamples: Array<{ attempts: number; heapMB: number }>;
  /** Emission → bytes seen on disk. */
  lagMaxMs: number;
  lagP99Ms: number;
  lagMedianMs: number;
  lateOver1s: number;
  /** The CLI process's own event-loop delay over the run (how long its loop waited: its work, its GCs, a busy machine). */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

// 6 of 10 questions too easy (rejected), 4 good (accepted): attempts repeat on a section, as in a real run.
const QUESTIONS: ScriptedQuestion[] = Array.from({ length: 10 }, (_, i) =>
  i < 6 ? { weak: [0.9, 0.8, 0.9], strong: [1, 1, 1] } : { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] },
);

function documentText(sections: number): string {
  return Array.from(
    { length: sections },
    (_, i) => `# Section ${i + 1}\n\n${`Section ${i + 1} makes its own argument about the method, at length, with its own example. `.repeat(4)}\n\n`,
  ).join('');
}

const quantile = (xs: Float64Array, q: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] : 0);

export async function runLong(attempts: number): Promise<LongRunFigure> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-long-'));
  const script = scriptRoles(QUESTIONS, { solverLatencyMs: 2, judgeLatencyMs: 2, challengerLatencyMs: 2, qualityLatencyMs: 2 });
  const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: KEY });
  // The server's request log is not needed here: dropped as it grows.
  const drop = setInterval(() => (server.requests.length = 0), 500);
  try {
    fs.writeFileSync(path.join(ws, 'long.md'), documentText(attempts));
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(
      path.join(ws, 'autodata.json'),
      JSON.stringify({
        endpoint: { baseURL: server.baseURL, maxTokens: 512 },
        roles,
        requestConcurrency: 32,
        targetConcurrency: 32,
        maxIterations: 6,
        itemsPerRun: 0,
      }),
    );
    // The watcher: its own process, doing nothing else, so its polls are on time; polling before the CLI starts.
    const done = path.join(ws, '.cli-exited');
    const watcher = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), __filename, 'watch', runsDir(ws), done], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const progress: Array<{ t: number; attempts: number }> = [];
    let summary: WatchSummary | undefined;
    let out = '';
    let stopped = false;
    let ready: () => void = () => undefined;
    const polling = new Promise<void>((resolve) => (ready = resolve));
    const running: { cli?: ReturnType<typeof spawn> } = {};
    watcher.stdout.setEncoding('utf8');
    watcher.stdout.on('data', (d: string) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        const m = /^attempts (\d+) (\d+)$/.exec(l);
        if (m) {
          ready();
          progress.push({ t: Number(m[1]), attempts: Number(m[2]) });
          if (Number(m[2]) >= attempts && !stopped && running.cli) {
            stopped = true;
            running.cli.kill('SIGINT');
          }
        } else if (l.startsWith('{')) {
          summary = JSON.parse(l) as WatchSummary;
        }
      }
    });
    const watched = new Promise<void>((resolve) => watcher.on('exit', () => resolve()));
    await polling;
    const t0 = Date.now();
    const cli = spawn(
      process.execPath,
      [
        ...(process.env.AUTODATA_BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []),
        '--expose-gc',
        '--require',
        require.resolve('tsx/cjs'),
        __filename,
        'child',
        ws,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, AUTODATA_API_KEY: KEY },
      },
    );
    const heaps: Array<{ t: number; heap: number }> = [];
    let loop = { max: 0, p99: 0 };
    let err = '';
    cli.stderr.setEncoding('utf8');
    cli.stderr.on('data', (d: string) => {
      err += d;
      const lines = err.split('\n');
      err = lines.pop()!;
      for (const l of lines) {
        const m = /^heap (\d+) (\d+)$/.exec(l);
        const d = /^loop (\S+) (\S+)$/.exec(l);
        if (m) {
          heaps.push({ t: Number(m[1]), heap: Number(m[2]) });
        } else if (d) {
          loop = { max: Number(d[1]), p99: Number(d[2]) };
        } else if (l.trim()) {
          process.stderr.write(`${l}\n`);
        }
      }
    });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    running.cli = cli;
    const exitCode = await exited;
    const seconds = (Date.now() - t0) / 1000;
    fs.writeFileSync(done, '');
    await watched;
    if (!summary) {
      throw new Error('the journal watcher gave no figures');
    }
    const { seen, events, lagMaxMs, lagP99Ms, lagMedianMs, lateOver1s } = summary;
    // Heap samples placed on the attempt count the watcher had seen by then.
    const attemptsAt = (t: number) => progress.filter((p) => p.t <= t).at(-1)?.attempts ?? 0;
    const samples = heaps.map((h) => ({ attempts: attemptsAt(h.t), heapMB: h.heap / 1e6 }));
    const warm = samples.filter((s) => s.attempts >= attempts * 0.1);
    const first = warm[0] ?? samples[0];
    const last = samples.filter((s) => s.attempts <= attempts).at(-1) ?? samples.at(-1)!;
    const growth = last.heapMB - first.heapMB;
    return {
      attempts: seen,
      events,
      seconds,
      exitCode,
      warmHeapMB: first.heapMB,
      endHeapMB: last.heapMB,
      growthMB: growth,
      growthPer1000MB: (growth / Math.max(1, last.attempts - first.attempts)) * 1000,
      heapSamples: samples,
      lagMaxMs,
      lagP99Ms,
      lagMedianMs,
      lateOver1s,
      loopDelayMaxMs: loop.max,
      loopDelayP99Ms: loop.p99,
    };
  } finally {
    clearInterval(drop);
    await server.close();
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

interface WatchSummary {
  seen: number;
  events: number;
  lagMaxMs: number;
  lagP99Ms: number;
  lagMedianMs: number;
  lateOver1s: number;
}

/**
 * In the watcher's process: polls the run's journal every POLL_MS, prints the attempts it holds, and once `done` exists,
 * a last poll and the lags (from each line's `at` to the poll that first read it).
 */
async function watch(runs: string, done: string): Promise<void> {
  const lags: number[] = [];
  let seen = 0;
  let offset = 0;
  let rest = '';
  let file: string | undefined;
  const poll = async () => {
    file ??= fs.existsSync(runs) ? fs.readdirSync(runs).find((f) => f.endsWith('.jsonl')) : undefined;
    if (!file) {
      process.stdout.write(`attempts ${Date.now()} 0\n`);
      return;
    }
    const h = await fs.promises.open(path.join(runs, file), 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const { bytesRead } = await h.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) {
          break;
        }
        offset += bytesRead;
        const now = Date.now();
        const lines = (rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          const at = /"at":"([^"]+)"/.exec(l);
          if (at) {
            lags.push(now - Date.parse(at[1]));
            if (process.env.AUTODATA_BENCH_LATE && now - Date.parse(at[1]) > 1000) {
              process.stderr.write(`late ${now - Date.parse(at[1])} ${/"type":"([^"]+)"/.exec(l)?.[1]} ${at[1]}\n`);
            }
          }
          if (l.includes('"type":"attempt_started"')) {
            seen++;
          }
        }
      }
    } finally {
      await h.close();
    }
    process.stdout.write(`attempts ${Date.now()} ${seen}\n`);
  };
  while (!fs.existsSync(done)) {
    await poll();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await poll();
  const sorted = Float64Array.from(lags).sort();
  const summary: WatchSummary = {
    seen,
    events: lags.length,
    lagMaxMs: quantile(sorted, 1),
    lagP99Ms: quantile(sorted, 0.99),
    lagMedianMs: quantile(sorted, 0.5),
    lateOver1s: lags.filter((l) => l > 1000).length,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** In the CLI's process: the CLI itself, stopped by SIGINT as a terminal's Ctrl-C stops it, and its heap sampled. */
async function child(ws: string): Promise<void> {
  const gc = (global as { gc?: () => void }).gc!;
  const timer = setInterval(() => {
    gc();
    process.stderr.write(`heap ${Date.now()} ${process.memoryUsage().heapUsed}\n`);
  }, HEAP_EVERY_MS);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const stop = new AbortController();
  // A sampling heap profile (AUTODATA_BENCH_HEAP_PROFILE=<file>) or a heap snapshot (AUTODATA_BENCH_HEAP_SNAPSHOT=<file>)
  // of what is live at the stop, for finding what grows.
  const profile = process.env.AUTODATA_BENCH_HEAP_PROFILE;
  const session = profile ? new inspector.Session() : undefined;
  session?.connect();
  session?.post('HeapProfiler.startSampling', { samplingInterval: 16384 });
  process.on('SIGINT', () => {
    if (process.env.AUTODATA_BENCH_HEAP_SNAPSHOT) {
      v8.writeHeapSnapshot(process.env.AUTODATA_BENCH_HEAP_SNAPSHOT);
    }
    if (!session) {
      stop.abort();
      return;
    }
    gc();
    session.post('HeapProfiler.getSamplingProfile', (e, r) => {
      fs.writeFileSync(profile!, JSON.stringify((r as { profile: unknown }).profile));
      stop.abort();
    });
  });
  const code = await main(['generate', 'long.md', '--config', 'autodata.json'], {
    stdout: () => undefined,
    stderr: (t) => void process.stderr.write(/^(heap|loop) /.test(t) ? ` ${t}` : t),
    env: { AUTODATA_API_KEY: process.env.AUTODATA_API_KEY },
    cwd: ws,
    signal: stop.signal,
  });
  clearInterval(timer);
  delay.disable();
  process.stderr.write(`loop ${delay.max / 1e6} ${delay.percentile(99) / 1e6}\n`);
  process.exit(code);
}

export async function run(): Promise<LongRunFigure[]> {
  const out: LongRunFigure[] = [];
  for (const n of [1_000, 3_000, 10_000]) {
    out.push(await runLong(n));
  }
  return out;
}

if (require.main === module) {
  if (process.argv[2] === 'child') {
    void child(process.argv[3]);
  } else if (process.argv[2] === 'watch') {
    void watch(process.argv[3], process.argv[4]);
  } else {
    void runLong(Number(process.argv[2] ?? 1000)).then((f) => console.log(JSON.stringify({ ...f, heapSamples: f.heapSamples.length })));
  }
}

// Run start against a large dataset: opening the dataset (its persisted near-duplicate index, reading only new lines)
// and building the run's state from it, at three sizes, plus a 560 MB dataset. Each size runs in its own Node process
// (--expose-gc), so its memory figure is its own: the extra heap and typed arrays the start keeps.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RunState } from '../../src/core/run-state';
import { Dataset } from '../../src/run/dataset';
import { currentIndexWorker } from '../../src/run/index-worker-client';

export interface StartFigure {
  items: number;
  fileMB: number;
  /** The first open: the index is built from every line. */
  buildMs: number;
  /** A run start with the index up to date and 100 new lines: open + the run's near-duplicate state. */
  startMs: number;
  linesRead: number;
  extraMB: number;
  /** The process's resident memory added by the start (all threads, the index worker's too). */
  extraRssMB: number;
  /** Longest the event loop was held during the start, and during the first build. */
  maxBlockMs: number;
  buildMaxBlockMs: number;
  /**
   * The index is built in its worker thread: the worker's wall time for the first build; the main thread's own CPU time
   * (Linux schedstat) during the first build and during the start, in all and in the longest gap between two ticks of a
   * 1 ms timer, which on a loaded machine, unlike the longest block, does not include time spent waiting for a core;
   * segments and merges made.
   */
  buildWorkerMs: number;
  buildMainCpuMs: number;
  buildMaxBlockCpuMs: number;
  /** The start's request in the worker (loading the segments, reading the new lines), without the worker's own start. */
  startWorkerMs: number;
  startMainCpuMs: number;
  startMaxBlockCpuMs: number;
  segments: number;
  merges: number;
  /** Segments loaded by the start, as views over their files. */
  segmentsLoaded: number;
}

const WORDS = 'router schedule capacity gradient baseline expert token sparse dense layer loss batch curve signal noise prior window budget margin'.split(' ');
function question(i: number): string {
  let h = (i * 2654435761) >>> 0;
  const w = () => {
    h = (h * 1103515245 + 12345) >>> 0;
    return WORDS[(h >>> 8) % WORDS.length];
  };
  return `Scenario ${i}: when the ${w()} ${w()} meets a ${w()} ${w()}, how would ${w()} ${w()} change the ${w()} of the ${w()} ${w()}?`;
}

export function writeDataset(file: string, from: number, count: number, pad: number): void {
  const fd = fs.openSync(file, 'a');
  try {
    const padding = 'x'.repeat(pad);
    for (let i = from; i < from + count; i += 10_000) {
      let chunk = '';
      for (let k = i; k < Math.min(from + count, i + 10_000); k++) {
        chunk += `${JSON.stringify({ id: `bench:${k}`, question: question(k), referenceAnswer: padding })}\n`;
      }
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
}

const gc = () => (global as { gc?: () => void }).gc?.();
const memory = () => {
  gc();
  const m = process.memoryUsage();
  // external includes arrayBuffers (Buffers and typed arrays): counted once.
  return m.heapUsed + m.external;
};

/** The main thread's time on a core, in ms (Linux: /proc/self/task/<pid>/schedstat, in ns); NaN where it is not there. */
function mainThreadCpuMs(): number {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; maxBlockMs: number; cpuMs: number; maxBlockCpuMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  // A 1 ms ticker: the main thread's time on a core between two ticks; the longest such gap is the longest block in CPU
  // time (wall time also counts the time the thread waited for a core on a loaded machine).
  let lastCpu = mainThreadCpuMs();
  let maxBlockCpuMs = 0;
  const ticker = setInterval(() => {
    const cpu = mainThreadCpuMs();
    maxBlockCpuMs = Math.max(maxBlockCpuMs, cpu - lastCpu);
    lastCpu = cpu;
  }, 1);
  const cpu0 = lastCpu;
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  const cpu = mainThreadCpuMs();
  clearInterval(ticker);
  h.disable();
  return { value, ms, maxBlockMs: h.max / 1e6, cpuMs: cpu - cpu0, maxBlockCpuMs: Math.max(maxBlockCpuMs, cpu - lastCpu) };
}

/** One size, in this process. */
export async function measure(items: number, pad: number): Promise<StartFigure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-start-'));
  try {
    const file = path.join(dir, '.autodata', 'dataset.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeDataset(file, 0, items, pad);
    const build = await timed(async () => {
      const d = new Dataset(file);
      await d.open();
      return d;
    });
    const built = build.value.questions();
    const first = { ...built.lastOpen };
    writeDataset(file, items, 100, pad);
    // A run start in a new extension host or CLI process starts the index worker too: the build's worker is stopped.
    await currentIndexWorker()?.terminate();
    const before = memory();
    const rssBefore = process.memoryUsage().rss;
    const start = await timed(async () => {
      const d = new Dataset(file);
      await d.open();
      const state = new RunState({ dedupeThreshold: 0.6, knownQuestions: d.questions() });
      const { linesRead, segmentsLoaded, workerMs } = d.questions().lastOpen;
      return { d, state, lines: linesRead, loaded: segmentsLoaded, workerMs };
    });
    // The segments are in shared memory (the worker wrote them there), which `external` does not count: added.
    const extra = memory() - before + start.value.d.questions().sharedBytes;
    const extraRss = process.memoryUsage().rss - rssBefore;
    // The start's state answers: a near-copy of an early question is found.
    if (!start.value.state.asked.duplicateOf(`${question(1)} Explain.`)) {
      throw new Error('the started run does not see the dataset’s questions');
    }
    return {
      items,
      fileMB: fs.statSync(file).size / 1e6,
      buildMs: build.ms,
      startMs: start.ms,
      linesRead: start.value.lines,
      extraMB: extra / 1e6,
      extraRssMB: extraRss / 1e6,
      maxBlockMs: start.maxBlockMs,
      buildMaxBlockMs: build.maxBlockMs,
      buildWorkerMs: first.workerMs,
      buildMainCpuMs: build.cpuMs,
      buildMaxBlockCpuMs: build.maxBlockCpuMs,
      startWorkerMs: start.value.workerMs,
      startMainCpuMs: start.cpuMs,
      startMaxBlockCpuMs: start.maxBlockCpuMs,
      segments: built.segmentCount,
      merges: first.merges,
      segmentsLoaded: start.value.loaded,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function child(items: number, pad: number): StartFigure {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', '--require', require.resolve('tsx/cjs'), __filename, String(items), String(pad)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as StartFigure;
}

export interface StartFigures {
  sizes: StartFigure[];
  large: StartFigure;
}

export function run(): StartFigures {
  const sizes = [10_000, 100_000, 1_000_000].map((n) => child(n, 0));
  // 560 MB: 200,000 items of about 2.8 KB each (the size at which the old whole-file read failed).
  const large = child(200_000, 2700);
  return { sizes, large };
}

if (require.main === module) {
  void measure(Number(process.argv[2]), Number(process.argv[3] ?? 0)).then((f) => console.log(JSON.stringify(f)));
}

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

export interface StartFigure {
  items: number;
  fileMB: number;
  /** The first open: the index is built from every line. */
  buildMs: number;
  /** A run start with the index up to date and 100 new lines: open + the run's near-duplicate state. */
  startMs: number;
  linesRead: number;
  extraMB: number;
  /** Longest the event loop was held during the start, and during the first build. */
  maxBlockMs: number;
  buildMaxBlockMs: number;
  /**
   * The index is built in its worker thread: the worker's wall time for the first build; the main thread's own CPU time
   * during the first build and during the start (Linux: /proc/self/task/<pid>/stat, 10 ms ticks), which on a loaded
   * machine, unlike the longest block, does not include time spent waiting for a core; segments and merges made.
   */
  buildWorkerMs: number;
  buildMainCpuMs: number;
  startMainCpuMs: number;
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

/** The main thread's own CPU time (user + system), in ms; NaN where /proc is not there. */
function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime), counted from the state (field 3), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; maxBlockMs: number; cpuMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  const cpuMs = mainThreadCpuMs() - cpu0;
  h.disable();
  return { value, ms, maxBlockMs: h.max / 1e6, cpuMs };
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
    const before = memory();
    const start = await timed(async () => {
      const d = new Dataset(file);
      await d.open();
      const state = new RunState({ dedupeThreshold: 0.6, knownQuestions: d.questions() });
      return { d, state, lines: d.questions().lastOpen.linesRead, loaded: d.questions().lastOpen.segmentsLoaded };
    });
    const extra = memory() - before;
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
      maxBlockMs: start.maxBlockMs,
      buildMaxBlockMs: build.maxBlockMs,
      buildWorkerMs: first.workerMs,
      buildMainCpuMs: build.cpuMs,
      startMainCpuMs: start.cpuMs,
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

// The data side's rows of BENCHMARKS.md (run start and the near-duplicate index, resume, the long CLI run): targets with
// their measured figures, detailed figures and growth curves, from the figures of start.bench.ts, resume.bench.ts and
// long-run.bench.ts. `npm run bench` puts them in its tables; `npx tsx test/bench/data-targets.ts` runs only these
// three benchmarks and prints their rows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run as runLongRuns, type LongRunFigure } from './long-run.bench';
import { plot } from './plot';
import { run as runResume, type ResumeFigures } from './resume.bench';
import { run as runStart, type StartFigures } from './start.bench';
import { notMeasured, targetTable, type TargetRow } from './targets';

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const n = (x: number) => x.toLocaleString('en');

export interface DetailRow {
  figure: string;
  value: string;
  target: string;
  status: string;
}

/** "Nothing blocks > 50 ms" is judged on the wall-clock figure (monitorEventLoopDelay); the CPU figure says why. */
export function startTargets(st: StartFigures | undefined): TargetRow[] {
  if (!st) {
    return [notMeasured('run start with 100k / 1M items in the dataset', '< 1 s, < 200 MB extra, no block > 50 ms')];
  }
  const big = st.sizes.filter((x) => x.items >= 100_000);
  return [
    {
      what: 'run start with 100k / 1M items in the dataset (index up to date, 100 new lines)',
      target: '< 1 s and < 200 MB extra; nothing blocks > 50 ms',
      measured: big
        .map(
          (x) =>
            `${n(x.items)}: ${f1(x.startMs)} ms, ${f1(x.extraMB)} MB, longest block ${f1(x.maxBlockMs)} ms wall (${f1(x.startMaxBlockCpuMs)} ms main-thread CPU)`,
        )
        .join('; '),
      met: big.every((x) => x.startMs < 1000 && x.extraMB < 200 && x.maxBlockMs <= 50),
    },
    {
      what: 'first run start on a dataset without an index (the index is built)',
      target: 'nothing blocks > 50 ms',
      measured: st.sizes
        .map(
          (x) =>
            `${n(x.items)}: ${f1(x.buildMs / 1000)} s, longest block ${f1(x.buildMaxBlockMs)} ms wall, ${f1(x.buildMaxBlockCpuMs)} ms main-thread CPU (built in the index worker in ${f1(x.buildWorkerMs / 1000)} s; main thread ${f1(x.buildMainCpuMs)} ms CPU in all)`,
        )
        .join('; '),
      met: st.sizes.every((x) => x.buildMaxBlockMs <= 50),
    },
    {
      what: `a ${f1(st.large.fileMB)} MB dataset opens`,
      target: 'opens (the whole-file read failed with "Invalid string length")',
      measured: `built in ${f1(st.large.buildMs / 1000)} s; next start ${f1(st.large.startMs)} ms, ${f1(st.large.extraMB)} MB`,
      met: true,
    },
  ];
}

export function resumeTarget(resume: ResumeFigures): TargetRow {
  const r50 = resume.nothing.find((x) => x.finished === 50);
  const o50 = resume.one.find((x) => x.finished === 50);
  return {
    what: 'resume or "nothing to resume" with 50 finished runs',
    target: '< 0.5 s; memory while resuming ≤ 2× the journal',
    measured:
      `nothing: ${f1(r50?.ms ?? NaN)} ms, one run to resume: ${f1(o50?.ms ?? NaN)} ms; peak extra heap (1 MB semi-space) ` +
      `${resume.memory.map((m) => `${f2(m.ratio)}× a ${f1(m.journalMB)} MB journal`).join(', ')}`,
    met: (r50?.ms ?? Infinity) < 500 && (o50?.ms ?? Infinity) < 500 && resume.memory.every((m) => m.ratio <= 2),
  };
}

/** Flat: the heap grows by less than 1 MB per 1,000 attempts after warm-up at the largest size; every event of every size on disk within 1 s. */
const FLAT_MB_PER_1000 = 1;

export function longRunTarget(runs: readonly LongRunFigure[] | undefined): TargetRow {
  const what = 'a 10,000-attempt CLI run';
  const target = 'memory flat after warm-up, journal on disk within 1 s of each event';
  if (!runs?.length) {
    return notMeasured(what, target);
  }
  const largest = runs[runs.length - 1];
  return {
    what: largest.attempts >= 10_000 ? what : `${what} (largest run: ${n(largest.attempts)} attempts)`,
    target,
    measured: runs
      .map(
        (r) =>
          `${n(r.attempts)} attempts: heap ${f1(r.warmHeapMB)} → ${f1(r.endHeapMB)} MB (${f2(r.growthPer1000MB)} MB per 1,000), ` +
          `journal lag max ${n(Math.round(r.lagMaxMs))} ms, p99 ${n(Math.round(r.lagP99Ms))} ms, ${n(r.lateOver1s)} of ${n(r.events)} events over 1 s`,
      )
      .join('; '),
    met: largest.attempts >= 10_000 && largest.growthPer1000MB < FLAT_MB_PER_1000 && runs.every((r) => r.lateOver1s === 0),
  };
}

export function dataDetails(st: StartFigures | undefined, resume: ResumeFigures, runs: readonly LongRunFigure[] | undefined): DetailRow[] {
  const out: DetailRow[] = [];
  for (const x of st?.sizes ?? []) {
    out.push({
      figure: `run start, ${n(x.items)} items (${f1(x.fileMB)} MB)`,
      value:
        `first (index built) ${f1(x.buildMs)} ms, ${x.segments} segments after ${x.merges} merges; next ${f1(x.startMs)} ms loading ${x.segmentsLoaded} segments ` +
        `and reading ${x.linesRead} new lines, ${f1(x.extraMB)} MB extra, longest block ${f1(x.maxBlockMs)} ms`,
      target: 'report (growth)',
      status: '',
    });
  }
  for (let i = 0; i < resume.nothing.length; i++) {
    const a = resume.nothing[i];
    const b = resume.one[i];
    out.push({
      figure: `resume with ${a.finished} finished runs`,
      value: `nothing to resume ${f1(a.ms)} ms; one to resume ${f1(b.ms)} ms`,
      target: 'report (growth)',
      status: '',
    });
  }
  for (const m of resume.memory) {
    out.push({
      figure: `resume reading a ${f1(m.journalMB)} MB journal`,
      value: `${f1(m.ms)} ms, peak ${f1(m.peakExtraMB)} MB extra heap with a 1 MB semi-space (${f2(m.ratio)}× the journal); ${f1(m.defaultPeakExtraMB)} MB with the default young generation`,
      target: 'report (growth)',
      status: '',
    });
  }
  for (const r of runs ?? []) {
    out.push({
      figure: `CLI run stopped after ${n(r.attempts)} attempts`,
      value:
        `${f1(r.seconds)} s, ${n(r.events)} journal lines; heap after gc ${f1(r.warmHeapMB)} MB after warm-up → ${f1(r.endHeapMB)} MB at the stop; ` +
        `journal lag median ${n(Math.round(r.lagMedianMs))} ms, p99 ${n(Math.round(r.lagP99Ms))} ms, max ${n(Math.round(r.lagMaxMs))} ms; ` +
        `the CLI's event-loop delay p99 ${n(Math.round(r.loopDelayP99Ms))} ms, max ${n(Math.round(r.loopDelayMaxMs))} ms`,
      target: 'report (growth)',
      status: '',
    });
  }
  return out;
}

export function dataCurves(st: StartFigures | undefined, resume: ResumeFigures, runs: readonly LongRunFigure[] | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (st) {
    out.push(
      [
        'run-start.svg',
        plot('Run start (index up to date)', 'items in the dataset', 'ms', [{ name: 'start', points: st.sizes.map((x) => [x.items, x.startMs]) }], {
          target: 1000,
        }),
      ],
      [
        'run-start-memory.svg',
        plot('Run start, extra memory', 'items in the dataset', 'MB', [{ name: 'extra', points: st.sizes.map((x) => [x.items, x.extraMB]) }], { target: 200 }),
      ],
      [
        'index-build-block.svg',
        plot(
          'First index build: longest block',
          'items in the dataset',
          'ms',
          [
            { name: 'event loop (wall)', points: st.sizes.map((x) => [x.items, x.buildMaxBlockMs]) },
            { name: 'main-thread CPU', points: st.sizes.map((x) => [x.items, x.buildMaxBlockCpuMs]) },
          ],
          { target: 50 },
        ),
      ],
    );
  }
  out.push([
    'resume.svg',
    plot(
      'Resume scan',
      'finished runs',
      'ms',
      [
        { name: 'nothing to resume', points: resume.nothing.map((x) => [x.finished, x.ms]) },
        { name: 'one to resume', points: resume.one.map((x) => [x.finished, x.ms]) },
      ],
      { target: 500 },
    ),
  ]);
  if (runs?.length) {
    out.push(
      [
        'long-run-heap.svg',
        plot('CLI run: heap after gc', 'attempts', 'MB', [{ name: 'heap', points: runs.map((r) => [r.attempts, r.endHeapMB] as [number, number]) }]),
      ],
      [
        'long-run-lag.svg',
        plot(
          'CLI run: event → journal on disk',
          'attempts',
          'ms',
          [
            { name: 'p99', points: runs.map((r) => [r.attempts, r.lagP99Ms] as [number, number]) },
            { name: 'max', points: runs.map((r) => [r.attempts, r.lagMaxMs] as [number, number]) },
          ],
          { target: 1000 },
        ),
      ],
    );
  }
  return out;
}

/**
 * Runs only the data-side benchmarks and prints their rows (and writes their curves); with `--from <start.json>
 * <resume.json> <long-run.json>`, prints them from figures these benchmarks wrote earlier (each `run()`'s result).
 */
if (require.main === module) {
  void (async () => {
    const from = process.argv[2] === '--from' ? process.argv.slice(3).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as unknown) : undefined;
    const st = (from?.[0] as StartFigures | undefined) ?? runStart();
    const resume = (from?.[1] as ResumeFigures | undefined) ?? (await runResume());
    const runs = (from?.[2] as LongRunFigure[] | undefined) ?? (await runLongRuns());
    const rows = [...startTargets(st), resumeTarget(resume), longRunTarget(runs)];
    console.log(targetTable(rows));
    console.log(
      dataDetails(st, resume, runs)
        .map((r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.status} |`)
        .join('\n'),
    );
    for (const [name, svg] of dataCurves(st, resume, runs)) {
      fs.writeFileSync(path.resolve(__dirname, '../../docs/benchmarks', name), svg);
    }
  })();
}

// `autodata generate` and `autodata resume`: the run layer over files outside VS Code, writing the extension's dataset
// and journals. Every run that does not finish ends with a non-zero exit and the command that resumes it.
import * as path from 'node:path';
import { newRunId } from '../core/endpoint';
import { sameWeakAndStrong } from '../core/model-pairs';
import type { BenchmarkIndex } from '../core/leakage';
import { loadBenchmarks } from '../run/benchmarks';
import { buildModels } from '../run/models';
import { keepLearnedEndpoints, type LearnedEndpointsKeeper } from '../run/learned-endpoints';
import { findResumable, readRunDocument, ResumeError, resumeSpec } from '../run/resumable';
import { readRecipe } from '../run/recipe-file';
import { reconcileDataset } from '../run/reconcile';
import { runDocuments, type DocumentJob } from '../run/documents-at-once';
import type { Run, RunResult } from '../run/run';
import { openWorkspace, type WorkspaceFiles } from '../run/workspace';
import type { ChatModel } from '../core/models';
import { byRole, type WithSecondJudge } from '../shared/schemas';
import type { EngineEvent } from '../shared/events';
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { shardDatasetPath, shardFromEnv } from './shard-env';
import { RUN_DEFAULTS } from '../run/settings';
import { keysFor, loadSettings, type CliSettings } from './config';
import { CliFailure, EXIT, type CliIO } from './io';
import { Progress } from './progress';
import { batchSummary, startBatchMode, type BatchMode } from './batch-mode';
import { parseShard, readSources, shardOf, type Shard } from './sources';

const OPTIONS = { values: ['config', 'shard', 'dataset', 'workspace', 'batch-poll'], flags: ['allow-same-model', 'batch'] } as const;

type Job = DocumentJob;

/** What every run of one invocation shares: settings, workspace files, models (and so the per-endpoint request limits). */
export interface Context {
  settings: CliSettings;
  configFile: string;
  ws: WorkspaceFiles;
  models: WithSecondJudge<ChatModel>;
  learned: LearnedEndpointsKeeper;
  io: CliIO;
  benchmarks?: BenchmarkIndex;
  /** --batch: requests go out as batches, in waves. */
  batch?: BatchMode;
  /** What `autodata resume` needs to find these runs again: the workspace, the dataset (a shard's part), batch mode. */
  resumeCommand: string;
}

export async function generate(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length === 0) {
    throw new UsageError('give at least one file to generate from');
  }
  const shardArg = args.values.get('shard');
  const shard = shardArg === undefined ? undefined : shardArg.trim() === 'auto' ? shardFromEnv(io.env) : parseShard(shardArg);
  // A shard writes its own dataset part unless told otherwise; `autodata merge` combines the parts.
  const ctx = await context(args.values, io, shard, batchOptions(args, false));
  const same = sameWeakAndStrong(ctx.settings.engine);
  if (same && !args.flags.has('allow-same-model')) {
    throw new UsageError(`${same.message} Pass --allow-same-model to run anyway.`);
  }
  const sources = shardOf(
    await readSources(
      args.positionals.map((f) => path.resolve(io.cwd, f)),
      ctx.settings.workspace,
      ctx.settings.sectionMaxChars,
      (why) => io.stderr(`skipped: ${why}\n`),
    ),
    shard,
  );
  if (sources.length === 0) {
    io.stdout(`nothing to do: ${shard ? `shard ${shard.index}/${shard.count} has no section of these files` : 'the files have no text'}\n`);
    return EXIT.ok;
  }
  const { settings } = ctx;
  const goal = settings.itemsPerRun > 0 ? settings.itemsPerRun : undefined;
  const recipe = await readRecipe(settings.workspace);
  const jobs = sources.map((s): Job => ({
    runId: runIdFor(shard),
    document: { path: s.docPath, text: s.text },
    targets: s.targets,
    settings,
    prompts: ctx.ws.prompts,
    recipe,
    goal,
  }));
  return runJobs(ctx, jobs, shard);
}

export async function resume(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.values.has('shard')) {
    throw new UsageError('--shard does not apply to resume: a run keeps the sections it started with');
  }
  const ctx = await context(args.values, io, undefined, batchOptions(args, true));
  const root = ctx.settings.workspace;
  const jobs: Job[] = [];
  try {
    for (const r of await findResumable(root, args.positionals, { events: false })) {
      const spec = await resumeSpec(ctx.ws, r, ctx.settings, await readRunDocument(root, r));
      for (const n of spec.notes) {
        io.stderr(`note: ${n}\n`);
      }
      jobs.push(spec);
    }
  } catch (e) {
    if (e instanceof ResumeError) {
      throw new CliFailure(e.message);
    }
    throw e;
  }
  if (jobs.length === 0) {
    // A run whose journal recorded its end before its last dataset lines were durable (a hard kill) has items only in
    // its journal: they reach the dataset now, as on any start.
    const { written } = await reconcileDataset(root, ctx.ws.dataset);
    const kept = written.length ? `; ${written.length} accepted item(s) from finished runs' journals written to ${ctx.ws.dataset.file}` : '';
    io.stdout(`no interrupted run to resume in this workspace${kept}\n`);
    return EXIT.ok;
  }
  return runJobs(ctx, jobs, undefined);
}

/** `--batch` and `--batch-poll`: batch mode's options, or undefined without `--batch`. */
function batchOptions(args: ParsedArgs, resuming: boolean): { pollSeconds: number; resuming: boolean } | undefined {
  const pollArg = args.values.get('batch-poll');
  if (!args.flags.has('batch')) {
    if (pollArg !== undefined) {
      throw new UsageError('--batch-poll applies only with --batch');
    }
    return undefined;
  }
  const pollSeconds = pollArg === undefined ? 30 : Number(pollArg);
  if (!Number.isFinite(pollSeconds) || pollSeconds <= 0) {
    throw new UsageError(`--batch-poll takes seconds greater than 0, not "${pollArg}"`);
  }
  return { pollSeconds, resuming };
}

export async function context(
  values: ReadonlyMap<string, string>,
  io: CliIO,
  shard?: Shard,
  batch?: { pollSeconds: number; resuming: boolean },
): Promise<Context> {
  const configArg = values.get('config');
  if (!configArg) {
    throw new UsageError('--config <file.json> is required (the engine settings; see autodata --help)');
  }
  const configFile = path.resolve(io.cwd, configArg);
  const settings = await loadSettings(configFile);
  if (values.has('workspace')) {
    settings.workspace = path.resolve(io.cwd, values.get('workspace')!);
  }
  if (values.has('dataset')) {
    settings.datasetPath = values.get('dataset')!;
  } else if (shard && shard.count > 1 && settings.datasetPath === RUN_DEFAULTS.datasetPath) {
    settings.datasetPath = shardDatasetPath(shard);
  }
  const keys = keysFor(settings.engine, io.env);
  const batchMode = batch ? await startBatchMode(settings, keys, { ...batch, onNote: (t) => io.stderr(`${t}\n`) }) : undefined;
  const ws = await openWorkspace(settings.workspace, settings.datasetPath);
  if (ws.repair.savedTo) {
    io.stderr(`the dataset's last line was torn by an earlier crash: ${ws.repair.tornBytes} bytes moved to ${ws.repair.savedTo}\n`);
  }
  if (ws.overridden.length) {
    io.stderr(`prompt templates from the workspace: ${ws.overridden.join(', ')}\n`);
  }
  const learned = await keepLearnedEndpoints(settings.workspace, (note) => io.stderr(`endpoint ${note}\n`));
  const benchmarks = await loadBenchmarks(settings.workspace, settings.benchmarkFiles);
  const rel = (f: string) => quoteArg(path.relative(io.cwd, f) || '.');
  const resumeCommand = [
    `autodata resume --config ${rel(configFile)}`,
    settings.workspace !== path.resolve(io.cwd) ? `--workspace ${rel(settings.workspace)}` : '',
    settings.datasetPath !== RUN_DEFAULTS.datasetPath ? `--dataset ${quoteArg(settings.datasetPath)}` : '',
    batch ? '--batch' : '',
    batch && values.has('batch-poll') ? `--batch-poll ${quoteArg(values.get('batch-poll')!)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    settings,
    configFile,
    ws,
    models: buildModels(settings, keys, undefined, batchMode?.queue),
    learned,
    io,
    benchmarks,
    batch: batchMode,
    resumeCommand,
  };
}

/** An argument as a shell takes it back: quoted when it holds anything but plain path characters. */
function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the jobs several documents at once, sharing the models (and so each endpoint's request limit); Ctrl-C stops
 * every running run cleanly and starts no other, and a run that does not complete starts no other.
 */
export async function runJobs(ctx: Context, jobs: Job[], shard: Shard | undefined, observe?: (e: EngineEvent) => void): Promise<number> {
  const { io } = ctx;
  const sections = jobs.reduce((n, j) => n + j.targets.length, 0);
  const progress = new Progress(io, sections);
  const current = new Set<Run>();
  const onAbort = () => current.forEach((r) => r.stop());
  if (ctx.batch) {
    ctx.batch.report = (t) => progress.line(t);
    ctx.batch.journalsWritten = () => Promise.all([...current].map((r) => r.drained()));
  }
  io.signal?.addEventListener('abort', onAbort);
  let results: RunResult[] = [];
  let thrown: unknown;
  try {
    if (shard) {
      progress.line(`shard ${shard.index}/${shard.count}: ${sections} section(s) of ${jobs.length} file(s)`);
    }
    // The CLI counts accepted items; the items themselves are in the dataset, so a long run does not hold them all.
    const specs = jobs.map((j) => ({ ...j, benchmarks: ctx.benchmarks, keepItems: false }));
    results = await runDocuments(ctx.ws, specs, ctx.models, ctx.settings.requestConcurrency, {
      observer: (job) => {
        const observer = {
          event: (e: EngineEvent) => {
            observe?.(e);
            progress.event(job.document.path, e);
          },
          writeFailed: (m: string) => progress.line(`error: ${m}; stopping`),
        };
        return ctx.batch ? ctx.batch.observe(job.runId, observer) : observer;
      },
      started: (run) => current.add(run),
      ended: (run) => {
        current.delete(run);
        ctx.batch?.ended(run.runId);
      },
      keepGoing: () => !io.signal?.aborted,
    });
  } catch (e) {
    thrown = e;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    progress.finish();
    await ctx.learned.flush();
    ctx.learned.stop();
    await ctx.batch?.close(!thrown && results.length === jobs.length && results.every((r) => r.outcome === 'completed'));
  }
  const second = ctx.settings.engine.roles.judge2;
  const models: WithSecondJudge<string> = { ...byRole((r) => ctx.settings.engine.roles[r].model), ...(second ? { judge2: second.model } : {}) };
  const batchLine = ctx.batch
    ? batchSummary(ctx.batch, progress.costAt(ctx.settings.engine.prices, models), progress.costAt(ctx.batch.interactivePrices, models))
    : undefined;
  return summarize(ctx, jobs, results, thrown, [progress.usageLine(), batchLine].filter(Boolean).join('\n') || undefined);
}

/** The summary line always comes; then why the invocation did not finish, and how to go on. */
function summarize(ctx: Context, jobs: Job[], results: RunResult[], thrown: unknown, usage: string | undefined): number {
  const { io } = ctx;
  const accepted = results.reduce((n, r) => n + r.acceptedCount, 0);
  const review = results.reduce((n, r) => n + r.review.length, 0);
  const attempts = results.reduce((n, r) => n + r.attempts, 0);
  io.stdout(`${accepted} accepted, ${review} for review, ${attempts} attempt(s) in ${results.length} run(s) → ${ctx.ws.dataset.file}\n`);
  if (usage) {
    io.stdout(`${usage}\n`);
  }
  const resumeHint = `resume with: ${ctx.resumeCommand}`;
  if (thrown) {
    // A run may have started before the error: it is resumable like any other that did not finish.
    if (results.length < jobs.length) {
      io.stderr(`${resumeHint}\n`);
    }
    throw thrown;
  }
  // A run that completed but whose last writes failed did not finish either: its items are in its journal only.
  const failed = results.find((r) => r.outcome === 'error' || r.writeFailure);
  if (failed) {
    io.stderr(`error: run ${failed.runId} failed: ${failed.message ?? failed.writeFailure ?? 'unknown error'}\n${resumeHint}\n`);
    return EXIT.error;
  }
  if (io.signal?.aborted) {
    io.stderr(`stopped; ${resumeHint}\n`);
    return EXIT.stopped;
  }
  const stopped = results.find((r) => r.outcome === 'stopped');
  const notStarted = jobs.length - results.length;
  if (stopped || notStarted > 0) {
    io.stderr(`${(stopped?.message ?? 'stopped').replace(/\.$/, '')}${notStarted ? ` (${notStarted} file(s) not started)` : ''}; ${resumeHint}\n`);
    return EXIT.unfinished;
  }
  return EXIT.ok;
}

/** Like the extension's run ids (they sort by time), with more randomness: shards on many machines start at once. */
export function runIdFor(shard: Shard | undefined): string {
  return newRunId(shard ? `-s${shard.index}of${shard.count}` : '');
}

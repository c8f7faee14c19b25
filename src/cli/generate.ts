// `autodata generate` and `autodata resume`: the engine over files outside VS Code, writing the extension's dataset and journals.
import { newRunId } from '../core/endpoint';
import { readRecipe } from '../host/recipe-file';
import { RunLock } from '../host/run-lock';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { sha256 } from '../core/chunks';
import { Limiter } from '../core/limiter';
import { OpenAICompatibleModel, type ChatModel } from '../core/models';
import { Orchestrator, type RunSummary } from '../core/orchestrator';
import type { PromptSet } from '../core/prompts';
import { NotResumableError, resumePoint, type ResumePoint } from '../core/resume';
import { ROLES, type Role, type Target } from '../shared/schemas';
import { Dataset } from '../host/dataset';
import { journalFile, listRuns, readJournal } from '../host/journal';
import { resolveInside } from '../host/jsonl';
import { loadPrompts } from '../host/prompt-files';
import { parseArgs, UsageError } from './args';
import { keysFor, loadSettings, originOf, type CliSettings } from './config';
import { CliFailure, EXIT, type CliIO } from './io';
import { Progress } from './progress';
import { RunRecorder } from './recorder';
import { parseShard, readSources, shardOf, type Shard } from './sources';

const OPTIONS = { values: ['config', 'shard', 'dataset', 'workspace'] } as const;

interface Job { runId: string; docPath: string; text: string; targets: Target[]; goal?: number; resume?: ResumePoint }

/** What every run of one invocation shares: settings, dataset, models (and so the per-endpoint request limits). */
interface Context { settings: CliSettings; configFile: string; dataset: Dataset; models: Record<Role, ChatModel>; prompts: PromptSet; io: CliIO }

export async function generate(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length === 0) { throw new UsageError('give at least one file to generate from'); }
  const shard = args.values.has('shard') ? parseShard(args.values.get('shard')!) : undefined;
  const ctx = await context(args.values, io);
  const sources = shardOf(await readSources(args.positionals.map((f) => path.resolve(io.cwd, f)), ctx.settings.workspace, ctx.settings.sectionMaxChars,
    (why) => io.stderr(`skipped: ${why}\n`)), shard);
  if (sources.length === 0) {
    io.stdout(`nothing to do: ${shard ? `shard ${shard.index}/${shard.count} has no section of these files` : 'the files have no text'}\n`);
    return EXIT.ok;
  }
  const goal = ctx.settings.itemsPerRun > 0 ? ctx.settings.itemsPerRun : undefined;
  const jobs = sources.map((s): Job => ({ runId: runIdFor(shard), docPath: s.docPath, text: s.text, targets: s.targets, goal }));
  return runJobs(ctx, jobs, shard);
}

export async function resume(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.values.has('shard')) { throw new UsageError('--shard does not apply to resume: a run keeps the sections it started with'); }
  const ctx = await context(args.values, io);
  const root = ctx.settings.workspace;
  const ids = args.positionals.length ? args.positionals : await listRuns(root);
  const jobs: Job[] = [];
  for (const runId of ids) {
    let file: string;
    try { file = journalFile(root, runId); } catch { throw new UsageError(`"${runId}" is not a run id`); }
    const { events } = await readJournal(file);
    if (events.length === 0 && args.positionals.length) { throw new CliFailure(`no journal for run ${runId} in ${path.dirname(file)}`); }
    let point: ResumePoint;
    try { point = resumePoint(events); } catch (e) {
      if (e instanceof NotResumableError) { if (args.positionals.length) { throw new CliFailure(`run ${runId} cannot be resumed: ${e.message}`); } continue; }
      throw e;
    }
    if (point.finished) { if (args.positionals.length) { io.stdout(`run ${runId} has nothing left to do\n`); } continue; }
    const started = events.find((e) => e.type === 'run_started');
    const docPath = started?.type === 'run_started' ? started.document.path : '';
    let text: string;
    try { text = await fs.readFile(path.resolve(root, docPath), 'utf8'); } catch { throw new CliFailure(`${docPath} is gone: run ${runId} cannot go on without its document`); }
    if (sha256(text) !== point.documentSha256) { throw new CliFailure(`${docPath} changed since run ${runId}: its ranges would no longer match. Start a new run instead.`); }
    // Items accepted before the interruption but not yet in the dataset are written now, once each.
    for (const r of point.accepted) { await ctx.dataset.append(r); }
    const goal = started?.type === 'run_started' ? started.goal : undefined;
    jobs.push({ runId, docPath, text, goal, resume: point, targets: point.targets.map((t) => ({ ...t, text: text.slice(t.range.start, t.range.end) })) });
  }
  if (jobs.length === 0) { io.stdout('no interrupted run to resume in this workspace\n'); return EXIT.ok; }
  return runJobs(ctx, jobs, undefined);
}

async function context(values: ReadonlyMap<string, string>, io: CliIO): Promise<Context> {
  const configArg = values.get('config');
  if (!configArg) { throw new UsageError('--config <file.json> is required (the engine settings; see autodata --help)'); }
  const configFile = path.resolve(io.cwd, configArg);
  const settings = await loadSettings(configFile);
  if (values.has('workspace')) { settings.workspace = path.resolve(io.cwd, values.get('workspace')!); }
  if (values.has('dataset')) { settings.datasetPath = values.get('dataset')!; }
  const stat = await fs.stat(settings.workspace).catch(() => undefined);
  if (!stat?.isDirectory()) { throw new CliFailure(`the workspace ${settings.workspace} is not a folder`); }
  const keys = keysFor(settings.engine, io.env);
  const dataset = new Dataset(await resolveInside(settings.workspace, settings.datasetPath));
  const repair = await dataset.open();
  if (repair.savedTo) { io.stderr(`the dataset's last line was torn by an earlier crash: ${repair.tornBytes} bytes moved to ${repair.savedTo}\n`); }
  const { prompts, overridden } = await loadPrompts(settings.workspace);
  if (overridden.length) { io.stderr(`prompt templates from the workspace: ${overridden.join(', ')}\n`); }
  return { settings, configFile, dataset, models: buildModels(settings, keys), prompts, io };
}

function buildModels(s: CliSettings, keys: ReadonlyMap<string, string>): Record<Role, ChatModel> {
  const limiters = new Map<string, Limiter>();
  return Object.fromEntries(ROLES.map((role) => {
    const ep = s.engine.roles[role];
    const origin = originOf(ep.baseURL);
    if (!limiters.has(origin)) { limiters.set(origin, new Limiter(s.requestConcurrency)); }
    const m: ChatModel = new OpenAICompatibleModel(ep, { apiKey: keys.get(origin) ?? '', maxRetries: s.maxRetries, timeoutMs: s.timeoutMs, limiter: limiters.get(origin), useN: s.engine.useN });
    return [role, m];
  })) as Record<Role, ChatModel>;
}

/** Runs the jobs one after another (one run per document); Ctrl-C stops the current run cleanly and starts no other. */
async function runJobs(ctx: Context, jobs: Job[], shard: Shard | undefined): Promise<number> {
  const { io } = ctx;
  const progress = new Progress(io, jobs.reduce((n, j) => n + j.targets.length, 0));
  let current: Orchestrator | undefined;
  const onAbort = () => current?.stop();
  io.signal?.addEventListener('abort', onAbort);
  const results: Array<RunSummary & { runId: string }> = [];
  let failedWrites = 0;
  try {
    if (shard) { progress.line(`shard ${shard.index}/${shard.count}: ${jobs.reduce((n, j) => n + j.targets.length, 0)} section(s) of ${jobs.length} file(s)`); }
    for (const job of jobs) {
      if (io.signal?.aborted) { break; }
      const recorder = new RunRecorder(ctx.settings.workspace, job.runId, ctx.dataset, (m) => progress.line(`error: ${m}`));
      // The same recipe and near-duplicate check as in the extension: the workspace's recipe, the dataset's questions.
      const recipe = job.resume?.recipe ?? await readRecipe(ctx.settings.workspace);
      current = new Orchestrator({
        runId: job.runId, document: { path: job.docPath, text: job.text }, targets: job.targets, config: ctx.settings.engine, models: ctx.models,
        prompts: ctx.prompts, goal: job.goal, resume: job.resume, recipe: recipe.text, recipeVersion: recipe.version, knownQuestions: ctx.dataset.questions(),
        emit: (e) => { recorder.record(e); progress.event(job.docPath, e); },
      });
      if (io.signal?.aborted) { current.stop(); }
      const lock = new RunLock(journalFile(ctx.settings.workspace, job.runId).replace(/\.jsonl$/, '.lock'));
      await lock.acquire();
      let summary;
      try { summary = await current.start(); } finally { await recorder.flush(); await lock.release(); }
      failedWrites += recorder.failures;
      results.push({ ...summary, runId: job.runId });
      if (summary.outcome === 'error') { break; }
      if (summary.outcome === 'stopped' && !io.signal?.aborted) { break; }
    }
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    progress.finish();
  }
  const accepted = results.reduce((n, r) => n + r.accepted.length, 0);
  const review = results.reduce((n, r) => n + r.review.length, 0);
  const attempts = results.reduce((n, r) => n + r.attempts, 0);
  io.stdout(`${accepted} accepted, ${review} for review, ${attempts} attempt(s) in ${results.length} run(s) → ${ctx.dataset.file}\n`);
  const failed = results.find((r) => r.outcome === 'error');
  if (failed) { io.stderr(`error: run ${failed.runId} failed: ${failed.message ?? 'unknown error'}\n`); return EXIT.error; }
  if (failedWrites) { io.stderr(`error: ${failedWrites} write(s) failed (see above); accepted items are kept in the run journals\n`); return EXIT.error; }
  const stopped = results.find((r) => r.outcome === 'stopped');
  const resumeHint = `resume with: autodata resume --config ${path.relative(io.cwd, ctx.configFile) || ctx.configFile}`;
  if (io.signal?.aborted) { io.stderr(`stopped; ${resumeHint}\n`); return EXIT.stopped; }
  if (stopped) { io.stderr(`${stopped.message ?? 'stopped'}; ${resumeHint}\n`); }
  return EXIT.ok;
}

/** Like the extension's run ids (they sort by time), with more randomness: shards on many machines start at once. */
function runIdFor(shard: Shard | undefined): string {
  return newRunId(shard ? `-s${shard.index}of${shard.count}` : '');
}

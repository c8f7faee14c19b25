// The `autodata` command: generate (and resume) datasets headless, export them to training formats.
import { RunLockedError } from '../run/run-lock';
import { defaultEngineConfig } from '../core/config';
import { ConfigError } from './config';
import { DatasetFileError } from '../run/dataset';
import { PathOutsideWorkspaceError } from '../run/jsonl';
import { PdfError } from '../run/pdf-text';
import { PromptFileError } from '../run/prompt-files';
import { UsageError } from './args';
import { exportDataset } from './export';
import { remeasure } from './remeasure';
import { merge } from './merge';
import { RemeasureError } from '../run/remeasure';
import { BenchmarkFileError } from '../run/benchmarks';
import { generate, resume } from './generate';
import { estimate } from './estimate';
import { CliFailure, EXIT, type CliIO } from './io';
import { SourceError } from '../run/sources';
import { WorkspaceError } from '../run/workspace';
import { ResumeError } from '../run/resumable';
import { FileLockTimeoutError } from '../run/file-lock';
import { NotAFileError } from '../run/workspace-boundary';

export type { CliIO } from './io';

export const USAGE = `Usage:
  autodata generate <file...> --config <config.json> [--shard i/n|auto] [--dataset <path>] [--workspace <dir>] [--allow-same-model]
                  [--batch [--batch-poll <seconds>]]
  autodata resume [runId...] --config <config.json> [--dataset <path>] [--workspace <dir>] [--batch [--batch-poll <seconds>]]
  autodata estimate <file...> --config <config.json> [--pilot-sections 2] [--pilot-attempts 1] [--dataset <path>] [--workspace <dir>]
  autodata export <dataset.jsonl> --format sft|grpo|dpo (--out <file> | --repo <folder> [--name <title>]) [--journals <dir>]
                  [--style conversational|standard] [--system <text>] [--dedupe <threshold>]
  autodata merge [part.jsonl...] [--out <dataset.jsonl>] [--workspace <dir>]
  autodata remeasure [dataset.jsonl] --config <config.json> --label <model version> [--out <learnable.jsonl>]

generate  Runs Agentic Self-Instruct over Markdown, text, LaTeX or PDF files, one run per file. Accepted items
          are appended to the dataset (default .autodata/dataset.jsonl in the workspace) and every event to
          .autodata/runs/<runId>.jsonl, the same files the VS Code extension writes and resumes.
          --shard i/n  takes every n-th section counted across all files (in order of their paths), so n
                       processes split the work with no overlap. Each shard writes its own dataset part,
                       .autodata/parts/dataset.<i>-of-<n>.jsonl (unless --dataset names one); merge combines them.
          --shard auto reads i and n from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with
                       AUTODATA_SHARD_COUNT set to the Job's completions) or a Slurm job array
                       (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT).
          Refuses to start when the weak and strong solvers are one model on one endpoint (no gap is possible)
          unless --allow-same-model is given.
          --batch      sends every model request as a line of an OpenAI batch (POST /v1/files, /v1/batches), in waves
                       across all sections, at batch prices (a price's batchPrompt/batchCompletion, default half);
                       polled every --batch-poll seconds (default 30). Each batch is recorded in
                       .autodata/batches.jsonl; "resume --batch" collects recorded batches instead of resubmitting.
          Exit codes: 0 done, 1 failed, 2 wrong usage, 3 stopped before the end (a budget, an outage: resumable),
          130 stopped by Ctrl-C (resumable). A run that did not finish prints the command that resumes it.
resume    Goes on with interrupted runs of the workspace (all of them, or the ids given).
estimate  Runs a short pilot (by default 2 sections spread over the files, 1 attempt each) and extrapolates the whole
          run from it: attempts, items, calls, tokens and cost (from the config's prices), each with a range from the
          95% interval of the pilot's rate of attempts that ended a section with an item. The pilot is an ordinary run:
          its items go to the dataset, its journal to .autodata/runs/.
export    Writes a training file atomically: sft (chat messages), grpo (prompt + rubric columns for reward
          functions), dpo (best strong vs worst weak answer, read from the run journals, default <dataset dir>/runs).
          --dedupe 0.6 leaves out questions too similar to an earlier one (word 3-gram Jaccard).
          --repo <folder> writes a Hugging Face dataset repository instead: data/train.jsonl and a README.md
          dataset card (Hub metadata; models per role, prompt and recipe versions, acceptance rules, score
          distributions, rounds per item, tokens and cost from the run journals, source documents with hashes).
merge     Combines dataset parts (default .autodata/parts/*.jsonl) into the dataset (default .autodata/dataset.jsonl):
          each item once by id; an id with two different items, or a document hashed differently in two parts,
          is refused and nothing is written. Running it again writes nothing twice.
remeasure Runs the config's weak role (e.g. the checkpoint being trained, on its own endpoint) over the dataset's items,
          graded by the judge on each item's rubric; each item's weak scores go to .autodata/remeasure/<label>.jsonl,
          and the acceptance rule's weak side says which items are still learnable and which became too easy.
          Running it again with the same label goes on where it stopped. --out writes the still-learnable items.

The config file is JSON: engine settings over the defaults,
  ${Object.keys(defaultEngineConfig()).join(', ')},
plus endpoint (baseURL, replicas: more base URLs of the same model, model, temperature, maxTokens, structuredOutput for every
role; roles.<role> may set its own), policyPreset, workspace
(relative to the config file), datasetPath, benchmarkFiles, requestConcurrency, maxRetries, requestTimeoutSeconds, outageLimitSeconds, itemsPerRun,
sectionMaxChars.
API keys come only from the environment: AUTODATA_API_KEY (any endpoint) or OPENAI_API_KEY (api.openai.com only).
`;

/** Runs one command; never throws: errors become a message on stderr and an exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return command ? EXIT.ok : EXIT.usage;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    switch (command) {
      case 'generate':
        return await generate(rest, io);
      case 'resume':
        return await resume(rest, io);
      case 'estimate':
        return await estimate(rest, io);
      case 'export':
        return await exportDataset(rest, io);
      case 'remeasure':
        return await remeasure(rest, io);
      case 'merge':
        return await merge(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`autodata: ${e.message}\nRun "autodata --help" for usage.\n`);
      return EXIT.usage;
    }
    const known = [
      ConfigError,
      CliFailure,
      SourceError,
      DatasetFileError,
      PathOutsideWorkspaceError,
      PromptFileError,
      PdfError,
      RunLockedError,
      WorkspaceError,
      ResumeError,
      RemeasureError,
      BenchmarkFileError,
      NotAFileError,
      FileLockTimeoutError,
    ].some((k) => e instanceof k);
    io.stderr(`autodata: ${known ? '' : 'unexpected error: '}${(e as Error)?.message ?? String(e)}\n`);
    if (!known && io.env.AUTODATA_DEBUG) {
      io.stderr(`${(e as Error)?.stack ?? ''}\n`);
    }
    return EXIT.error;
  }
}

/** The process entry (bin/autodata.js): real stdout/stderr, Ctrl-C or SIGTERM stop the run, a second Ctrl-C quits at once. */
export function runCli(argv: readonly string[] = process.argv.slice(2)): void {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.exit(EXIT.stopped);
    }
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping after the calls in flight (again to quit at once)…\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Node exits on its own once nothing is left to wait for: should a run ever wait on nothing, that must not pass for
  // success (exit 0 without a summary).
  let settled = false;
  process.on('beforeExit', () => {
    if (!settled) {
      settled = true;
      process.stderr.write('autodata: the run stopped making progress before it finished; resume it with "autodata resume --config <config.json>"\n');
      process.exitCode = EXIT.error;
    }
  });
  void main(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    tty: process.stdout.isTTY === true,
    columns: process.stdout.columns,
    signal: stop.signal,
  }).then((code) => {
    settled = true;
    // Keep-alive connections may hold the event loop open: exit once the output is flushed.
    process.stdout.write('', () => process.exit(code));
  });
}

if (require.main === module) {
  runCli();
}

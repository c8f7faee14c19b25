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
import { generate, resume } from './generate';
import { CliFailure, EXIT, type CliIO } from './io';
import { SourceError } from '../run/sources';
import { WorkspaceError } from '../run/workspace';
import { ResumeError } from '../run/resumable';
import { FileLockTimeoutError } from '../run/file-lock';
import { NotAFileError } from '../run/workspace-boundary';

export type { CliIO } from './io';

export const USAGE = `Usage:
  autodata generate <file...> --config <config.json> [--shard i/n] [--dataset <path>] [--workspace <dir>] [--allow-same-model]
  autodata resume [runId...] --config <config.json> [--dataset <path>] [--workspace <dir>]
  autodata export <dataset.jsonl> --format sft|grpo|dpo --out <file> [--journals <dir>]
                  [--style conversational|standard] [--system <text>] [--dedupe <threshold>]

generate  Runs Agentic Self-Instruct over Markdown, text, LaTeX or PDF files, one run per file. Accepted items
          are appended to the dataset (default .autodata/dataset.jsonl in the workspace) and every event to
          .autodata/runs/<runId>.jsonl, the same files the VS Code extension writes and resumes.
          --shard i/n  takes every n-th section counted across all files (in order of their paths), so n
                       processes split the work with no overlap; they may append to one dataset or to their own.
          Refuses to start when the weak and strong solvers are one model on one endpoint (no gap is possible)
          unless --allow-same-model is given.
          Exit codes: 0 done, 1 failed, 2 wrong usage, 3 stopped before the end (a budget, an outage: resumable),
          130 stopped by Ctrl-C (resumable). A run that did not finish prints the command that resumes it.
resume    Goes on with interrupted runs of the workspace (all of them, or the ids given).
export    Writes a training file atomically: sft (chat messages), grpo (prompt + rubric columns for reward
          functions), dpo (best strong vs worst weak answer, read from the run journals, default <dataset dir>/runs).
          --dedupe 0.6 leaves out questions too similar to an earlier one (word 3-gram Jaccard).

The config file is JSON: engine settings over the defaults,
  ${Object.keys(defaultEngineConfig()).join(', ')},
plus endpoint (baseURL, model, temperature, maxTokens, structuredOutput for every role), policyPreset, workspace
(relative to the config file), datasetPath, requestConcurrency, maxRetries, requestTimeoutSeconds, itemsPerRun,
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
      case 'export':
        return await exportDataset(rest, io);
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
  void main(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    tty: process.stdout.isTTY === true,
    columns: process.stdout.columns,
    signal: stop.signal,
  }).then((code) => {
    // Keep-alive connections may hold the event loop open: exit once the output is flushed.
    process.stdout.write('', () => process.exit(code));
  });
}

if (require.main === module) {
  runCli();
}

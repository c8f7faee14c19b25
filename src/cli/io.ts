// What a CLI command gets from the process (or from a test): output writers, environment, folder and a stop signal.

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are resolved from here. */
  cwd: string;
  /** stdout is a terminal: progress is one line redrawn in place. */
  tty?: boolean;
  columns?: number;
  /** Aborted on Ctrl-C (or by a test): runs stop cleanly and their journals end with run_finished "stopped". */
  signal?: AbortSignal;
}

/**
 * Exit codes: 0 done, 1 failed, 2 wrong usage, 3 stopped before the end (a budget, an outage; resumable), 130 stopped
 * by Ctrl-C (the shell's convention for SIGINT).
 */
export const EXIT = { ok: 0, error: 1, usage: 2, unfinished: 3, stopped: 130 } as const;

/** A failure with a message a person can act on (exit code 1, no stack trace). */
export class CliFailure extends Error {}

// The index worker's thread runs at a lower priority than the thread it serves. On a machine with few cores a build or
// a catch-up competes for them with the main thread (the extension host's, the CLI's loop), which must stay responsive.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The worker thread's nice value (the main thread keeps the process's). */
export const WORKER_NICE = 10;

/**
 * Lowers the calling thread's priority to WORKER_NICE. Linux gives each thread its own nice value, and /proc/thread-self
 * names the calling thread's id. Elsewhere, or where it is refused, the thread keeps the process's priority: nothing is
 * lost but the preference.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) {
      os.setPriority(tid, Math.max(os.getPriority(tid), WORKER_NICE));
    }
  } catch {
    // Not Linux, or not allowed.
  }
}

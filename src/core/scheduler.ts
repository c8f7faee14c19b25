// Works through a queue of targets with a fixed number of workers, starting no target the goal no longer needs.
import { StoppedError } from './control';
import type { Limiter } from './limiter';
import type { Target } from '../shared/schemas';

export interface Schedule {
  /** Targets still to work on; it may grow while the schedule runs (a target a person sent back). */
  queue: Target[];
  /** Targets worked on at once. */
  concurrency: number;
  /**
   * Section slots shared with other runs (several documents at once): a target starts only once it holds one, and
   * gives it back when it ends, so the runs together keep no more sections in flight than the slots.
   */
  slots?: Limiter;
  /** Aborts a wait for a slot (the run is stopping). */
  signal?: AbortSignal;
  /** Items to accept; none: every target in the queue. */
  goal?: number;
  /** Items accepted so far. */
  accepted: () => number;
  stopped: () => boolean;
  /** Works on one target until it is done; a StoppedError ends only that target. */
  work: (t: Target) => Promise<void>;
  /** Called on the first other error, so the targets in flight stop too. */
  stop: () => void;
}

/** Runs until the queue is empty, the goal is reached or the run stops; returns the error that ended it, if any. */
export async function schedule(s: Schedule): Promise<Error | undefined> {
  const { queue } = s;
  let fatal: Error | undefined;
  let active = 0;
  let settled: () => void = () => undefined;
  const wakeAll = () => {
    const wake = settled;
    settled = () => undefined;
    wake();
  };
  const goalReached = () => s.goal !== undefined && s.accepted() >= s.goal;
  // With a goal, a target starts only if the ones in flight could still leave the goal short.
  const mayStart = () => s.goal === undefined || s.accepted() + active < s.goal;
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && !fatal && !s.stopped() && !goalReached()) {
      if (!mayStart()) {
        await new Promise<void>((r) => {
          const prev = settled;
          settled = () => {
            prev();
            r();
          };
        });
        continue;
      }
      let release: (() => void) | undefined;
      if (s.slots) {
        try {
          release = await s.slots.take(s.signal);
        } catch {
          break; // the run is stopping
        }
        // Others may have changed things while this worker waited for its slot.
        if (queue.length === 0 || fatal || s.stopped() || goalReached() || !mayStart()) {
          release();
          continue;
        }
      }
      const t = queue.shift()!;
      active++;
      try {
        await s.work(t);
      } catch (e) {
        if (!(e instanceof StoppedError)) {
          fatal = e as Error;
          s.stop();
        }
      } finally {
        active--;
        release?.();
        wakeAll();
      }
    }
    wakeAll();
  };
  await Promise.all(Array.from({ length: Math.min(s.concurrency, Math.max(1, queue.length)) }, worker));
  return fatal;
}

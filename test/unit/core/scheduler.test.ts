// The scheduler on its own: how many targets run at once, which ones start under a goal, and how it ends.
import assert from 'node:assert/strict';
import { StoppedError } from '../../../src/core/control';
import { Limiter } from '../../../src/core/limiter';
import { schedule, type Schedule } from '../../../src/core/scheduler';
import type { Target } from '../../../src/shared/schemas';

const targets = (n: number): Target[] =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, title: `Section ${i + 1}`, range: { start: i, end: i + 1 }, text: 'x' }));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A run whose targets take `ms[id]` milliseconds each (or, with `after`, last until another target has finished) and
 * yield an item when `yields(id)`; it records what happened.
 */
function fakeRun(
  opts: {
    ms?: (id: string) => number;
    after?: (id: string) => string | undefined;
    yields?: (id: string) => boolean;
    fail?: (id: string) => Error | undefined;
  } = {},
) {
  const seen = { started: [] as string[], finished: [] as string[], inFlight: 0, maxInFlight: 0, accepted: 0, stops: 0, stopped: false };
  const finishes = new Map<string, { done: Promise<void>; signal: () => void }>();
  const finish = (id: string) => {
    if (!finishes.has(id)) {
      let signal!: () => void;
      const done = new Promise<void>((r) => (signal = r));
      finishes.set(id, { done, signal });
    }
    return finishes.get(id)!;
  };
  const work = async (t: Target) => {
    seen.started.push(t.id);
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    try {
      const other = opts.after?.(t.id);
      await (other ? finish(other).done : sleep(opts.ms?.(t.id) ?? 5));
      const err = opts.fail?.(t.id);
      if (err) {
        throw err;
      }
      if (opts.yields?.(t.id) ?? true) {
        seen.accepted++;
      }
      seen.finished.push(t.id);
      finish(t.id).signal();
    } finally {
      seen.inFlight--;
    }
  };
  const options = (queue: Target[], patch: Partial<Schedule> = {}): Schedule => ({
    queue,
    concurrency: 1,
    accepted: () => seen.accepted,
    stopped: () => seen.stopped,
    work,
    stop: () => {
      seen.stops++;
      seen.stopped = true;
    },
    ...patch,
  });
  return { seen, options };
}

describe('scheduler', () => {
  it('works on every target, never more at once than the concurrency', async () => {
    const { seen, options } = fakeRun({ after: (id) => (id === 't2' ? 't4' : undefined) });
    const fatal = await schedule(options(targets(7), { concurrency: 3 }));
    assert.equal(fatal, undefined);
    assert.equal(seen.maxInFlight, 3);
    assert.deepEqual([...seen.finished].sort(), ['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
    // A slow target holds only its own worker: the others go on through the queue.
    assert.deepEqual(seen.started.slice(0, 4), ['t1', 't2', 't3', 't4']);
    assert.equal(seen.finished.indexOf('t2') > seen.finished.indexOf('t4'), true);
  });

  it('starts no more workers than there are targets, and ends at once on an empty queue', async () => {
    const { seen, options } = fakeRun();
    assert.equal(await schedule(options(targets(2), { concurrency: 8 })), undefined);
    assert.equal(seen.maxInFlight, 2);
    assert.equal(await schedule(options([], { concurrency: 8 })), undefined);
    assert.equal(seen.started.length, 2);
  });

  it('with a goal, starts a target only while the ones in flight could leave the goal short', async () => {
    // t1 yields nothing and ends first; t2 and t3 yield an item each; t4 and later are never needed.
    const { seen, options } = fakeRun({ after: (id) => (id === 't1' ? undefined : 't1'), yields: (id) => id !== 't1' });
    const fatal = await schedule(options(targets(6), { concurrency: 3, goal: 2 }));
    assert.equal(fatal, undefined);
    assert.equal(seen.maxInFlight, 2, 'a third target would be wasted if the two in flight both yield');
    assert.deepEqual(seen.started, ['t1', 't2', 't3']);
    assert.equal(seen.accepted, 2);
  });

  it('starts nothing once the goal is met', async () => {
    const { seen, options } = fakeRun();
    seen.accepted = 3;
    await schedule(options(targets(4), { concurrency: 2, goal: 3 }));
    assert.deepEqual(seen.started, []);
  });

  it('with shared slots, runs the targets of several schedules together, never more at once than the slots', async () => {
    const slots = new Limiter(3);
    const a = fakeRun({ ms: () => 20 });
    const b = fakeRun({ ms: () => 20 });
    let open = 0;
    let maxOpen = 0;
    const counted = (work: Schedule['work']) => async (t: Target) => {
      maxOpen = Math.max(maxOpen, ++open);
      try {
        await work(t);
      } finally {
        open--;
      }
    };
    const qa = targets(4);
    const qb = targets(4);
    const [fa, fb] = await Promise.all([
      schedule(a.options(qa, { concurrency: 4, slots, work: counted(a.options(qa).work) })),
      schedule(b.options(qb, { concurrency: 4, slots, work: counted(b.options(qb).work) })),
    ]);
    assert.equal(fa, undefined);
    assert.equal(fb, undefined);
    assert.equal(maxOpen, 3, 'the two schedules together hold at most the three slots');
    assert.ok(a.seen.maxInFlight >= 1 && b.seen.maxInFlight >= 1);
    assert.equal(a.seen.finished.length + b.seen.finished.length, 8);
    // Both take turns from the start: neither waits for the other to finish.
    assert.ok(Math.min(a.seen.finished.length, b.seen.finished.length) === 4);
  });

  it('with shared slots, a stopped run leaves its wait for a slot at once', async () => {
    const slots = new Limiter(1);
    const hold = await slots.take();
    const ctl = new AbortController();
    const { seen, options } = fakeRun();
    const running = schedule(options(targets(2), { concurrency: 2, slots, signal: ctl.signal }));
    await sleep(10);
    assert.deepEqual(seen.started, [], 'no target starts without a slot');
    seen.stopped = true;
    ctl.abort();
    assert.equal(await running, undefined);
    assert.deepEqual(seen.started, []);
    hold();
  });

  it('with shared slots and a goal, a target that got its slot late starts only if the goal still needs it', async () => {
    const slots = new Limiter(1);
    const { seen, options } = fakeRun({ ms: () => 10 });
    await schedule(options(targets(4), { concurrency: 4, slots, goal: 2 }));
    assert.deepEqual(seen.started, ['t1', 't2']);
    assert.equal(seen.accepted, 2);
  });

  it('takes up a target added to the queue while it runs', async () => {
    const queue = targets(2);
    const extra = targets(3)[2];
    const { seen, options } = fakeRun();
    const running = schedule(options(queue, { concurrency: 1 }));
    queue.push(extra);
    await running;
    assert.deepEqual(seen.finished, ['t1', 't2', 't3']);
  });

  it('on an error stops the run, starts nothing more and returns the error', async () => {
    const boom = new Error('the endpoint refused the key');
    const { seen, options } = fakeRun({ fail: (id) => (id === 't2' ? boom : undefined) });
    // Even while the stop has not reached the run yet, no other target starts.
    const fatal = await schedule(
      options(targets(5), {
        concurrency: 1,
        stop: () => {
          seen.stops++;
        },
      }),
    );
    assert.equal(fatal, boom);
    assert.equal(seen.stops, 1);
    assert.deepEqual(seen.started, ['t1', 't2']);
  });

  it('treats a stopped target as no error, and starts nothing once the run is stopped', async () => {
    const { seen, options } = fakeRun({ fail: (id) => (id === 't1' ? new StoppedError() : undefined) });
    assert.equal(await schedule(options(targets(3), { concurrency: 1 })), undefined);
    assert.equal(seen.stops, 0);
    assert.deepEqual(seen.finished, ['t2', 't3']);
    const after = fakeRun({
      fail: (id) => {
        if (id === 't1') {
          after.seen.stopped = true;
          return new StoppedError();
        }
        return undefined;
      },
    });
    assert.equal(await schedule(after.options(targets(3), { concurrency: 1 })), undefined);
    assert.deepEqual(after.seen.started, ['t1']);
  });
});

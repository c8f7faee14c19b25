// The index worker's entry point (bundled as out/index-worker.js): builds and catches up near-duplicate indexes
// (near-duplicate-build.ts) off the main thread, one message per request, answering with the segments in shared memory.
// The index folder's lock is taken by the main thread on the worker's behalf (index-worker-client.ts), so a worker that
// stops cannot leave it behind.
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from './index-worker-nice';
import { build, DatasetLineError } from './near-duplicate-build';
import type { ToMain, ToWorker } from './index-worker-client';

const port = parentPort;
if (!port) {
  throw new Error('index-worker.ts runs only as a worker thread');
}
const post = (m: ToMain) => port.postMessage(m);

lowerThreadPriority();

let nextLock = 1;
const lockWaits = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

/** Asks the main thread for the folder's lock, runs `job`, then hands the lock back. */
async function locked<T>(dir: string, job: () => Promise<T>): Promise<T> {
  const key = nextLock++;
  await new Promise<void>((resolve, reject) => {
    lockWaits.set(key, { resolve, reject });
    post({ lock: key, dir });
  });
  try {
    return await job();
  } finally {
    post({ unlock: key });
  }
}

function serialize(e: unknown): Extract<ToMain, { error: unknown }>['error'] {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    name: err.name,
    message: err.message,
    code: (err as NodeJS.ErrnoException).code,
    stack: err.stack,
    lines: err instanceof DatasetLineError ? err.lines : undefined,
  };
}

port.on('message', (m: ToWorker) => {
  if ('locked' in m) {
    const w = lockWaits.get(m.locked);
    lockWaits.delete(m.locked);
    if (m.error) {
      w?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    } else {
      w?.resolve();
    }
    return;
  }
  build(m.req, locked).then(
    (result) => post({ id: m.id, result }),
    (e: unknown) => post({ id: m.id, error: serialize(e) }),
  );
});

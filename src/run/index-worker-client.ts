// The main thread's side of the index worker (index-worker.ts): one worker thread per process, started on the first
// request and kept while the process runs (unreferenced while idle, so it never keeps a process alive). A request is
// answered with the segments in shared memory; a worker that fails or stops rejects every request in flight with an
// IndexWorkerError naming why, and the next request starts a new worker. The index folder's lock is taken here for the
// worker (it asks, and hands it back), so a worker that stops leaves no lock behind; it writes only files meta.json does
// not yet name, and meta.json atomically, so a stopped worker loses nothing.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { withFileLock } from './file-lock';
import { DatasetLineError, type BuildRequest, type BuildResult } from './near-duplicate-build';

export class IndexWorkerError extends Error {}

/** Messages from the worker: an answer to a request, or the index lock asked for and handed back. */
export type ToMain =
  | { id: number; result: BuildResult }
  | { id: number; error: { name: string; message: string; code?: string; stack?: string; lines?: number[] } }
  | { lock: number; dir: string }
  | { unlock: number };

/** Messages to the worker: a request, or the lock it asked for (or why it could not be had). */
export type ToWorker = { id: number; req: BuildRequest } | { locked: number; error?: { name: string; message: string } };

interface Pending {
  req: BuildRequest;
  resolve: (r: BuildResult) => void;
  reject: (e: unknown) => void;
}

interface Running {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Index locks held for the worker: how to hand each back, and the lock's own promise (settled once removed). */
  locks: Map<number, { release: () => void; done: Promise<unknown>; held: boolean }>;
  stopped: boolean;
  failure?: Error;
}

let running: Running | undefined;
let nextId = 1;

/**
 * How to start the worker: out/index-worker.js beside the running bundle (out/extension.js or out/cli.js); from the
 * TypeScript sources (unit tests and benchmarks run them under tsx), index-worker.ts beside this file, required after
 * tsx's CommonJS hook is registered in the worker (tsx resolved from this folder, so the working directory does not
 * matter; the bundles never take this path).
 */
function workerStart(): { entry: string; eval: boolean } {
  if (path.extname(__filename) === '.ts') {
    const tsx = `require.resolve('tsx/cjs', { paths: [${JSON.stringify(__dirname)}] })`;
    return { entry: `require(${tsx}); require(${JSON.stringify(path.join(__dirname, 'index-worker.ts'))});`, eval: true };
  }
  return { entry: path.join(__dirname, 'index-worker.js'), eval: false };
}

/** Takes `<dir>.lock` for the worker and holds it until the worker hands it back or stops. */
function lockFor(r: Running, key: number, dir: string): void {
  const post = (m: ToWorker) => r.worker.postMessage(m);
  let release!: () => void;
  const handed = new Promise<void>((resolve) => (release = resolve));
  const entry = { release, done: Promise.resolve() as Promise<unknown>, held: false };
  entry.done = withFileLock(dir, async () => {
    if (r.stopped) {
      return;
    }
    entry.held = true;
    post({ locked: key });
    await handed;
  }).catch((e: Error) => {
    if (!r.stopped) {
      post({ locked: key, error: { name: e.name, message: e.message } });
    }
  });
  r.locks.set(key, entry);
  void entry.done.then(() => r.locks.delete(key));
}

function start(): Running {
  const how = workerStart();
  // No options of the host process (VS Code's or a CLI's) are passed on to the worker.
  const worker = new Worker(how.entry, { eval: how.eval, execArgv: [] });
  const r: Running = { worker, pending: new Map(), locks: new Map(), stopped: false };
  worker.unref();
  worker.on('message', (a: ToMain) => {
    if ('lock' in a) {
      lockFor(r, a.lock, a.dir);
      return;
    }
    if ('unlock' in a) {
      r.locks.get(a.unlock)?.release();
      return;
    }
    const p = r.pending.get(a.id);
    if (!p) {
      return;
    }
    r.pending.delete(a.id);
    if (r.pending.size === 0) {
      worker.unref();
    }
    if ('result' in a) {
      p.resolve(a.result);
    } else {
      p.reject(revive(a.error));
    }
  });
  worker.on('error', (e) => (r.failure ??= e));
  worker.on('exit', (code) => {
    r.stopped = true;
    if (running === r) {
      running = undefined;
    }
    const why = r.failure ? `it failed: ${r.failure.message}` : `it exited with code ${code}`;
    // A lock still awaited is handed back as soon as it is had (the worker is stopped).
    const locks = [...r.locks.values()].filter((l) => l.held);
    for (const l of locks) {
      l.release();
    }
    // The requests fail once the locks the worker held are removed.
    void Promise.all(locks.map((l) => l.done)).then(() => {
      for (const p of r.pending.values()) {
        p.reject(new IndexWorkerError(`The near-duplicate index of ${p.req.dataset} could not be brought up to date: the index worker stopped (${why}).`));
      }
      r.pending.clear();
    });
  });
  return r;
}

function revive(e: { name: string; message: string; code?: string; stack?: string; lines?: number[] }): Error {
  if (e.lines) {
    return new DatasetLineError(e.lines);
  }
  const err = Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
  err.name = e.name;
  err.stack = `${err.name}: ${err.message}\n    (in the index worker)\n${e.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return err;
}

/** Starts the worker ahead of its first request (it takes a while to start), so a run start overlaps it with other work. */
export function startIndexWorker(): void {
  running ??= start();
}

/** Runs `req` in the index worker. */
export function buildInWorker(req: BuildRequest): Promise<BuildResult> {
  running ??= start();
  const r = running;
  const id = nextId++;
  return new Promise<BuildResult>((resolve, reject) => {
    r.pending.set(id, { req, resolve, reject });
    r.worker.ref();
    r.worker.postMessage({ id, req } satisfies ToWorker);
  });
}

/** The running worker (tests stop it for real to check that a stopped worker surfaces as an error). */
export function currentIndexWorker(): Worker | undefined {
  return running?.worker;
}

// A short-lived abort signal (one request's, one recipe generation's), tied to the run's long-lived signals by listeners
// that are removed when it is released.
//
// Composing with AbortSignal.any instead would make each long-lived source keep a reference to every signal ever
// composed from it (Node 20, the extension host's runtime, never drops them), so a run's memory would grow with its
// requests. The OpenAI SDK composes its own signal from the one it is given: given this short-lived one, whatever it
// registers goes away with the request.
import { setMaxListeners } from 'node:events';

export interface RequestSignal {
  signal: AbortSignal;
  /** Detaches from the sources; the request is over. */
  release(): void;
}

export function requestSignal(...sources: ReadonlyArray<AbortSignal | undefined>): RequestSignal {
  const ctl = new AbortController();
  const live = [...new Set(sources.filter((s): s is AbortSignal => s !== undefined))];
  const already = live.find((s) => s.aborted);
  if (already) {
    ctl.abort(already.reason);
    return { signal: ctl.signal, release: () => undefined };
  }
  const onAbort = (e: Event) => {
    release();
    ctl.abort((e.target as AbortSignal).reason);
  };
  const release = () => {
    for (const s of live) {
      s.removeEventListener('abort', onAbort);
    }
  };
  for (const s of live) {
    // A long-lived source has one listener per request under way, each removed when it ends: not a leak to warn of.
    setMaxListeners(0, s);
    s.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: ctl.signal, release };
}

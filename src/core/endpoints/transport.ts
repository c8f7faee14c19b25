// The fetch every endpoint request goes through: an overall deadline and an idle timeout that cover the body (a stream
// that stops or never ends fails instead of hanging), and error bodies turned into OpenAI's shape with credentials out.
import { errorInfoFrom, isPermanent } from './request-errors';

/** A reply that went silent for too long, or did not finish by the deadline. */
export class StallError extends Error {
  constructor(
    readonly what: 'idle' | 'deadline',
    readonly ms: number,
  ) {
    // "timed out" lets the SDK treat a stall before the headers as the connection timeout it is, and retry it.
    super(what === 'idle' ? `timed out: nothing received for ${seconds(ms)}` : `timed out: no complete reply within ${seconds(ms)}`);
    this.name = 'StallError';
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export interface TransportOptions {
  /** Overall deadline of one HTTP request, body included. */
  deadlineMs: number;
  /** Longest silence while a reply is due: between body chunks, and for a stream also before the first one. */
  idleMs: number;
  /** Strings to take out of error text (the API key). */
  secrets?: string[];
  fetch?: typeof fetch;
}

/** The StallError somewhere in an error's cause chain, if the request failed by stalling. */
export function stallOf(e: unknown): StallError | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 6; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof StallError) {
      return x;
    }
  }
  return undefined;
}

export function guardedFetch(opts: TransportOptions): typeof fetch {
  const base = opts.fetch ?? globalThis.fetch;
  const idleMs = Math.min(opts.idleMs, opts.deadlineMs);
  return async (input, init = {}) => {
    // Waiting for the headers of a reply that is not streamed is the whole generation: only the deadline bounds it.
    const streaming = typeof init.body === 'string' && /"stream"\s*:\s*true/.test(init.body);
    const ctl = new AbortController();
    const signal = init.signal ? AbortSignal.any([init.signal, ctl.signal]) : ctl.signal;
    let stall: StallError | undefined;
    let idle: NodeJS.Timeout | undefined;
    let failBody: ((e: Error) => void) | undefined;
    const clear = () => {
      clearTimeout(idle);
      clearTimeout(deadline);
    };
    const fire = (e: StallError) => {
      stall ??= e;
      clear();
      ctl.abort(e);
      failBody?.(e);
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fire(new StallError('idle', idleMs)), idleMs);
      idle.unref?.();
    };
    const deadline = setTimeout(() => fire(new StallError('deadline', opts.deadlineMs)), opts.deadlineMs);
    deadline.unref?.();
    if (streaming) {
      armIdle();
    }

    let res: Response;
    try {
      res = await base(input, { ...init, signal });
    } catch (e) {
      clear();
      throw stall ?? e;
    }

    if (!res.ok) {
      const text = await res.text().catch((e: unknown) => {
        throw stall ?? e;
      });
      clear();
      const info = errorInfoFrom(res.status, text, opts.secrets);
      const headers = new Headers(res.headers);
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
      headers.delete('content-encoding');
      if (isPermanent(res.status, info)) {
        headers.set('x-should-retry', 'false');
      }
      return new Response(JSON.stringify({ error: info }), { status: res.status, statusText: res.statusText, headers });
    }
    if (!res.body) {
      clear();
      return res;
    }

    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        failBody = (e) => {
          try {
            controller.error(e);
          } catch {
            /* already closed */
          }
          reader.cancel(e).catch(() => undefined);
        };
      },
      // Only time spent waiting for the server counts as idle, not time the reader takes between reads.
      async pull(controller) {
        armIdle();
        try {
          const { done, value } = await reader.read();
          clearTimeout(idle);
          if (done) {
            clear();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (e) {
          clear();
          try {
            controller.error(stall ?? e);
          } catch {
            /* already errored */
          }
        }
      },
      cancel(reason) {
        clear();
        return reader.cancel(reason);
      },
    });
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}

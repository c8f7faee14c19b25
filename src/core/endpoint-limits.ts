// What an endpoint's replies say about its limits, fed to its Limiter: a 429 (too many at once, or too many in the
// window) lowers the limit to what was open there when it came; `x-ratelimit-remaining-requests: 0` holds new requests
// until `x-ratelimit-reset-requests`; any other reply counts as answered.
import type { Limiter } from './limiter';

/** A fetch that reports every reply of this endpoint to its limiter (the SDK's own retries included). */
export function limitLearningFetch(limiter: Limiter, base: typeof fetch = globalThis.fetch): typeof fetch {
  let open = 0;
  return async (input, init) => {
    open++;
    let res: Response;
    try {
      res = await base(input, init);
    } finally {
      open--;
    }
    if (res.status === 429) {
      // What was open there: a streamed answer holds its limiter slot until its last token, long after its headers came
      // (when it left `open`), so the limiter's own count is the better one whenever it is higher.
      limiter.refused(Math.max(open + 1, limiter.inFlight));
    } else if (res.status < 500) {
      limiter.answered();
    }
    if (res.headers.get('x-ratelimit-remaining-requests') === '0') {
      const ms = durationMs(res.headers.get('x-ratelimit-reset-requests'));
      if (ms !== undefined && ms > 0) {
        limiter.pause(Math.min(ms, 120_000));
      }
    }
    return res;
  };
}

/** OpenAI's reset durations ("20ms", "1s", "6m0s", "1h2m3.5s") in milliseconds, or undefined. */
export function durationMs(text: string | null): number | undefined {
  const t = text?.trim();
  if (!t) {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(t)) {
    return Number(t) * 1000;
  }
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    return undefined;
  }
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  return parts.reduce((a, p) => a + Number(p[1]) * unit[p[2]], 0);
}

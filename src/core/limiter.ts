// A counting semaphore: at most `limit` tasks at once (requests per endpoint, sections across documents), waiting tasks
// leave when their signal aborts. For an endpoint, the limit starts at the configured one and follows what the endpoint
// shows of its own: a 429 lowers it to what was open when it came, a run of answers raises it again step by step (never
// above the configured one), and a reply saying no requests remain in its window holds new ones until the window resets.
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private current: number;
  private answeredSinceChange = 0;
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly max: number,
    private readonly now: () => number = Date.now,
  ) {
    this.current = max;
  }

  /** Tasks allowed at once now (learned; at most the configured maximum). */
  get limit(): number {
    return this.current;
  }

  /** How full the endpoint would be with one more task: tasks running and waiting, plus one, over the limit. */
  loadWithOneMore(): number {
    const paused = this.pausedUntil > this.now() ? 1 : 0;
    return (this.active + this.waiting.length + 1) / this.current + paused * 1e6;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Waits for a slot and returns the function that gives it back (call it once). */
  async take(signal?: AbortSignal): Promise<() => void> {
    await this.acquire(signal);
    let held = true;
    return () => {
      if (held) {
        held = false;
        this.release();
      }
    };
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** The endpoint refused a request for too many at once while `open` of ours (that one included) were open there. */
  refused(open: number): void {
    this.current = Math.max(1, Math.min(this.current, open - 1));
    this.answeredSinceChange = 0;
  }

  /** The endpoint answered: after four rounds of answers at the learned limit, one more at once is tried. */
  answered(): void {
    if (this.current >= this.max) {
      return;
    }
    if (++this.answeredSinceChange >= 4 * this.current) {
      this.current++;
      this.answeredSinceChange = 0;
      this.grant();
    }
  }

  /** The endpoint has no requests left in its window for `ms`: new tasks wait that long. */
  pause(ms: number): void {
    const until = this.now() + ms;
    if (until <= this.pausedUntil) {
      return;
    }
    this.pausedUntil = until;
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.grant(), ms);
    this.pauseTimer.unref?.();
  }

  private free(): boolean {
    return this.active < this.current && this.pausedUntil <= this.now();
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(abortError());
    }
    if (this.free() && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) {
          this.waiting.splice(i, 1);
        }
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.grant();
  }

  private grant(): void {
    while (this.waiting.length > 0 && this.free()) {
      this.waiting.shift()!();
    }
  }
}

function abortError(): Error {
  const e = new Error('Cancelled');
  e.name = 'AbortError';
  return e;
}

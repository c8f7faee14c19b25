// Every model request of a run passes through here: it waits for the writer first (backpressure), is announced when it
// starts and ends (call events), and when its endpoint is down it is asked again after a backoff, not counted against
// any section, until the endpoint answers or the outage limit ends the run as interrupted (resumable). A role with
// replicas sends each try to one of them; a replica that fails is set aside and the next try goes to another at once,
// and the run waits only when every replica is down.
import { StoppedError } from './control';
import { MALFORMED_REPLY, redact, roleSetting } from './endpoints/request-errors';
import { ModelError, type ChatModel, type ChatRequest, type ChatResult } from './models';
import { ReplicaSet } from './replicas';
import { requestSignal } from './request-signal';
import type { EventBody } from '../shared/events';
import type { Role } from '../shared/schemas';

export interface OutagePolicy {
  /** Seconds an endpoint may stay down before the run stops as interrupted. */
  limitSeconds: number;
  /** The first wait before asking again, doubled after each failure up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
}

export const DEFAULT_OUTAGE: OutagePolicy = { limitSeconds: 300, firstRetryMs: 2_000, maxRetryMs: 30_000 };

/** Where a request belongs: the attempt it serves (none for a recipe update). */
export interface CallPlace {
  attemptId?: string;
  targetId?: string;
}

export interface CallWatchOptions {
  emit(e: EventBody): void;
  now(): Date;
  signal: AbortSignal;
  outage: OutagePolicy;
  /** Resolves when the run may send another request (the writer has caught up). */
  backpressure?: () => Promise<void>;
  /** Stops the run as interrupted, with this message for its summary. */
  interrupt(message: string): void;
}

/** Failures of the endpoint rather than of the request: they pass, so the same request is asked again later. */
const OUTAGE_KINDS: ReadonlySet<string> = new Set(['server', 'timeout', 'rate_limit', 'cut_off']);
/** Connection errors that mean "not answering now" (not a wrong certificate): an outage once the host has answered. */
const DOWN_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE)$/;

/**
 * Whether a failed request is an endpoint outage. A host that cannot be reached, or answers with something that is
 * not a chat completion, counts only once it has answered in this run: before that, it is far more likely a wrong
 * base URL or a server not started.
 */
export function isOutage(e: unknown, answeredBefore: boolean): e is ModelError {
  if (!(e instanceof ModelError)) {
    return false;
  }
  if (e.code === MALFORMED_REPLY) {
    // A 200 that is not a chat completion: a server in trouble if it answered properly before, else most likely a base
    // URL that points at something else (a web page).
    return answeredBefore;
  }
  if (OUTAGE_KINDS.has(e.kind)) {
    return true;
  }
  return e.kind === 'unreachable' && answeredBefore && e.code !== undefined && DOWN_CODES.test(e.code);
}

interface Down {
  since: number;
  waits: number;
  /** The wait under way: every request to this host that fails meanwhile waits for it too. */
  until?: Promise<void>;
}

export class CallWatch {
  private calls = 0;
  private readonly answered = new Set<string>();
  private readonly down = new Map<string, Down>();
  /** Requests under way, and who waits for them all to end. */
  private open = 0;
  private quietWaiters: (() => void)[] = [];
  /** The run has finished: nothing more is told of its calls. */
  private closed = false;

  constructor(private readonly o: CallWatchOptions) {}

  /** The model as the run's roles see it: the same model, each request watched. */
  wrap(role: Role, model: ChatModel, place: CallPlace = {}): ChatModel {
    const watched = Object.create(model) as ChatModel & { complete: ChatModel['complete'] };
    watched.complete = (req: ChatRequest) => this.call(role, model, req, place);
    return watched;
  }

  private async call(role: Role, model: ChatModel, req: ChatRequest, place: CallPlace): Promise<ChatResult> {
    // Replicas: each try goes to the replica with free capacity, and only when all are set aside does the run wait.
    const set = model instanceof ReplicaSet ? model : undefined;
    for (;;) {
      if (this.o.backpressure) {
        // Stopping does not wait for the writer to catch up: the run ends, and its last events are written after.
        await untilAborted(this.o.backpressure(), this.o.signal);
      }
      if (this.o.signal.aborted) {
        throw new StoppedError();
      }
      const target = set ? set.pick() : model;
      const host = target.endpoint;
      const fields = { callId: `c${++this.calls}`, role, host, model: model.model, startedAt: this.o.now().toISOString(), ...place };
      const t0 = Date.now();
      this.tell({ type: 'call_started', ...fields });
      this.open++;
      const abort = requestSignal(req.signal, this.o.signal);
      try {
        const result = await target.complete({ ...req, signal: abort.signal }).finally(abort.release);
        this.ended();
        this.tell({ type: 'call_finished', ...fields, ms: Date.now() - t0, outcome: 'ok' });
        set?.answered(target);
        this.up(host);
        if (set) {
          this.up(set.endpoint);
        }
        return result;
      } catch (e) {
        this.ended();
        const aborted = Boolean(req.signal?.aborted) || this.o.signal.aborted || (e instanceof ModelError && e.kind === 'aborted');
        // Model errors are redacted where they are made; this catches what a model of another kind might let through.
        const error = aborted ? undefined : redact(e instanceof Error ? e.message : String(e));
        this.tell({ type: 'call_finished', ...fields, ms: Date.now() - t0, outcome: aborted ? 'aborted' : 'error', ...(error ? { error } : {}) });
        if (e instanceof ModelError && e.code === MALFORMED_REPLY && !this.answered.has(host)) {
          // Not a chat completion from a host that never gave one: the base URL points at something else. Ends the run.
          throw new ModelError(
            'not_found',
            `${e.message}. Is this an OpenAI-compatible endpoint? Check ${roleSetting(role, 'baseUrl')} (OpenAI-compatible servers usually end in /v1).`,
            undefined,
            roleSetting(role, 'baseUrl'),
          );
        }
        // A replica that never answered counts as down once another of its set has answered (not a wrong base URL then).
        const answeredBefore = this.answered.has(host) || Boolean(set?.replicas.some((r) => this.answered.has(r.endpoint)));
        if (aborted || !isOutage(e, answeredBefore)) {
          // A probe that was aborted leaves the replica due for another; one refused for what it asked found it answering.
          if (aborted) {
            set?.released(target);
          } else {
            set?.answered(target);
          }
          throw e;
        }
        if (set) {
          set.failed(target);
          this.downs(host, e);
          if (set.anyAvailable()) {
            continue;
          }
        }
        await this.waitOut(set ? set.endpoint : host, role, e, place.attemptId);
      }
    }
  }

  /** A replica set aside while others answer: on record (journal, CLI), but the run does not wait. */
  private downs(host: string, e: ModelError): void {
    if (!this.down.has(host)) {
      this.down.set(host, { since: Date.now(), waits: 0 });
      this.tell({ type: 'replica_set_aside', host, reason: redact(e.message) });
    }
  }

  /**
   * Waits until no request is under way (a stopped run's requests end as they are aborted), for at most `maxMs`;
   * after that nothing more is told of this run's calls, so its last event stays its last.
   */
  async close(maxMs: number): Promise<void> {
    if (this.open > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.quietWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs))),
      ]);
      clearTimeout(timer);
    }
    this.closed = true;
  }

  private ended(): void {
    if (--this.open === 0) {
      const waiters = this.quietWaiters.splice(0);
      waiters.forEach((w) => w());
    }
  }

  private tell(e: EventBody): void {
    if (!this.closed) {
      this.o.emit(e);
    }
  }

  private up(host: string): void {
    this.answered.add(host);
    const d = this.down.get(host);
    if (d) {
      this.down.delete(host);
      this.tell({ type: 'endpoint_restored', host, since: new Date(d.since).toISOString(), seconds: Math.round((Date.now() - d.since) / 100) / 10 });
    }
  }

  /** Waits before the next try at a host that is down; past the outage limit, stops the run as interrupted. */
  private async waitOut(host: string, role: Role, e: ModelError, attemptId: string | undefined): Promise<void> {
    const { outage } = this.o;
    let d = this.down.get(host);
    if (!d) {
      d = { since: Date.now(), waits: 0 };
      this.down.set(host, d);
    }
    if (!d.until) {
      const limitMs = outage.limitSeconds * 1000;
      const elapsed = Date.now() - d.since;
      if (elapsed >= limitMs) {
        const message = `Interrupted: ${host} has not answered for ${Math.floor(elapsed / 1000)} s (outage limit ${outage.limitSeconds} s; last: ${e.message}). Resume the run once it is back.`;
        this.o.interrupt(message);
        throw new StoppedError();
      }
      const delay = Math.min(outage.firstRetryMs * 2 ** d.waits, outage.maxRetryMs, limitMs - elapsed);
      d.waits++;
      this.tell({
        type: 'waiting_endpoint',
        host,
        role,
        retryInSeconds: Math.round(delay / 100) / 10,
        since: new Date(d.since).toISOString(),
        reason: redact(e.message),
        limitSeconds: outage.limitSeconds,
        ...(attemptId ? { attemptId } : {}),
      });
      const wait = sleep(delay, this.o.signal);
      const mine = d;
      d.until = wait.finally(() => {
        mine.until = undefined;
      });
    }
    await d.until;
    if (this.o.signal.aborted) {
      throw new StoppedError();
    }
  }
}

/** Resolves when `p` settles or the run stops, whichever comes first. */
function untilAborted(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    p.then(done, (e: unknown) => {
      signal.removeEventListener('abort', done);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

/** Resolves after `ms`, or at once when the run stops. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      return resolve();
    }
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

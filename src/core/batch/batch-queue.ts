// Batch mode's waves: chat requests from every section are collected instead of sent; once every live section waits on
// one (quiescence), they go out as one batch file per endpoint and model, the batch is polled, and its lines resolve
// the waiting requests, so the sections move on to their next phase together. Failed lines are asked again in the next
// wave while they are transient (429, 5xx, expiry), else returned as the endpoint's error. Each batch is recorded before
// it is waited for; a queue given recorded batches collects them and answers their requests from them, never resubmitting.
import { AsyncLocalStorage } from 'node:async_hooks';
import OpenAI from 'openai';
import { ModelError } from '../endpoints/request-errors';
import { isDone, type BatchApi, type BatchInfo } from './batch-client';
import { bodyHash, CHAT_URL, customIdFor, readResultFile, type BatchLine, type LineResult } from './batch-lines';

/** A submitted batch as its record keeps it: enough to collect it after a restart. */
export interface BatchRecord {
  batchId: string;
  fileId: string;
  baseURL: string;
  model: string;
  customIds: string[];
}

export interface BatchLog {
  /** Resolves once the record is durable; the batch is waited for only then. */
  submitted(r: BatchRecord): Promise<void>;
  collected(batchId: string): Promise<void>;
}

export interface BatchQueueOptions {
  /** The files and batches endpoints of a base URL. */
  apiFor(baseURL: string): BatchApi;
  /** Between two status requests of a batch. */
  pollMs: number;
  /** Longest wait for quiescence once a request is collected (a safety net; quiescence normally decides). */
  gatherMs: number;
  /** Waves a line may fail transiently in before its error is returned. */
  maxRetries: number;
  log?: BatchLog;
  /** Batches recorded by an earlier process and not collected: collected first, their lines answer matching requests. */
  recorded?: BatchRecord[];
  /** Told of every batch as it is submitted and as it is collected. */
  onBatch?(e: { type: 'submitted' | 'collected'; batchId: string; lines: number; status?: string }): void;
}

interface Waiter {
  id: string;
  /** The section that asked, when known. */
  section?: string;
  baseURL: string;
  body: Record<string, unknown>;
  tries: number;
  resolve(body: unknown): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
}

/** One endpoint's way into the queue, for one model's requests. */
export interface BatchChannel {
  /** The chat completion the request's line answered with; a failed line throws the endpoint's error (an OpenAI.APIError). */
  send(body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
}

/** Status requests in a row that may fail for a passing reason before the batch's requests fail. */
const STATUS_FAILURES = 8;

const TRANSIENT_LINE_CODES = new Set(['batch_expired', 'batch_cancelled', 'server_error', 'rate_limit_exceeded', 'timeout', 'request_timeout']);

export class BatchQueue {
  /** Sections working now (entered, not left): a wave goes out when every one of them waits on a request. */
  private readonly live = new Set<string>();
  /** Requests unanswered per section. */
  private readonly waitingBy = new Map<string, number>();
  /** The section a request is made in: set when the section starts, carried through its awaits. */
  private readonly sectionOf = new AsyncLocalStorage<string>();
  private readonly pending: Waiter[] = [];
  private readonly occurrences = new Map<string, number>();
  /**
   * Lines of recorded batches, by the custom id of their first asking: the id the line had (a line asked again after a
   * transient failure has `-r<k>` added; the latest asking counts) and the batch's answers once collected.
   */
  private readonly recordedIds = new Map<string, { id: string; tries: number; results: Promise<Map<string, LineResult>> }>();
  private checkScheduled = false;
  /** Closed: no more status requests, nothing more recorded (what is out stays recorded for a resume). */
  private closed = false;
  /** Waves submitted and not yet handed out. */
  private wavesOut = 0;
  private gatherTimer: NodeJS.Timeout | undefined;
  /**
   * Batches whose answers were all handed out, to be recorded as collected at the next wave (every section has used its
   * answer by then, and the runs' journals are written first) or when the runs complete; never on a stop, so a resumed
   * run collects them again (a free download) instead of asking their lines again.
   */
  private readonly handedOut: string[] = [];
  /** Of each recorded batch, the lines no resumed request has taken yet. */
  private readonly untaken = new Map<string, Set<string>>();
  /** Counters for the summary and the benchmark. */
  readonly stats = { batches: 0, waves: 0, lines: 0, resumedBatches: 0, retriedLines: 0, collected: 0 };

  constructor(private readonly o: BatchQueueOptions) {
    for (const r of o.recorded ?? []) {
      this.stats.resumedBatches++;
      this.untaken.set(r.batchId, new Set(r.customIds));
      const results = this.track(this.collect(r));
      for (const id of r.customIds) {
        const m = /^(.*)-r(\d+)$/.exec(id);
        const [first, tries] = m ? [m[1], Number(m[2])] : [id, 0];
        if ((this.recordedIds.get(first)?.tries ?? -1) < tries) {
          this.recordedIds.set(first, { id, tries, results });
        }
      }
    }
  }

  /**
   * A section started working: waves wait for it. Called synchronously where the section's work starts, so every request
   * made in the rest of that work (through its awaits) is known to be the section's.
   */
  enter(section: string): void {
    this.live.add(section);
    this.sectionOf.enterWith(section);
  }
  /** A section finished (or its run ended): waves no longer wait for it. */
  leave(section: string): void {
    this.live.delete(section);
    this.check();
  }

  /**
   * Whether to send what is collected: every live section waits on a request (requests of no section, such as a recipe
   * update, ride along), and no wave is out, or else every live section has a request collected for the next one. So
   * sections whose answers came back early wait for the wave still out, and all go on together.
   */
  private quiescent(): boolean {
    const collected = this.wavesOut > 0 ? new Set(this.pending.map((w) => w.section)) : undefined;
    for (const s of this.live) {
      if (!this.waitingBy.get(s) || (collected && !collected.has(s))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops polling: batches still out stay recorded as submitted, for a resumed run to collect. When the runs completed
   * (`completed`), every batch whose answers were fetched is recorded as collected first: nothing will ask its lines.
   */
  async close(completed = false): Promise<void> {
    this.closed = true;
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    if (completed) {
      this.handedOut.push(...this.untaken.keys());
      this.untaken.clear();
      await this.recordCollected();
    }
  }

  /** Records the batches handed out as collected (after the runs' journals, through `log.collected`). */
  private async recordCollected(): Promise<void> {
    for (const id of this.handedOut.splice(0)) {
      await this.o.log?.collected(id);
    }
  }

  channel(baseURL: string): BatchChannel {
    return { send: (body, signal) => this.send(baseURL, body, signal) };
  }

  private send(baseURL: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) {
      return Promise.reject(new ModelError('aborted', 'Cancelled'));
    }
    const hash = bodyHash(body);
    const occurrence = this.occurrences.get(hash) ?? 0;
    this.occurrences.set(hash, occurrence + 1);
    const id = customIdFor(hash, occurrence);
    const section = this.sectionOf.getStore();
    if (section !== undefined) {
      this.waitingBy.set(section, (this.waitingBy.get(section) ?? 0) + 1);
    }
    return new Promise<unknown>((resolve, reject) => {
      const w: Waiter = { id, section, baseURL, body, tries: 0, resolve, reject, signal };
      const done = () => {
        if (section !== undefined) {
          const left = (this.waitingBy.get(section) ?? 1) - 1;
          if (left > 0) {
            this.waitingBy.set(section, left);
          } else {
            this.waitingBy.delete(section);
          }
        }
        signal?.removeEventListener('abort', onAbort);
        this.check();
      };
      w.resolve = (v) => {
        done();
        resolve(v);
      };
      w.reject = (e) => {
        done();
        reject(e);
      };
      const onAbort = () => {
        const i = this.pending.indexOf(w);
        if (i >= 0) {
          this.pending.splice(i, 1);
        }
        w.reject(new ModelError('aborted', 'Cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const recorded = this.recordedIds.get(id);
      if (recorded) {
        // Asked before the restart: its recorded batch answers it.
        this.recordedIds.delete(id);
        w.id = recorded.id;
        w.tries = recorded.tries;
        void recorded.results.then(
          (results) => {
            this.settle(w, results.get(recorded.id));
            this.taken(recorded.id);
          },
          // A recorded batch that cannot be collected (gone from the endpoint): the request goes into the next wave.
          () => {
            w.id = id;
            w.tries = 0;
            this.enqueue(w);
          },
        );
        return;
      }
      this.enqueue(w);
    });
  }

  /** A recorded line was taken by a resumed request; once every line of its batch is, the batch counts as handed out. */
  private taken(customId: string): void {
    for (const [batchId, ids] of this.untaken) {
      if (ids.delete(customId) && ids.size === 0) {
        this.untaken.delete(batchId);
        this.handedOut.push(batchId);
      }
    }
  }

  private enqueue(w: Waiter): void {
    this.pending.push(w);
    this.check();
  }

  /**
   * The safety net: what is collected goes out after `gatherMs` even without quiescence (a section waiting on something
   * else than a request), but only while no wave is out: a wave's end looks for quiescence again.
   */
  private armGather(): void {
    if (this.gatherTimer || this.wavesOut > 0) {
      return;
    }
    this.gatherTimer = setTimeout(() => {
      this.gatherTimer = undefined;
      if (this.wavesOut === 0) {
        this.flush();
      }
    }, this.o.gatherMs);
    this.gatherTimer.unref?.();
  }

  /** Looks for quiescence once the current turn of the event loop (and the continuations it queued) has run. */
  private check(): void {
    if (this.checkScheduled || this.pending.length === 0) {
      return;
    }
    this.armGather();
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      if (this.pending.length > 0 && this.quiescent()) {
        this.flush();
      }
    });
  }

  /** Sends what is collected: one batch per base URL and model. */
  private flush(): void {
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    const wave = this.pending.splice(0);
    if (wave.length === 0) {
      return;
    }
    // Every section waits again: the answers handed out before were used, so their batches are collected for good.
    if (this.handedOut.length) {
      this.track(this.recordCollected());
    }
    this.stats.waves++;
    const groups = new Map<string, Waiter[]>();
    for (const w of wave) {
      const k = `${w.baseURL}\0${String(w.body.model)}`;
      groups.set(k, [...(groups.get(k) ?? []), w]);
    }
    // The wave's answers are handed out together, once all its batches are collected: the sections stay in step, so
    // the next wave again carries a request of each.
    this.wavesOut++;
    this.track(
      Promise.all([...groups.values()].map((ws) => this.submit(ws))).then((settled) => {
        this.wavesOut--;
        if (this.closed) {
          // Stopped while the wave was out: its answers are not used; its batches stay recorded for a resume.
          return;
        }
        for (const { settle, batchId } of settled) {
          settle();
          if (batchId) {
            this.handedOut.push(batchId);
          }
        }
        this.check();
      }),
    );
  }

  /** A promise whose failure is handled where it is used (or nowhere to be handled): never an unhandled rejection. */
  private track<T>(p: Promise<T>): Promise<T> {
    p.catch(() => undefined);
    return p;
  }

  /** Submits one batch and waits for it; resolves to what settles its requests, and the batch's id once collected. */
  private async submit(ws: Waiter[]): Promise<{ settle: () => void; batchId?: string }> {
    // Two identical requests asked again in one wave keep their own ids (their occurrence differs).
    const byId = new Map(ws.map((w) => [w.id, w]));
    const lines: BatchLine[] = ws.map((w) => ({ custom_id: w.id, method: 'POST', url: CHAT_URL, body: w.body }));
    const { baseURL } = ws[0];
    let results: Map<string, LineResult>;
    let collected: string | undefined;
    try {
      const { batchId, fileId } = await this.o.apiFor(baseURL).submit(lines);
      this.stats.batches++;
      this.stats.lines += lines.length;
      const record: BatchRecord = { batchId, fileId, baseURL, model: String(ws[0].body.model), customIds: ws.map((w) => w.id) };
      await this.o.log?.submitted(record);
      this.o.onBatch?.({ type: 'submitted', batchId, lines: lines.length });
      results = await this.collect(record);
      collected = record.batchId;
    } catch (e) {
      return {
        settle: () => {
          for (const w of ws) {
            w.reject(e);
          }
        },
      };
    }
    return {
      settle: () => {
        for (const [id, w] of byId) {
          this.settle(w, results.get(id));
        }
      },
      batchId: collected,
    };
  }

  /** Polls a batch to its end and reads its output and error files (recorded as collected once its answers are used). */
  private async collect(r: BatchRecord): Promise<Map<string, LineResult>> {
    const api = this.o.apiFor(r.baseURL);
    let info: BatchInfo;
    for (let failures = 0; ;) {
      if (this.closed) {
        throw new ModelError('aborted', `stopped while batch ${r.batchId} was out`);
      }
      try {
        info = await api.status(r.batchId);
        failures = 0;
        if (isDone(info.status)) {
          break;
        }
      } catch (e) {
        // The batch goes on whatever happens to a status request: a passing failure is waited out (asking again would
        // pay for its lines twice); one that will recur (a 4xx) or goes on too long fails the batch's requests.
        const status = (e as { status?: number }).status;
        if ((status !== undefined && status < 500 && status !== 408 && status !== 429) || ++failures > STATUS_FAILURES) {
          throw e;
        }
      }
      await new Promise((res) => setTimeout(res, this.o.pollMs * (failures ? 2 ** Math.min(failures, 6) : 1)));
    }
    const results = new Map<string, LineResult>();
    if (info.status === 'failed' && !info.outputFileId && !info.errorFileId) {
      const why = info.errors.join('; ') || 'no reason given';
      throw new ModelError('bad_request', `the endpoint refused batch ${r.batchId}: ${why}`, 400);
    }
    for (const fileId of [info.outputFileId, info.errorFileId]) {
      if (fileId) {
        for (const line of readResultFile(await api.fileText(fileId))) {
          results.set(line.customId, line);
        }
      }
    }
    // A line the files do not mention ended with the batch (expired, cancelled).
    for (const id of r.customIds) {
      if (!results.has(id)) {
        results.set(id, { customId: id, error: { code: `batch_${info.status}`, message: `the batch ended ${info.status} before this line was answered` } });
      }
    }
    if (this.closed) {
      throw new ModelError('aborted', `stopped while batch ${r.batchId} was out`);
    }
    this.stats.collected++;
    this.o.onBatch?.({ type: 'collected', batchId: r.batchId, lines: r.customIds.length, status: info.status });
    return results;
  }

  /** A line's result: the reply, another wave for a transient failure, or the endpoint's error. */
  private settle(w: Waiter, r: LineResult | undefined): void {
    if (w.signal?.aborted) {
      return;
    }
    const status = r?.status;
    if (r && status !== undefined && status >= 200 && status < 300 && !r.error) {
      w.resolve(r.body);
      return;
    }
    const transient = status === undefined ? TRANSIENT_LINE_CODES.has(r?.error?.code ?? 'batch_expired') : status === 408 || status === 429 || status >= 500;
    if (transient && w.tries < this.o.maxRetries) {
      w.tries++;
      this.stats.retriedLines++;
      // A new id: the line goes into a new batch, and a restart must not take the failed answer for it.
      w.id = `${w.id.replace(/-r\d+$/, '')}-r${w.tries}`;
      this.enqueue(w);
      return;
    }
    if (status === undefined && !transient) {
      // Not executed, for a reason another wave would not change (the line itself): the request fails, as a 400 would.
      const code = r?.error?.code ?? 'no_answer';
      w.reject(new ModelError('bad_request', `the batch did not run this request (${code}): ${r?.error?.message ?? 'no answer'}`, 400, undefined, code));
      return;
    }
    const body = (r?.body ?? undefined) as { error?: unknown } | undefined;
    const error = body?.error ?? { message: r?.error?.message ?? 'the batch returned no answer for this request', code: r?.error?.code ?? null };
    w.reject(OpenAI.APIError.generate(status ?? 500, { error }, undefined, new Headers()));
  }
}

// The ChatModel interface every role talks through, and its implementation for OpenAI-compatible endpoints: requests
// shaped by the endpoint's capability profile, adapted at once when the endpoint rejects a parameter, answers kept
// apart from reasoning, `n` honoured or replaced by parallel requests, and errors by kind.
import OpenAI from 'openai';
import type { EndpointConfig } from './config';
import type { Capabilities, EndpointOverrides, EndpointProfile } from './endpoints/capabilities';
import { REASONING_ALLOWANCE } from './endpoints/families';
import { endpointHost, endpointProfiles, type EndpointProfiles } from './endpoints/profiles';
import { reasoningSpentMessage } from './endpoints/reasoning';
import { readCompletion, StreamReader, type Reply } from './endpoints/replies';
import { buildBody, type Built } from './endpoints/request-body';
import { infoOf, isBrokenBody, toError } from './endpoints/model-errors';
import { adaptationFor, MALFORMED_REPLY, ModelError, statusError, who, type Adaptation, type ErrorContext, type ErrorInfo } from './endpoints/request-errors';
import { guardedFetch, stallOf } from './endpoints/transport';
import { Limiter } from './limiter';
import type { BatchChannel } from './batch/batch-queue';

export { ModelError, type ModelErrorKind } from './endpoints/request-errors';
export { withSchemaInstruction } from './endpoints/request-body';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Number of independent samples wanted. */
  n?: number;
  /** Ask for JSON matching this schema (how depends on what the endpoint supports). */
  json?: { name: string; schema: Record<string, unknown> };
  /** Sent only to endpoints that take one. */
  seed?: number;
  signal?: AbortSignal;
  /** When given, the reply is streamed and each piece of answer text (never reasoning) reported as it arrives. */
  onDelta?: (choice: number, text: string) => void;
}

export interface ChatChoice {
  /** The answer, without any reasoning. */
  text: string;
  finishReason: string;
  refusal?: string;
  /** The model's reasoning, when it returned any: kept for the journal, never graded or exported. */
  reasoning?: string;
  /** Why this choice cannot serve as an answer, when the endpoint layer knows better than the finish reason. */
  failure?: string;
}

export interface ChatResult {
  choices: ChatChoice[];
  promptTokens: number;
  completionTokens: number;
  calls: number;
  /** Of the completion tokens, those spent reasoning, when the endpoint reports them. */
  reasoningTokens?: number;
  /** Of the prompt tokens, those the endpoint read from its prompt cache, when it reports them. */
  cachedTokens?: number;
  /** The endpoint reported no usage for some request: its share is estimated from the text. */
  usageEstimated?: boolean;
  /** A seed was asked for, but the endpoint takes none: it was not sent (the samples are not seeded). */
  seedDropped?: boolean;
}

export interface ChatModel {
  /** Model name as sent to the endpoint. */
  readonly model: string;
  /** Where it runs, for messages (never holds a key). */
  readonly endpoint: string;
  complete(req: ChatRequest): Promise<ChatResult>;
}

/** How much later than the request deadline the SDK's own timeout fires. */
const SDK_TIMEOUT_MARGIN_MS = 1_000;

export interface OpenAIModelOptions {
  apiKey: string;
  /** Retries of 429, 5xx, timeouts and dropped connections (exponential backoff honouring retry-after). */
  maxRetries?: number;
  /** Overall deadline of one request, body included (the request timeout setting). */
  timeoutMs?: number;
  /** Longest silence while a reply is due: between stream chunks, and before a stream's first one. */
  idleTimeoutMs?: number;
  /** Requests in flight at once to this endpoint (shared by all models on the same base URL). */
  limiter?: Limiter;
  /** Whether `n` > 1 may be sent; when false, samples are always asked for in parallel requests. */
  useN?: boolean;
  /** The role this model plays, named in messages ("judge"). */
  role?: string;
  /** Settings that pin what the endpoint accepts. */
  overrides?: EndpointOverrides;
  /** Where learned capabilities are kept (default: the process-wide store). */
  profiles?: EndpointProfiles;
  /** Batch mode: each request becomes a line of the next batch instead of a request of its own (never streamed). */
  batch?: BatchChannel;
  /** The fetch under the deadline guard (default: the global one), e.g. one that teaches the limiter the endpoint's limits. */
  fetch?: typeof fetch;
}

/** A ModelError for anything a request to an endpoint can throw (an HTTP error, a stall, a refused connection). */
export function toModelError(e: unknown, where: string | ErrorContext, apiKey = ''): ModelError {
  return toError(e, where, [apiKey]);
}

/** Raised inside a request when the endpoint turned out to reject `n` > 1: the caller asks again in parallel. */
class NRejected extends Error {}

/** One request's reply, with the token budget it was sent. */
type Sent = Reply & { limit: number; calls: number; estimated: boolean; seeded: boolean };

/** Counts one request's usage into the result of a call (which may take several requests). */
function addUsage(result: ChatResult, r: Sent): void {
  result.promptTokens += r.promptTokens;
  result.completionTokens += r.completionTokens;
  result.calls += r.calls;
  if (r.reasoningTokens !== undefined) {
    result.reasoningTokens = (result.reasoningTokens ?? 0) + r.reasoningTokens;
  }
  if (r.cachedTokens) {
    result.cachedTokens = (result.cachedTokens ?? 0) + r.cachedTokens;
  }
  if (r.estimated) {
    result.usageEstimated = true;
  }
}

const MAX_ADAPTATIONS = 8;
const MAX_REASONING_ALLOWANCE = 65_536;
const DEFAULT_IDLE_MS = 120_000;

export class OpenAICompatibleModel implements ChatModel {
  readonly model: string;
  readonly endpoint: string;
  private readonly host: string;
  private readonly client: OpenAI;
  private readonly limiter: Limiter;
  private readonly profiles: EndpointProfiles;
  private readonly overrides: EndpointOverrides;
  /** Everything to take out of messages: the key, and any credentials the base URL held. */
  private readonly secrets: string[];

  constructor(
    private readonly cfg: EndpointConfig,
    private readonly opts: OpenAIModelOptions,
  ) {
    this.model = cfg.model;
    const url = new URL(cfg.baseURL);
    this.endpoint = url.host;
    this.host = endpointHost(cfg.baseURL);
    // fetch refuses a URL with credentials in it: they travel as Basic authentication instead (when there is no key).
    const basic =
      url.username || url.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
        : undefined;
    const secrets = [opts.apiKey, basic?.slice(6), url.password && decodeURIComponent(url.password)].filter((x): x is string => Boolean(x));
    url.username = '';
    url.password = '';
    this.secrets = secrets;
    const deadlineMs = opts.timeoutMs ?? 180_000;
    this.client = new OpenAI({
      baseURL: url.toString().replace(/\/$/, ''),
      apiKey: opts.apiKey || 'none',
      maxRetries: opts.maxRetries ?? 4,
      // The deadline is the guarded fetch's (it covers the body and says which limit was hit); the SDK's own timer is a
      // backstop a little later, so on a loaded machine the two do not race to report the same timeout.
      timeout: deadlineMs + SDK_TIMEOUT_MARGIN_MS,
      dangerouslyAllowBrowser: false,
      defaultHeaders: basic && !opts.apiKey ? { Authorization: basic } : undefined,
      fetch: guardedFetch({ deadlineMs, idleMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_MS, secrets, fetch: opts.fetch }),
    });
    this.limiter = opts.limiter ?? new Limiter(8);
    this.profiles = opts.profiles ?? endpointProfiles;
    // A structured-output setting other than 'auto' pins the response format for this endpoint.
    const pair = `${url.host}/${cfg.model}`;
    this.overrides =
      cfg.structuredOutput === 'auto'
        ? { ...opts.overrides }
        : { ...opts.overrides, [pair]: { ...opts.overrides?.[pair], responseFormat: cfg.structuredOutput } };
  }

  /** What this endpoint is known to accept and return, and where each part of that came from. */
  get profile(): EndpointProfile {
    return this.profiles.profile(this.cfg.baseURL, this.model, this.overrides);
  }

  /** How JSON is asked for now (after anything learned). */
  get structuredMode(): Capabilities['responseFormat'] {
    return this.profile.capabilities.responseFormat;
  }

  private get ctx(): ErrorContext {
    return { role: this.opts.role, host: this.host, model: this.model, keyless: !this.opts.apiKey };
  }

  private learn(patch: Partial<Capabilities>, note: string): void {
    this.profiles.learn(this.cfg.baseURL, this.model, patch, note, this.overrides);
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const n = Math.max(1, req.n ?? 1);
    const result: ChatResult = { choices: [], promptTokens: 0, completionTokens: 0, calls: 0 };
    const limits: number[] = [];
    const reasoned: Reasoned[] = [];
    const add = (r: Sent) => {
      for (const c of r.choices) {
        const index = result.choices.length;
        if (index >= n) {
          break;
        }
        result.choices.push(choiceOf(c));
        limits[index] = r.limit;
        reasoned[index] = reasonedOf(r);
      }
      addUsage(result, r);
      if (req.seed !== undefined && !r.seeded) {
        result.seedDropped = true;
      }
    };

    if (n > 1 && this.opts.useN !== false && this.profile.capabilities.n === 'honoured') {
      const first = await this.request(req, n, 0).catch((e: unknown) => {
        if (e instanceof NRejected) {
          return undefined;
        }
        throw e;
      });
      if (first) {
        add(first);
        if (first.choices.length > 0 && first.choices.length < n) {
          this.learn({ n: 'ignored' }, `ignores n: ${first.choices.length} choice(s) for n=${n}; samples are asked for in parallel`);
        }
      }
    }
    // Samples the endpoint did not give in one reply are asked for all at once, never one after another.
    const offset = result.choices.length;
    if (offset < n) {
      const rest = await Promise.all(Array.from({ length: n - offset }, (_, i) => this.request(req, 1, offset + i)));
      for (const r of rest) {
        add(r);
      }
    }
    if (result.choices.length === 0) {
      throw new ModelError('server', `${who(this.ctx)} returned no choices`, undefined, undefined, MALFORMED_REPLY);
    }
    await this.retryReasoningCutOffs(req, result, limits, reasoned);
    return result;
  }

  /** Choices cut off before any answer because the budget went on reasoning: asked again once with a larger budget. */
  private async retryReasoningCutOffs(req: ChatRequest, result: ChatResult, limits: number[], reasoned: Reasoned[]): Promise<void> {
    const caps = this.profile;
    const isCut = (c: ChatChoice, i: number) =>
      c.finishReason === 'length' && !c.text.trim() && (Boolean(c.reasoning?.trim()) || reasoned[i].any || caps.capabilities.reasoning === 'hidden');
    const cut = result.choices.map((c, i) => (isCut(c, i) ? i : -1)).filter((i) => i >= 0);
    if (cut.length === 0) {
      return;
    }
    const limit = Math.max(...cut.map((i) => limits[i]));
    if (caps.sources.reasoningAllowance !== 'override') {
      // At least twice the budget that was spent; requests cut at the same time raise it once, not once each.
      const needed = Math.min(MAX_REASONING_ALLOWANCE, 2 * limit - (req.maxTokens ?? this.cfg.maxTokens));
      const allowance = Math.max(caps.capabilities.reasoningAllowance, needed);
      if (allowance !== caps.capabilities.reasoningAllowance || !caps.capabilities.reasons) {
        this.learn(
          { reasons: true, reasoningAllowance: allowance },
          `spent all ${limit} tokens reasoning before answering: ${allowance} tokens are now added for reasoning`,
        );
      }
      const again = await Promise.all(cut.map((i) => this.request(req, 1, i)));
      again.forEach((r, k) => {
        const i = cut[k];
        const c = r.choices[0];
        if (c) {
          result.choices[i] = choiceOf(c);
          limits[i] = r.limit;
          reasoned[i] = reasonedOf(r);
        }
        addUsage(result, r);
      });
    }
    for (const i of cut) {
      const c = result.choices[i];
      if (isCut(c, i)) {
        c.failure = reasoningSpentMessage(this.model, reasoned[i].tokens ?? limits[i], this.opts.role);
      }
    }
  }

  /** One logical request: adapted to the endpoint as often as it names a parameter it rejects, retried when the body breaks. */
  private async request(req: ChatRequest, n: number, offset: number): Promise<Sent> {
    let broken = 0;
    let stalled = 0;
    let adapted = 0;
    for (;;) {
      const profile = this.profile;
      const built = buildBody(profile.capabilities, {
        model: this.model,
        messages: req.messages,
        temperature: req.temperature ?? this.cfg.temperature,
        maxTokens: req.maxTokens ?? this.cfg.maxTokens,
        n,
        json: req.json,
        seed: req.seed,
        stream: Boolean(req.onDelta) && !this.opts.batch,
      });
      try {
        const reply = this.opts.batch
          ? await this.batched(built, profile, req.signal)
          : await this.limiter.run(() => (req.onDelta ? this.streamed(built, req, n, offset, profile) : this.plain(built, profile, req.signal)), req.signal);
        this.notice(reply, built, profile);
        const estimated = !reply.usageReported;
        if (estimated) {
          this.estimate(reply, req);
        }
        return { ...reply, limit: built.limit, calls: 1, estimated, seeded: built.body.seed !== undefined };
      } catch (e) {
        if (req.signal?.aborted) {
          throw new ModelError('aborted', 'Cancelled');
        }
        if (e instanceof ModelError) {
          throw e;
        }
        if (e instanceof OpenAI.APIUserAbortError) {
          throw new ModelError('aborted', 'Cancelled');
        }
        if (e instanceof OpenAI.APIError && e.status !== undefined) {
          const info = infoOf(e);
          const fix = adaptationFor(e.status, info, built.body, profile.capabilities);
          if (fix && adapted++ < MAX_ADAPTATIONS) {
            if (profile.sources[fix.field] === 'override') {
              throw this.pinnedError(fix, e.status, info);
            }
            this.learn(fix.patch, fix.note);
            if (fix.field === 'n') {
              throw new NRejected();
            }
            continue;
          }
          throw statusError(e.status, info, this.ctx, built.body);
        }
        // A stalled reply is asked for once more; a body cut off or garbled, as often as other transient failures.
        const retry = stallOf(e) ? stalled++ < Math.min(1, this.opts.maxRetries ?? 4) : isBrokenBody(e) && broken++ < (this.opts.maxRetries ?? 4);
        if (retry) {
          await sleep(250 * 2 ** (broken + stalled), req.signal);
          continue;
        }
        throw toError(e, this.ctx, this.secrets);
      }
    }
  }

  private async plain(built: Built, profile: EndpointProfile, signal?: AbortSignal): Promise<Reply> {
    const res = await this.client.chat.completions.create(built.body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { signal });
    if (!res || !Array.isArray(res.choices)) {
      throw new ModelError('server', `${who(this.ctx)} sent a reply without choices`, undefined, undefined, MALFORMED_REPLY);
    }
    return readCompletion(res as unknown as Parameters<typeof readCompletion>[0], profile.capabilities.reasoning === 'tags_unopened');
  }

  /** The reply to the request's line in a batch: read like any other completion. */
  private async batched(built: Built, profile: EndpointProfile, signal?: AbortSignal): Promise<Reply> {
    const res = (await this.opts.batch!.send(built.body, signal)) as { choices?: unknown[] } | undefined;
    if (!res || !Array.isArray(res.choices)) {
      throw new ModelError('server', `${who(this.ctx)} sent a batch line without choices`, undefined, undefined, MALFORMED_REPLY);
    }
    return readCompletion(res as Parameters<typeof readCompletion>[0], profile.capabilities.reasoning === 'tags_unopened');
  }

  private async streamed(built: Built, req: ChatRequest, n: number, offset: number, profile: EndpointProfile): Promise<Reply> {
    const stream = await this.client.chat.completions.create(built.body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal: req.signal });
    const reader = new StreamReader(n, profile.capabilities.reasoning === 'tags_unopened', req.onDelta ? (i, t) => req.onDelta!(offset + i, t) : undefined);
    for await (const chunk of stream) {
      reader.add(chunk as unknown as Parameters<StreamReader['add']>[0]);
    }
    return reader.end();
  }

  /** What a reply shows about the endpoint: where reasoning comes back, whether a stream reports usage unasked. */
  private notice(reply: Reply, built: Built, profile: EndpointProfile): void {
    const caps = profile.capabilities;
    const patch: Partial<Capabilities> = {};
    const notes: string[] = [];
    const hidden = !reply.seen.field && !reply.seen.tags && (reply.reasoningTokens ?? 0) > 0 && caps.reasoning === 'none';
    const where: Capabilities['reasoning'] | undefined = reply.seen.unopened
      ? 'tags_unopened'
      : reply.seen.tags
        ? 'tags'
        : reply.seen.field
          ? 'field'
          : hidden
            ? 'hidden'
            : undefined;
    if (where && where !== caps.reasoning && profile.sources.reasoning !== 'override') {
      patch.reasoning = where;
      notes.push(
        where === 'hidden'
          ? 'reasons without returning the text (counted in usage)'
          : `returns reasoning in ${where === 'field' ? 'a message field' : '<think> tags'}`,
      );
    }
    if ((where || (reply.reasoningTokens ?? 0) > 0) && !caps.reasons && profile.sources.reasons !== 'override') {
      patch.reasons = true;
      if (caps.reasoningAllowance === 0 && profile.sources.reasoningAllowance !== 'override') {
        patch.reasoningAllowance = REASONING_ALLOWANCE;
      }
      notes.push('reasons before answering: its budget gets an allowance for reasoning');
    }
    if (built.body.stream && !built.body.stream_options && reply.usageReported && caps.streamUsage !== 'always' && profile.sources.streamUsage !== 'override') {
      patch.streamUsage = 'always';
      notes.push('reports usage in streams unasked');
    }
    if (notes.length) {
      this.learn(patch, notes.join('; '));
    }
  }

  /** Usage for a reply that reported none, from the text (about four characters a token). */
  private estimate(reply: Reply, req: ChatRequest): void {
    const chars = (s: string) => Math.ceil(s.length / 4);
    reply.promptTokens = chars(req.messages.map((m) => m.content).join('\n'));
    reply.completionTokens = reply.choices.reduce((a, c) => a + chars(c.text) + chars(c.reasoning), 0);
  }

  private pinnedError(fix: Adaptation, status: number, info: ErrorInfo): ModelError {
    if (fix.field === 'responseFormat') {
      return new ModelError(
        'no_structured_output',
        `${who(this.ctx)} does not support response_format ${this.structuredMode} (${status}: ${info.message}); set structured output to "auto"`,
        status,
        'structuredOutput',
      );
    }
    const setting = `endpoints["${this.endpoint}/${this.model}"].${fix.field}`;
    return new ModelError(
      'unsupported',
      `${who(this.ctx)} ${fix.note.replace(/:.*\(/, ' (')}; the setting ${setting} pins it. Change or remove that setting.`,
      status,
      setting,
    );
  }
}

/** Whether a request's reply reported reasoning tokens, and how many one choice spent (known only for a single choice). */
interface Reasoned {
  any: boolean;
  tokens?: number;
}

function reasonedOf(r: Reply): Reasoned {
  return { any: (r.reasoningTokens ?? 0) > 0, tokens: r.choices.length === 1 ? r.reasoningTokens : undefined };
}

function choiceOf(c: Reply['choices'][number]): ChatChoice {
  return { text: c.text, finishReason: c.finishReason, ...(c.refusal ? { refusal: c.refusal } : {}), ...(c.reasoning ? { reasoning: c.reasoning } : {}) };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

// The ChatModel interface every role talks through, and its implementation for OpenAI-compatible endpoints.
import OpenAI from 'openai';
import type { EndpointConfig } from './config';
import { Limiter } from './limiter';

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Number of independent samples wanted. */
  n?: number;
  /** Ask for JSON matching this schema (how depends on what the endpoint supports). */
  json?: { name: string; schema: Record<string, unknown> };
  signal?: AbortSignal;
  /** When given, the reply is streamed and each text piece reported as it arrives. */
  onDelta?: (choice: number, text: string) => void;
}

export interface ChatChoice { text: string; finishReason: string; refusal?: string }
export interface ChatResult { choices: ChatChoice[]; promptTokens: number; completionTokens: number; calls: number }

export interface ChatModel {
  /** Model name as sent to the endpoint. */
  readonly model: string;
  /** Where it runs, for messages (never holds a key). */
  readonly endpoint: string;
  complete(req: ChatRequest): Promise<ChatResult>;
}

export type ModelErrorKind = 'auth' | 'quota' | 'rate_limit' | 'unreachable' | 'unknown_model' | 'bad_request' | 'server' | 'timeout' | 'aborted' | 'no_structured_output';

/** A failure talking to a model, with a kind a person (and the orchestrator) can act on. */
export class ModelError extends Error {
  constructor(readonly kind: ModelErrorKind, message: string, readonly status?: number) { super(message); this.name = 'ModelError'; }
  /** Errors that end the run rather than one attempt: retrying another question cannot help. */
  get fatal(): boolean { return this.kind === 'auth' || this.kind === 'quota' || this.kind === 'unknown_model' || this.kind === 'unreachable' || this.kind === 'aborted'; }
}

export function toModelError(e: unknown, where: string): ModelError {
  if (e instanceof ModelError) { return e; }
  if (e instanceof OpenAI.APIUserAbortError || (e instanceof Error && e.name === 'AbortError')) { return new ModelError('aborted', 'Cancelled'); }
  if (e instanceof OpenAI.APIConnectionTimeoutError) { return new ModelError('timeout', `${where} did not answer in time`); }
  if (e instanceof OpenAI.APIConnectionError) { return new ModelError('unreachable', `Cannot reach ${where}: ${e.cause instanceof Error ? e.cause.message : e.message}`); }
  if (e instanceof SyntaxError) { return new ModelError('server', `${where} sent a reply that is not valid JSON`); }
  if (e instanceof TypeError && /terminated/i.test(e.message)) { return new ModelError('server', `${where} closed the connection mid-reply`); }
  if (e instanceof OpenAI.APIError) {
    const detail = e.message.replace(/^\d{3}\s*/, '');
    if (e.status === 401 || e.status === 403) { return new ModelError('auth', `${where} refused the API key (${e.status}): ${detail}`, e.status); }
    if (e.status === 404) { return new ModelError('unknown_model', `${where} does not know this model (404): ${detail}`, e.status); }
    if (e.status === 429) { return new ModelError('rate_limit', `${where} is rate-limiting requests (429) and retries ran out: ${detail}`, e.status); }
    if (e.status !== undefined && e.status >= 500) { return new ModelError('server', `${where} failed (${e.status}): ${detail}`, e.status); }
    return new ModelError('bad_request', `${where} rejected the request (${e.status}): ${detail}`, e.status);
  }
  return new ModelError('server', `${where}: ${e instanceof Error ? e.message : String(e)}`);
}

export interface OpenAIModelOptions {
  apiKey: string;
  /** SDK retries for 429, 5xx, timeouts and connection errors (exponential backoff honouring retry-after). */
  maxRetries?: number;
  timeoutMs?: number;
  /** Requests in flight at once to this endpoint (shared by all models on the same base URL). */
  limiter?: Limiter;
  /** Whether `n` > 1 is sent; endpoints that return fewer choices are topped up either way. */
  useN?: boolean;
}

type Structured = 'json_schema' | 'json_object' | 'none';

export class OpenAICompatibleModel implements ChatModel {
  readonly model: string;
  readonly endpoint: string;
  private readonly client: OpenAI;
  private structured: Structured;
  private readonly autoFallback: boolean;
  private readonly limiter: Limiter;

  constructor(private readonly cfg: EndpointConfig, private readonly opts: OpenAIModelOptions) {
    this.model = cfg.model;
    this.endpoint = new URL(cfg.baseURL).host;
    this.client = new OpenAI({ baseURL: cfg.baseURL, apiKey: opts.apiKey || 'none', maxRetries: opts.maxRetries ?? 4, timeout: opts.timeoutMs ?? 180_000, dangerouslyAllowBrowser: false });
    this.structured = cfg.structuredOutput === 'auto' ? 'json_schema' : cfg.structuredOutput;
    this.autoFallback = cfg.structuredOutput === 'auto';
    this.limiter = opts.limiter ?? new Limiter(8);
  }

  /** How JSON is asked for now (after any fallback). */
  get structuredMode(): Structured { return this.structured; }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const n = Math.max(1, req.n ?? 1);
    const perRequest = this.opts.useN === false ? 1 : n;
    const result: ChatResult = { choices: [], promptTokens: 0, completionTokens: 0, calls: 0 };
    // Endpoints that ignore `n` (Ollama, some proxies) return one choice: top up with further requests.
    while (result.choices.length < n) {
      const want = Math.min(perRequest, n - result.choices.length);
      const batches = perRequest === 1 ? n - result.choices.length : 1;
      const replies = await Promise.all(Array.from({ length: batches }, (_, b) => this.once(req, want, result.choices.length + b * want)));
      if (replies.every((r) => r.choices.length === 0)) { throw new ModelError('server', `${this.endpoint} (${this.model}) returned no choices`); }
      for (const r of replies) {
        result.choices.push(...r.choices.slice(0, n - result.choices.length));
        result.promptTokens += r.promptTokens; result.completionTokens += r.completionTokens; result.calls += r.calls;
      }
    }
    return result;
  }

  private async once(req: ChatRequest, n: number, offset: number): Promise<ChatResult> {
    let brokenBodies = 0;
    for (;;) {
      try {
        return await this.limiter.run(() => (req.onDelta ? this.streamed(req, n, offset) : this.plain(req, n)), req.signal);
      } catch (e) {
        // The SDK retries statuses and connection errors, but not a body cut off or garbled after a 200.
        if (isBrokenBody(e) && !req.signal?.aborted && brokenBodies++ < (this.opts.maxRetries ?? 4)) {
          await new Promise((r) => setTimeout(r, 250 * 2 ** brokenBodies));
          continue;
        }
        if (req.json && this.autoFallback && this.structured !== 'none' && isFormatRejection(e)) {
          this.structured = this.structured === 'json_schema' ? 'json_object' : 'none';
          continue;
        }
        if (req.json && !this.autoFallback && isFormatRejection(e)) {
          throw new ModelError('no_structured_output', `${this.endpoint} does not support response_format ${this.structured} for ${this.model}; set structured output to "auto"`);
        }
        throw toModelError(e, `${this.endpoint} (${this.model})`);
      }
    }
  }

  private body(req: ChatRequest, n: number) {
    const messages = req.json && this.structured !== 'json_schema' ? withSchemaInstruction(req.messages, req.json.schema) : req.messages;
    const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: this.model, messages, temperature: req.temperature ?? this.cfg.temperature, max_tokens: req.maxTokens ?? this.cfg.maxTokens,
    };
    if (n > 1) { body.n = n; }
    if (req.json && this.structured === 'json_schema') {
      body.response_format = { type: 'json_schema', json_schema: { name: req.json.name, schema: req.json.schema, strict: true } };
    } else if (req.json && this.structured === 'json_object') {
      body.response_format = { type: 'json_object' };
    }
    return body;
  }

  private async plain(req: ChatRequest, n: number): Promise<ChatResult> {
    const res = await this.client.chat.completions.create(this.body(req, n), { signal: req.signal });
    if (!res || !Array.isArray(res.choices)) { throw new ModelError('server', `${this.endpoint} sent a reply without choices`); }
    return {
      choices: res.choices.map((c) => ({ text: c.message?.content ?? '', finishReason: c.finish_reason ?? 'unknown', refusal: c.message?.refusal ?? undefined })),
      promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0, calls: 1,
    };
  }

  private async streamed(req: ChatRequest, n: number, offset: number): Promise<ChatResult> {
    const stream = await this.client.chat.completions.create(
      { ...this.body(req, n), stream: true, stream_options: { include_usage: true } }, { signal: req.signal });
    const texts: string[] = Array.from({ length: n }, () => '');
    const finish: string[] = Array.from({ length: n }, () => 'unknown');
    let promptTokens = 0; let completionTokens = 0;
    const seen = new Set<number>();
    for await (const chunk of stream) {
      for (const c of chunk.choices ?? []) {
        const i = c.index ?? 0;
        if (i >= n) { continue; }
        seen.add(i);
        if (c.delta?.content) { texts[i] += c.delta.content; req.onDelta?.(offset + i, c.delta.content); }
        if (c.finish_reason) { finish[i] = c.finish_reason; }
      }
      if (chunk.usage) { promptTokens = chunk.usage.prompt_tokens; completionTokens = chunk.usage.completion_tokens; }
    }
    // Only the choices the endpoint sent: one that ignores `n` sends one, and the caller tops up the rest.
    const choices = [...seen].sort((a, b) => a - b).map((i) => ({ text: texts[i], finishReason: finish[i] }));
    return { choices, promptTokens, completionTokens, calls: 1 };
  }
}

function isBrokenBody(e: unknown): boolean {
  return e instanceof SyntaxError || (e instanceof TypeError && /terminated|other side closed/i.test(`${e.message} ${String(e.cause ?? '')}`));
}

function isFormatRejection(e: unknown): boolean {
  return e instanceof OpenAI.APIError && (e.status === 400 || e.status === 422) && /response_format|json_schema|json_object|structured/i.test(e.message);
}

export function withSchemaInstruction(messages: ChatMessage[], schema: Record<string, unknown>): ChatMessage[] {
  const note = `Reply with one JSON object only, no prose and no code fence, matching this JSON Schema:\n${JSON.stringify(schema)}`;
  const [first, ...rest] = messages;
  return first?.role === 'system' ? [{ role: 'system', content: `${first.content}\n\n${note}` }, ...rest] : [{ role: 'system', content: note }, ...messages];
}

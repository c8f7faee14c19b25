// Scripted OpenAI-compatible HTTP server on 127.0.0.1 for tests: deterministic replies, recorded requests, fault
// injection, and server-family profiles (what each family refuses, where it puts reasoning, how it reports usage).
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ServerProfile } from './server-profiles/profile';
import { shapeChoice, type ShapedChoice } from './server-profiles/shape';
import { batchEndpoints, type BatchEndpoints } from './batch-endpoints';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body is whatever JSON the client sent; tests read its fields
  body: any;
  model?: string;
  messages?: { role: string; content: string }[];
  n: number;
  stream: boolean;
  responseFormat?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
  schemaName?: string;
  receivedAt: number;
  /** HTTP status the server answered with; undefined for hang/reset or a client that left first. */
  status?: number;
  /** The latency the server charged this request (ms), once it has answered. */
  chargedMs?: number;
}
export type FinishReason = 'stop' | 'length' | 'content_filter';
export interface ScriptedChoice {
  content: string;
  finishReason?: FinishReason;
  refusal?: string;
}
export interface OkReply {
  kind?: 'ok';
  choices?: ScriptedChoice[];
  content?: string;
  finishReason?: FinishReason;
  refusal?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  latencyMs?: number;
  streamChunkDelayMs?: number;
}
export interface ErrorReply {
  kind: 'error';
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  latencyMs?: number;
}
export type ScriptedReply =
  | OkReply
  | ErrorReply
  | { kind: 'malformed'; latencyMs?: number }
  | { kind: 'truncated'; latencyMs?: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Status 200, then a piece of text every `intervalMs`, never finishing (streamed as chunks, else as body bytes). */
  | { kind: 'trickle'; intervalMs: number };
export type Responder = (req: RecordedRequest, ctx: { choiceIndex: number; callIndex: number }) => ScriptedReply | Promise<ScriptedReply>;
export interface ScriptedServerOptions {
  respond: Responder;
  models?: string[];
  apiKey?: string;
  maxConcurrent?: number;
  retryAfterSeconds?: number;
  supportsJsonSchema?: boolean;
  defaultLatencyMs?: number;
  /** Behave as this server family: its refusals, `n`, token budget, reasoning, stream usage and error bodies. */
  profile?: ServerProfile;
  /** Listen on this port (a server brought back after an outage at the address its clients know); default: any free one. */
  port?: number;
  /**
   * Prompt caching as OpenAI reports it: a prompt that repeats an earlier prompt's beginning (same model, exact prefix of
   * the rendered messages) has that prefix cached, counted only from `minTokens` (1024) and in steps of `step` (128)
   * tokens, in `usage.prompt_tokens_details.cached_tokens`.
   */
  promptCache?: { minTokens?: number; step?: number };
  /** Status requests a batch stays in progress for before its lines are answered (default 2). */
  batchInProgressPolls?: number;
}
export interface ScriptedServer {
  baseURL: string;
  requests: RecordedRequest[];
  inFlight(): number;
  /** Most HTTP requests open at once (rejected ones included): how hard the client pushed. */
  maxInFlightSeen: number;
  /** Milliseconds summed over admitted chat requests from admission to their response's end: how busy the endpoint was. */
  admittedMs: number;
  setResponder(r: Responder): void;
  failNext(count: number, reply: ScriptedReply): void;
  reset(): void;
  close(): Promise<void>;
  /** The files and batches endpoints: uploads and batches seen, faults to inject (see batch-endpoints.ts). */
  batch: BatchEndpoints;
}

export function jsonReply(obj: unknown, extra?: Partial<Omit<OkReply, 'kind' | 'content'>>): OkReply {
  return { ...extra, kind: 'ok', content: JSON.stringify(obj) };
}

export function errorBody(message: string, type = 'invalid_request_error', param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

const tokens = (chars: number) => Math.ceil(chars / 4);

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return content == null ? '' : JSON.stringify(content);
}

function record(req: http.IncomingMessage, raw: string): RecordedRequest {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever JSON the client sent
  let body: any;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = undefined;
  }
  const rf = body?.response_format;
  return {
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0],
    headers: { ...req.headers },
    body,
    model: typeof body?.model === 'string' ? body.model : undefined,
    messages: Array.isArray(body?.messages)
      ? body.messages.map((m: { role?: unknown; content?: unknown }) => ({ role: String(m?.role), content: textOf(m?.content) }))
      : undefined,
    n: typeof body?.n === 'number' ? body.n : 1,
    stream: body?.stream === true,
    responseFormat: rf && typeof rf === 'object' ? rf : undefined,
    schemaName: typeof rf?.json_schema?.name === 'string' ? rf.json_schema.name : undefined,
    receivedAt: Date.now(),
  };
}

// Word-boundary split into about three pieces, so clients must really concatenate deltas.
function pieces(content: string): string[] {
  const words = content.match(/\s*\S+\s*/g) ?? [content];
  const size = Math.max(1, Math.ceil(words.length / 3));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out.length ? out : [''];
}

export async function startScriptedServer(opts: ScriptedServerOptions): Promise<ScriptedServer> {
  let responder = opts.respond;
  let faults: ScriptedReply[] = [];
  let open = 0;
  let admitted = 0; // chat requests past the concurrency gate, still being answered
  let callCounter = 0;
  const sockets = new Set<Socket>();
  const responses = new Set<http.ServerResponse>();
  const models = opts.models ?? ['scripted-model'];
  /** Earlier prompts per model, as rendered for the prompt cache (the most recent few hundred). */
  const cached = new Map<string, string[]>();
  const cachedTokensFor = (model: string, messages: Array<{ role: string; content: string }>): number | undefined => {
    if (!opts.promptCache) {
      return undefined;
    }
    const rendered = messages.map((m) => `<|${m.role}|>${m.content}`).join('');
    const earlier = cached.get(model) ?? [];
    let best = 0;
    for (const p of earlier) {
      const max = Math.min(p.length, rendered.length);
      let i = 0;
      while (i < max && p.charCodeAt(i) === rendered.charCodeAt(i)) {
        i++;
      }
      best = Math.max(best, i);
    }
    earlier.push(rendered);
    if (earlier.length > 256) {
      earlier.shift();
    }
    cached.set(model, earlier);
    const { minTokens = 1024, step = 128 } = opts.promptCache;
    const prefix = Math.floor(best / 4);
    return prefix >= minTokens ? Math.floor(prefix / step) * step : 0;
  };

  // A throwing responder becomes a visible 500 rather than a silent reset the SDK would retry quietly.
  const server = http.createServer(
    (req, res) =>
      void handle(req, res).catch((err: unknown) => {
        if (res.headersSent || res.destroyed) return void res.destroy();
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody(`Scripted server failure: ${err instanceof Error ? err.message : String(err)}`, 'server_error')));
      }),
  );
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, s) => s.destroy());

  const api: ScriptedServer = {
    baseURL: '',
    requests: [],
    inFlight: () => open,
    maxInFlightSeen: 0,
    admittedMs: 0,
    batch: batchEndpoints(() => `${api.baseURL}/chat/completions`, { inProgressPolls: opts.batchInProgressPolls }),
    setResponder: (r) => {
      responder = r;
    },
    failNext: (count, reply) => {
      for (let i = 0; i < count; i++) faults.push(reply);
    },
    reset: () => {
      api.requests.length = 0;
      faults = [];
      callCounter = 0;
      api.maxInFlightSeen = open;
    },
    // Resolves only once every open response has closed, so inFlight() is 0 afterwards.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const ended = [...responses].map((r) => new Promise((resolve) => r.once('close', resolve)));
      for (const s of sockets) s.destroy();
      await Promise.all([closed, ...ended]);
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    open++;
    api.maxInFlightSeen = Math.max(api.maxInFlightSeen, open);
    let gone = false;
    let gated = false;
    let admittedAt = 0;
    responses.add(res);
    res.on('close', () => {
      gone = true;
      open--;
      responses.delete(res);
      if (gated) {
        admitted--;
        api.admittedMs += performance.now() - admittedAt;
      }
    });
    res.on('error', () => {});
    req.on('error', () => {});

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const rec = record(req, raw.toString('utf8'));
    api.requests.push(rec);

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, raw = false) => {
      if (gone) return;
      rec.status = status;
      const text = raw ? String(body) : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomUUID()}`, ...headers });
      res.end(text);
    };
    // Resolves false when the client went away during the wait.
    const wait = (ms: number) =>
      new Promise<boolean>((resolve) => {
        if (ms <= 0 || gone) return resolve(!gone);
        const onClose = () => {
          clearTimeout(t);
          resolve(false);
        };
        const t = setTimeout(() => {
          res.off('close', onClose);
          resolve(!gone);
        }, ms);
        res.once('close', onClose);
      });

    const auth = req.headers.authorization;
    if (opts.apiKey !== undefined && auth !== `Bearer ${opts.apiKey}`) {
      return send(401, errorBody('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key'));
    }
    if (req.method === 'GET' && rec.path === '/v1/models') {
      const created = Math.floor(Date.now() / 1000);
      return send(200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: opts.profile?.ownedBy ?? 'scripted' })) });
    }
    if (await api.batch.handle(req, rec.path, raw, (status, body, asText) => send(status, body, {}, asText))) {
      return;
    }
    if (req.method !== 'POST' || rec.path !== '/v1/chat/completions') {
      return send(404, errorBody(`Unknown request URL: ${req.method} ${rec.path}`, 'invalid_request_error', null, 'unknown_url'));
    }
    if (rec.body === undefined || typeof rec.body !== 'object') {
      return send(400, errorBody('We could not parse the JSON body of your request.'));
    }
    if (opts.maxConcurrent !== undefined && admitted >= opts.maxConcurrent) {
      const secs = opts.retryAfterSeconds ?? 1;
      return send(429, errorBody('Too many concurrent requests.', 'rate_limit_error', null, 'rate_limit_exceeded'), { 'retry-after': String(secs) });
    }
    gated = true;
    admittedAt = performance.now();
    admitted++;
    if (opts.supportsJsonSchema === false && rec.responseFormat?.type === 'json_schema') {
      return send(400, errorBody("response_format type 'json_schema' is not supported by this server", 'invalid_request_error', 'response_format'));
    }

    const profile = opts.profile;
    const refused = profile?.refuse?.(rec);
    if (refused) return send(refused.status, refused.body, refused.headers);

    const callIndex = callCounter++;
    const replies: ScriptedReply[] = [];
    const fault = faults.shift();
    // A server that ignores `n` answers once.
    const wanted = profile?.n === 'ignored' ? 1 : rec.n;
    if (fault) replies.push(fault);
    else {
      replies.push(await responder(rec, { choiceIndex: 0, callIndex }));
      const first = replies[0] as OkReply;
      if ((first.kind ?? 'ok') === 'ok' && !first.choices) {
        for (let i = 1; i < wanted; i++) replies.push(await responder(rec, { choiceIndex: i, callIndex }));
      }
    }
    // A non-ok reply for any choice decides the whole request.
    const reply = replies.find((r) => (r.kind ?? 'ok') !== 'ok') ?? replies[0];

    if (reply.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (reply.kind === 'hang') return;
    if (reply.kind === 'trickle') {
      rec.status = 200;
      res.writeHead(200, { 'content-type': rec.stream ? 'text/event-stream' : 'application/json' });
      const piece = () =>
        rec.stream
          ? `data: ${JSON.stringify({ id: 'chatcmpl-trickle', object: 'chat.completion.chunk', created: 0, model: rec.model, choices: [{ index: 0, delta: { content: 'more ' }, finish_reason: null }] })}\n\n`
          : ' ';
      if (!rec.stream) res.write('{"id": "chatcmpl-trickle", "choices": [');
      while (!gone) {
        res.write(piece());
        if (!(await wait(reply.intervalMs))) return;
      }
      return;
    }
    const latency = Math.max(...replies.map((r) => ('latencyMs' in r && r.latencyMs !== undefined ? r.latencyMs : (opts.defaultLatencyMs ?? 0))));
    rec.chargedMs = latency;
    if (!(await wait(latency))) return;

    if (reply.kind === 'error') {
      const body = reply.body ?? errorBody(`Scripted error ${reply.status}`, reply.status >= 500 ? 'server_error' : 'invalid_request_error');
      // A profiled server words the script's errors its own way.
      const e = (body as { error?: { message?: string; param?: string | null; code?: string | null } }).error;
      return send(reply.status, profile && e?.message ? profile.errorBody(reply.status, e.message, e.param, e.code) : body, reply.headers);
    }

    const oks = replies as OkReply[];
    const scripted: ScriptedChoice[] = oks[0].choices ?? oks.map((r) => ({ content: r.content ?? '', finishReason: r.finishReason, refusal: r.refusal }));
    const choices = profile ? scripted.slice(0, wanted) : scripted;
    const shaped: ShapedChoice[] | undefined = profile ? choices.map((c) => shapeChoice(profile, rec, c)) : undefined;
    const model = rec.model ?? models[0];
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = tokens((rec.messages ?? []).reduce((a, m) => a + m.content.length, 0));
    const completionTokens = shaped ? shaped.reduce((a, c) => a + c.completionTokens, 0) : tokens(choices.reduce((a, c) => a + c.content.length, 0));
    const u = oks[0].usage ?? { prompt_tokens: promptTokens, completion_tokens: completionTokens };
    const usage: Record<string, unknown> = {
      prompt_tokens: u.prompt_tokens,
      completion_tokens: u.completion_tokens,
      total_tokens: u.prompt_tokens + u.completion_tokens,
    };
    if (shaped && profile?.reportsReasoningTokens) usage.completion_tokens_details = { reasoning_tokens: shaped.reduce((a, c) => a + c.reasoningTokens, 0) };
    const cachedTokens = cachedTokensFor(model, rec.messages ?? []);
    if (cachedTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: Math.min(cachedTokens, u.prompt_tokens) };

    if (!rec.stream) {
      const completion = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: choices.map((c, index) => ({
          index,
          message: shaped ? shaped[index].message : { role: 'assistant', content: c.content, refusal: c.refusal ?? null },
          finish_reason: shaped ? shaped[index].finishReason : (c.finishReason ?? 'stop'),
          logprobs: null,
        })),
        usage,
      };
      const text = JSON.stringify(completion);
      if (reply.kind === 'malformed') return send(200, '{"id": "chatcmpl-broken", <html>not json', {}, true);
      if (reply.kind === 'truncated') return sendTruncated(text, 'application/json');
      return send(200, completion);
    }

    const chunk = (choicesPart: unknown[], extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: choicesPart, ...profile?.chunkExtras?.(), ...extra })}\n\n`;
    const events = shaped && profile ? profiledEvents(profile, shaped, chunk, usage, rec.body.stream_options?.include_usage === true) : plainEvents();
    function plainEvents(): string[] {
      const out: string[] = [];
      const split = choices.map((c) => pieces(c.content));
      const rounds = Math.max(...split.map((p) => p.length));
      // Interleave choices like OpenAI does, so clients must group deltas by index.
      for (let r = 0; r < rounds; r++) {
        split.forEach((p, index) => {
          if (r >= p.length) return;
          const delta =
            r === 0 ? { role: 'assistant', content: p[r], ...(choices[index].refusal ? { refusal: choices[index].refusal } : {}) } : { content: p[r] };
          out.push(chunk([{ index, delta, finish_reason: null, logprobs: null }]));
        });
      }
      choices.forEach((c, index) => out.push(chunk([{ index, delta: {}, finish_reason: c.finishReason ?? 'stop', logprobs: null }])));
      if (rec.body.stream_options?.include_usage) out.push(chunk([], { usage }));
      out.push('data: [DONE]\n\n');
      return out;
    }

    if (reply.kind === 'malformed') return send(200, 'data: {"id": not json\n\ndata: [DONE]\n\n', { 'content-type': 'text/event-stream' }, true);
    if (reply.kind === 'truncated') return sendTruncated(events.join(''), 'text/event-stream');

    rec.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': `req_${randomUUID()}` });
    const delay = oks[0].streamChunkDelayMs ?? 0;
    for (let i = 0; i < events.length; i++) {
      if (gone) return;
      res.write(events[i]);
      if (i < events.length - 1 && !(await wait(delay))) return;
    }
    res.end();

    function sendTruncated(text: string, contentType: string) {
      rec.status = 200;
      // Full content-length, half the bytes: the client sees a body that ends early, as with a dropped proxy connection.
      const buf = Buffer.from(text, 'utf8');
      res.writeHead(200, { 'content-type': contentType, 'content-length': String(buf.length) });
      res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => req.socket.destroy());
    }
  }

  /** A profiled stream: each choice's reasoning pieces, then its content pieces, then finish reasons and usage the family's way. */
  function profiledEvents(p: ServerProfile, shaped: ShapedChoice[], chunk: (c: unknown[], extra?: object) => string, usage: object, asked: boolean): string[] {
    const events: string[] = [];
    const field = p.reasoning === 'reasoning' || p.reasoning === 'reasoning_content' ? p.reasoning : undefined;
    shaped.forEach((s, index) => {
      events.push(chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]));
      for (const r of s.reasoningPieces) events.push(chunk([{ index, delta: { [field!]: r }, finish_reason: null, logprobs: null }]));
      for (const c of s.contentPieces) events.push(chunk([{ index, delta: { content: c }, finish_reason: null, logprobs: null }]));
    });
    shaped.forEach((s, index) => {
      const last = index === shaped.length - 1;
      const extra = last && p.streamUsage === 'final_chunk' ? { usage } : last && p.streamUsage === 'x_groq' ? { x_groq: { id: 'req_scripted', usage } } : {};
      events.push(chunk([{ index, delta: {}, finish_reason: s.finishReason, logprobs: null }], extra));
    });
    if (p.streamUsage === 'include_usage' && asked) events.push(chunk([], { usage }));
    events.push('data: [DONE]\n\n');
    return events;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  api.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return api;
}

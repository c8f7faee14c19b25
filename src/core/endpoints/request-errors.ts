// Request errors by kind: what an error body says (in any server's shape), whether the endpoint can be adapted to at
// once, whether it will recur (fatal) or pass (retried), and a message naming the role, host, model and the setting to
// change, with every credential taken out.
import type { Capabilities } from './capabilities';

export type ModelErrorKind =
  | 'auth'
  | 'quota'
  | 'rate_limit'
  | 'unreachable'
  | 'unknown_model'
  | 'not_found'
  | 'bad_request'
  | 'unsupported'
  | 'context_length'
  | 'content_filter'
  | 'server'
  | 'timeout'
  | 'cut_off'
  | 'aborted'
  | 'no_structured_output';

/** Kinds that recur on every request: the run stops at once instead of retrying another question. */
const FATAL: ReadonlySet<ModelErrorKind> = new Set([
  'auth',
  'quota',
  'unreachable',
  'unknown_model',
  'not_found',
  'bad_request',
  'unsupported',
  'context_length',
  'no_structured_output',
  'aborted',
]);

/** The code of a ModelError for a 200 reply that is not a chat completion (not JSON, no choices). */
export const MALFORMED_REPLY = 'malformed_reply';

/** A failure talking to a model, with a kind a person (and the orchestrator) can act on. */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    readonly setting?: string,
    /** The system error code of a connection that failed (ECONNREFUSED, ENOTFOUND, a certificate error). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
  /** Errors that end the run rather than one attempt: retrying another question cannot help. */
  get fatal(): boolean {
    return FATAL.has(this.kind);
  }
}

/** An error body reduced to OpenAI's shape, whatever shape the server used. */
export interface ErrorInfo {
  message: string;
  type?: string | null;
  param?: string | null;
  code?: string | number | null;
}

/** Consecutive characters of a secret that count as a piece of it (a key cut short, or shown as its start and end). */
const FRAGMENT = 6;

/**
 * Takes credentials out of text a server sent back or an error carries: the key itself and any piece of it of six
 * characters or more (a key echoed cut short, `sk-proj-abc…`), bearer and basic tokens, key-like strings, URL passwords.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) {
      out = out.split(s).join('***');
    }
    if (s && s.length > FRAGMENT) {
      out = withoutFragments(out, s);
    }
  }
  return out
    .replace(/(authorization["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',}]+/gi, '$1$2***')
    .replace(/\bbearer\s+[A-Za-z0-9._~+/=-]{4,}/gi, 'Bearer ***')
    .replace(/\bbasic\s+[A-Za-z0-9+/=]{6,}/gi, 'Basic ***')
    .replace(/\b(sk|pk|rk|gsk|xai|fw)[-_][A-Za-z0-9_-]{8,}/g, '$1-***')
    .replace(/((?:api[-_]?key|x-api-key|access[-_]?token|token)["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi, '$1***')
    .replace(/(\/\/)[^/@\s]+@/g, '$1');
}

/** Replaces every run of at least FRAGMENT characters that is a piece of `secret` (longest runs first, left to right). */
function withoutFragments(text: string, secret: string): string {
  const pieces = new Set<string>();
  for (let i = 0; i + FRAGMENT <= secret.length; i++) {
    pieces.add(secret.slice(i, i + FRAGMENT));
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (i + FRAGMENT <= text.length && pieces.has(text.slice(i, i + FRAGMENT))) {
      let end = i + FRAGMENT;
      while (end < text.length && secret.includes(text.slice(i, end + 1))) {
        end++;
      }
      out += '***';
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

/** The error a body holds, in OpenAI's shape: vLLM's and SGLang's flat objects, FastAPI's `detail`, bare strings, text. */
export function errorInfoFrom(status: number, text: string, secrets: readonly string[] = []): ErrorInfo {
  const clean = (s: string) => redact(s, secrets).slice(0, 2000);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: clean(text.trim() || `HTTP ${status}`) };
  }
  const body = asObject(parsed);
  const str = (o: Json | undefined, k: string) => {
    const v = o?.[k];
    return typeof v === 'string' ? v : null;
  };
  const code = (o: Json | undefined) => {
    const v = o?.code;
    return typeof v === 'string' || typeof v === 'number' ? v : null;
  };
  const e = body?.error;
  const eo = asObject(e);
  if (eo) {
    const raw = asObject(eo.metadata)?.raw;
    const message = typeof eo.message === 'string' ? eo.message : JSON.stringify(eo.message ?? eo);
    return { message: clean(`${message}${typeof raw === 'string' ? ` (${raw})` : ''}`), type: str(eo, 'type'), param: str(eo, 'param'), code: code(eo) };
  }
  if (typeof e === 'string') {
    return { message: clean(e) };
  }
  if (typeof body?.message === 'string') {
    return { message: clean(body.message), type: str(body, 'type'), param: str(body, 'param'), code: code(body) };
  }
  if (typeof body?.detail === 'string') {
    return { message: clean(body.detail) };
  }
  if (Array.isArray(body?.detail)) {
    return {
      message: clean(
        body.detail
          .map((d: unknown) => {
            const o = asObject(d);
            return `${Array.isArray(o?.loc) ? o.loc.join('.') : ''}: ${typeof o?.msg === 'string' ? o.msg : JSON.stringify(d)}`;
          })
          .join('; '),
      ),
    };
  }
  return { message: clean(text.slice(0, 500)) };
}

const PARAMS = ['max_completion_tokens', 'max_tokens', 'temperature', 'stream_options', 'response_format', 'json_schema', 'seed'];
const CONTEXT = /maximum context length|context[_ ]length|context window|too many tokens|reduce the length|exceeds the (model|context)|prompt is too long/i;

/** The request parameter an error is about, from its `param` field or its wording (each server words it its own way). */
export function rejectedParam(info: ErrorInfo): string | undefined {
  const m = info.message;
  if (/only one completion choice|only n ?= ?1|n must be 1|'n'\s*:\s*number must be at most 1|\bn_choices\b|\bnumber of choices\b/i.test(m)) {
    return 'n';
  }
  const patterns = [
    /Unsupported (?:parameter|value):\s*'([\w.[\]]+)'/i,
    /Unrecognized request argument supplied:\s*['"]?([\w.]+)/i,
    /Unknown parameter:\s*'([\w.]+)'/i,
    /Unsupported param(?:eter)?s?:\s*\[?\s*['"]?([\w.]+)/i,
    /Illegal param:\s*"?([\w.]+)/i,
    /does not support parameters?:\s*\[?\s*['"]?([\w.]+)/i,
    /\(\s*['"]([\w.]+)['"]\s+was unexpected\s*\)/,
    /['"]([\w.]+)['"]\s*:\s*(?:number must|Extra inputs are not permitted)/i,
    /\bbody\.([\w.]+):\s*Extra inputs are not permitted/i,
  ];
  for (const p of patterns) {
    const hit = p.exec(m)?.[1];
    if (hit) {
      return hit;
    }
  }
  const param = typeof info.param === 'string' && info.param && info.param !== 'None' ? info.param : undefined;
  if (param) {
    return param;
  }
  return PARAMS.find((p) => new RegExp(`\\b${p}\\b`).test(m));
}

export interface Adaptation {
  patch: Partial<Capabilities>;
  note: string;
  field: keyof Capabilities;
}

/**
 * How to change the request so the endpoint accepts it, for an error that names something the request sent, or
 * undefined when the error is not about a parameter (or about one that was not sent: adapting again cannot help).
 */
export function adaptationFor(status: number | undefined, info: ErrorInfo, sent: Record<string, unknown>, caps: Capabilities): Adaptation | undefined {
  if (status === undefined || !(status === 400 || status === 422 || status >= 500)) {
    return undefined;
  }
  const param = rejectedParam(info) ?? '';
  const said = info.message.slice(0, 200);
  if (CONTEXT.test(info.message)) {
    if (caps.reasons && caps.reasoningAllowance > 0) {
      return {
        field: 'reasoningAllowance',
        patch: { reasoningAllowance: 0 },
        note: `the context cannot hold the reasoning allowance: none from now on (${said})`,
      };
    }
    return undefined;
  }
  if (status >= 500 && !param) {
    return undefined;
  }
  const fmt = sent.response_format as { type?: string } | undefined;
  if (param === 'max_tokens' && sent.max_tokens !== undefined) {
    return {
      field: 'tokenLimit',
      patch: { tokenLimit: 'max_completion_tokens' },
      note: `rejects max_tokens: the budget goes in max_completion_tokens (${said})`,
    };
  }
  if (param === 'max_completion_tokens' && sent.max_completion_tokens !== undefined) {
    return { field: 'tokenLimit', patch: { tokenLimit: 'max_tokens' }, note: `rejects max_completion_tokens: the budget goes in max_tokens (${said})` };
  }
  if (param === 'temperature' && sent.temperature !== undefined) {
    return { field: 'temperature', patch: { temperature: 'default_only' }, note: `takes only its default temperature: none is sent (${said})` };
  }
  if (param === 'n' && typeof sent.n === 'number' && sent.n > 1) {
    return { field: 'n', patch: { n: 'rejected' }, note: `rejects n > 1: samples are asked for in parallel requests (${said})` };
  }
  if (param.startsWith('stream_options') && sent.stream_options !== undefined) {
    return { field: 'streamUsage', patch: { streamUsage: 'none' }, note: `rejects stream_options: stream usage is estimated (${said})` };
  }
  if (param === 'seed' && sent.seed !== undefined) {
    return { field: 'seed', patch: { seed: false }, note: `rejects seed (${said})` };
  }
  if (/^messages\[\d+\]\.role$/.test(param) || (/'system'/.test(info.message) && /role/.test(info.message))) {
    return { field: 'systemMessage', patch: { systemMessage: false }, note: `takes no system message: instructions open the first user message (${said})` };
  }
  if (
    (param.startsWith('response_format') ||
      param.startsWith('json_schema') ||
      /response_format|json_schema|json_object|structured output/i.test(info.message)) &&
    fmt?.type
  ) {
    const next = fmt.type === 'json_schema' ? 'json_object' : 'none';
    return {
      field: 'responseFormat',
      patch: { responseFormat: next },
      note: `rejects response_format ${fmt.type}: ${next === 'none' ? 'the schema goes in the prompt' : 'JSON mode with the schema in the prompt'} (${said})`,
    };
  }
  return undefined;
}

/** Errors worth no retry even though their status says so: a 5xx that names a parameter, a 429 for an empty account. */
export function isPermanent(status: number, info: ErrorInfo): boolean {
  if (status === 429) {
    return info.code === 'insufficient_quota' || /exceeded your current quota|insufficient[_ ]quota|billing/i.test(info.message);
  }
  return status >= 500 && rejectedParam(info) !== undefined && /support|allowed|illegal|unrecogni[sz]ed|unknown param|not permitted/i.test(info.message);
}

export interface ErrorContext {
  role?: string;
  /** `host/path` of the endpoint (never with credentials). */
  host: string;
  /** Absent for requests that are not about one model (listing the models). */
  model?: string;
  /** No API key went with the request: a 401 then means one is needed, not that one was refused. */
  keyless?: boolean;
}

/** "judge (o3-mini at api.openai.com/v1)": who failed, for the start of every message. */
export function who(ctx: ErrorContext): string {
  return `${ctx.role ? `${ctx.role} ` : ''}(${ctx.model ? `${ctx.model} at ` : ''}${ctx.host})`;
}

/** The setting path for a role's field, the same in the editor (`autodata.roles.<role>.…`) and the CLI config (`roles.<role>.…`). */
export function roleSetting(role: string | undefined, field: string): string {
  return role ? `roles.${role}.${field}` : field;
}

/** The message and kind for an HTTP error status from an endpoint, once adapting and retrying are done. */
export function statusError(status: number, info: ErrorInfo, ctx: ErrorContext, sent?: Record<string, unknown>): ModelError {
  const w = who(ctx);
  const detail = info.message.replace(/^\d{3}\s*/, '').replace(/[.\s]+$/, '');
  if ((status === 401 || status === 403) && ctx.keyless) {
    const origin = ctx.host.split('/')[0];
    return new ModelError(
      'auth',
      `${w} needs an API key (${status}) and no key is stored for ${origin}: ${detail}. Set the API key for ${origin}.`,
      status,
      'API key',
    );
  }
  if (status === 401 || status === 403) {
    return new ModelError('auth', `${w} refused the API key (${status}): ${detail}. Set the API key for ${ctx.host.split('/')[0]}.`, status, 'API key');
  }
  if (status === 402 || (status === 429 && isPermanent(status, info))) {
    return new ModelError(
      'quota',
      `${w} is out of credit or quota (${status}): ${detail}. Add credit or pick another endpoint (${roleSetting(ctx.role, 'baseUrl')}).`,
      status,
      roleSetting(ctx.role, 'baseUrl'),
    );
  }
  if (
    status === 404 ||
    (status === 400 && /model/i.test(detail) && /not (found|exist)|does not exist|invalid model|unknown model|no such model|not available/i.test(detail))
  ) {
    if (status === 404 && !/model/i.test(detail) && info.code !== 'model_not_found') {
      return new ModelError(
        'not_found',
        `${w} has no chat completions endpoint here (${status}): ${detail}. Check ${roleSetting(ctx.role, 'baseUrl')} (OpenAI-compatible servers usually end in /v1).`,
        status,
        roleSetting(ctx.role, 'baseUrl'),
      );
    }
    return new ModelError(
      'unknown_model',
      `${w} does not know this model (${status}): ${detail}. Pick a model the endpoint lists (${roleSetting(ctx.role, 'model')}).`,
      status,
      roleSetting(ctx.role, 'model'),
    );
  }
  if (status === 429) {
    return new ModelError('rate_limit', `${w} is rate-limiting requests (429) and retries ran out: ${detail}. Lower requestConcurrency or try later.`, status);
  }
  if (status === 408 || status >= 500) {
    const param = status >= 500 ? rejectedParam(info) : undefined;
    if (param && isPermanent(status, info)) {
      return unsupported(status, detail, param, ctx, sent);
    }
    return new ModelError('server', `${w} failed (${status}): ${detail}`, status);
  }
  if (CONTEXT.test(detail)) {
    return new ModelError(
      'context_length',
      `${w} cannot fit the prompt and the token budget in its context (${status}): ${detail}. Lower ${roleSetting(ctx.role, 'maxTokens')} or sectionMaxChars, or give the server a longer context.`,
      status,
      roleSetting(ctx.role, 'maxTokens'),
    );
  }
  if (info.code === 'content_filter' || /content (management )?(policy|filter)|usage polic|flagged/i.test(detail)) {
    return new ModelError('content_filter', `${w} filtered the request (${status}): ${detail}`, status);
  }
  const param = rejectedParam(info);
  if (param) {
    return unsupported(status, detail, param, ctx, sent);
  }
  return new ModelError(
    'bad_request',
    `${w} rejected the request (${status}): ${detail}. Check the endpoint's settings for ${ctx.role ?? 'this role'} (${roleSetting(ctx.role, 'model')}, and the endpoints override for ${ctx.host.split('/')[0]}).`,
    status,
    'endpoints',
  );
}

function unsupported(status: number, detail: string, param: string, ctx: ErrorContext, sent?: Record<string, unknown>): ModelError {
  const w = who(ctx);
  const where = `endpoints["${ctx.host.split('/')[0]}${ctx.model ? `/${ctx.model}` : ''}"]`;
  const fix: Record<string, string> = {
    temperature: `set ${where}.temperature to "default_only", or pick another model for ${ctx.role ?? 'this role'}`,
    max_tokens: `set ${where}.tokenLimit to "max_completion_tokens"`,
    max_completion_tokens: `set ${where}.tokenLimit to "max_tokens"`,
    n: `set ${where}.n to "rejected"`,
    stream_options: `set ${where}.streamUsage to "none"`,
    response_format: 'set structuredOutput to "auto" (or "none")',
  };
  const sentValue = sent && param in sent ? ` (sent ${JSON.stringify(sent[param]).slice(0, 60)})` : '';
  return new ModelError(
    'unsupported',
    `${w} rejects ${param}${sentValue} (${status}): ${detail}. ${fix[param] ? `To fix: ${fix[param]}.` : `Remove or change ${param} for this endpoint in ${where}.`}`,
    status,
    where,
  );
}

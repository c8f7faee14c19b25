// Asks a model for JSON that must pass a zod schema: extraction from prose, validation, and one repair retry.
import { z } from 'zod';
import { splitReasoning } from './endpoints/reasoning';
import type { ChatChoice, ChatMessage, ChatModel, ChatRequest } from './models';

/** The model's reply could not be turned into a valid object, even after the repair retry. */
export class StructuredOutputError extends Error {
  constructor(
    message: string,
    readonly raw: string,
  ) {
    super(message);
    this.name = 'StructuredOutputError';
  }
}

export interface JsonCall<T> {
  model: ChatModel;
  name: string;
  schema: z.ZodType<T>;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Reports the tokens of every call made, including the repair. */
  onUsage: (u: { promptTokens: number; completionTokens: number; calls: number }) => void;
}

const schemaCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/** JSON Schema for response_format: keywords some endpoints reject in strict mode are left to zod to enforce. */
export function wireSchema(schema: z.ZodType): Record<string, unknown> {
  let out = schemaCache.get(schema);
  if (!out) {
    out = JSON.parse(
      JSON.stringify(z.toJSONSchema(schema, { target: 'draft-7' }), (k, v) => (k === '$schema' || k === 'minLength' || k === 'maxLength' ? undefined : v)),
    ) as Record<string, unknown>;
    schemaCache.set(schema, out);
  }
  return out;
}

/** The first JSON object in a reply, tolerating reasoning before it (braces and all), code fences and prose around it. */
export function extractJson(text: string): unknown {
  const trimmed = splitReasoning(text).content.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    /* look for an object inside */
  }
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fenced) {
    try {
      return JSON.parse(fenced[1]);
    } catch {
      /* fall through */
    }
  }
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start) {
    return JSON.parse(trimmed.slice(start, end + 1));
  }
  throw new SyntaxError('no JSON object found in the reply');
}

function problem({ text, finishReason, refusal, failure }: ChatChoice, schema: z.ZodType): { value?: unknown; error?: string; final?: boolean } {
  if (refusal) {
    return { error: `the model refused: ${refusal}` };
  }
  // The endpoint layer already asked again with a larger budget: a repair with the same one would be spent the same way.
  if (failure) {
    return { error: failure, final: true };
  }
  if (!text.trim()) {
    return { error: finishReason === 'length' ? 'the reply was empty (the token budget ran out)' : 'the reply was empty' };
  }
  let data: unknown;
  try {
    data = extractJson(text);
  } catch (e) {
    return { error: `${finishReason === 'length' ? 'the reply was cut off at max_tokens; ' : ''}the reply is not valid JSON (${(e as Error).message})` };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return { error: z.prettifyError(parsed.error) };
  }
  const long = oversized(parsed.data);
  if (long) {
    return { error: `the field ${long.path || '(the reply)'} is ${long.length} characters long, over the limit of ${MAX_FIELD_CHARS}: keep it shorter` };
  }
  return { value: parsed.data };
}

/** The longest a text field of a role's JSON reply may be (a question, a reference answer, a criterion, a reason). */
export const MAX_FIELD_CHARS = 32_000;

/** The first string in a value longer than MAX_FIELD_CHARS, with its path. */
function oversized(v: unknown, path = ''): { path: string; length: number } | undefined {
  if (typeof v === 'string') {
    return v.length > MAX_FIELD_CHARS ? { path, length: v.length } : undefined;
  }
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const hit = oversized(x, `${path}[${i}]`);
      if (hit) {
        return hit;
      }
    }
    return undefined;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const hit = oversized(x, path ? `${path}.${k}` : k);
      if (hit) {
        return hit;
      }
    }
  }
  return undefined;
}

export async function completeJson<T>(call: JsonCall<T>): Promise<T> {
  const base: ChatRequest = {
    messages: call.messages,
    temperature: call.temperature,
    maxTokens: call.maxTokens,
    signal: call.signal,
    json: { name: call.name, schema: wireSchema(call.schema) },
  };
  const first = await call.model.complete(base);
  call.onUsage(first);
  const c1 = first.choices[0];
  const r1 = problem(c1, call.schema);
  if (r1.error === undefined) {
    return r1.value as T;
  }
  if (r1.final) {
    throw new StructuredOutputError(`${call.name}: ${r1.error}`, c1.text);
  }
  // One repair: show the model its reply and exactly what was wrong with it.
  const repair: ChatRequest = {
    ...base,
    maxTokens: c1.finishReason === 'length' && call.maxTokens ? call.maxTokens * 2 : call.maxTokens,
    messages: [
      ...call.messages,
      { role: 'assistant', content: c1.text.slice(0, 20_000) },
      { role: 'user', content: `Your reply could not be used: ${r1.error}\nReply again with one corrected JSON object only.` },
    ],
  };
  const second = await call.model.complete(repair);
  call.onUsage(second);
  const c2 = second.choices[0];
  const r2 = problem(c2, call.schema);
  if (r2.error === undefined) {
    return r2.value as T;
  }
  throw new StructuredOutputError(`${call.name}: ${r2.error} (after one repair; first error: ${r1.error})`, c2.text);
}

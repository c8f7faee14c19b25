// Checks an endpoint before a run: which models it lists, and whether a role's model answers (and with JSON).
import OpenAI from 'openai';
import { z } from 'zod';
import type { EndpointConfig } from './config';
import { ModelError, OpenAICompatibleModel, toModelError, type ChatModel } from './models';
import { completeJson } from './structured';

export interface ConnectionReport {
  ok: boolean;
  /** What a person reads: "OK, JSON schema output" or the failure and what to do. */
  message: string;
  kind?: ModelError['kind'];
  structured?: 'json_schema' | 'json_object' | 'none';
  ms: number;
}

export async function listModels(baseURL: string, apiKey: string, signal?: AbortSignal): Promise<string[]> {
  const client = new OpenAI({ baseURL, apiKey: apiKey || 'none', maxRetries: 1, timeout: 15_000 });
  try {
    const ids: string[] = [];
    for await (const m of client.models.list({ signal })) { ids.push(m.id); }
    return ids.sort();
  } catch (e) {
    throw toModelError(e, new URL(baseURL).host);
  }
}

const Ping = z.strictObject({ ok: z.boolean() });

const ADVICE: Partial<Record<ModelError['kind'], string>> = {
  auth: 'Check the API key (Autodata: Set API Key).',
  unreachable: 'Check the base URL and that the server is running.',
  unknown_model: 'Pick a model the endpoint lists (Autodata: Configure Models).',
  timeout: 'The endpoint is slow or overloaded; try again or raise autodata.requestTimeoutSeconds.',
  rate_limit: 'The endpoint is rate-limiting; try again later or lower autodata.requestConcurrency.',
};

/** One tiny request with a JSON reply to an OpenAI-compatible endpoint; reports how structured output was obtained. */
export function testConnection(cfg: EndpointConfig, apiKey: string, signal?: AbortSignal): Promise<ConnectionReport> {
  const model = new OpenAICompatibleModel({ ...cfg, maxTokens: 64 }, { apiKey, maxRetries: 1, timeoutMs: 30_000 });
  return testChatModel(model, () => model.structuredMode, signal);
}

/** The same check for any ChatModel; `structured` says how it was asked for JSON (prompt only, when absent). */
export async function testChatModel(model: ChatModel, structuredMode: () => 'json_schema' | 'json_object' | 'none' = () => 'none', signal?: AbortSignal): Promise<ConnectionReport> {
  const t0 = Date.now();
  const cfg = { model: model.model, baseURL: `http://${model.endpoint}` };
  try {
    await completeJson({ model, name: 'ping', schema: Ping, messages: [{ role: 'user', content: 'Reply with {"ok": true}.' }], temperature: 0, maxTokens: 64, signal, onUsage: () => undefined });
    const structured = structuredMode();
    const how = structured === 'json_schema' ? 'JSON schema output' : structured === 'json_object' ? 'JSON mode (no JSON schema support; replies are validated and repaired)' : 'plain text with JSON extraction (no structured-output support; replies are validated and repaired)';
    return { ok: true, message: `OK: ${cfg.model} answers with ${how}`, structured, ms: Date.now() - t0 };
  } catch (e) {
    const err = e instanceof ModelError ? e : e instanceof Error && e.name === 'StructuredOutputError'
      ? new ModelError('bad_request', `${cfg.model} did not return valid JSON even after a repair: ${e.message}`) : toModelError(e, model.endpoint);
    return { ok: false, kind: err.kind, message: `${err.message}${ADVICE[err.kind] ? ` ${ADVICE[err.kind]}` : ''}`, ms: Date.now() - t0 };
  }
}

// Checks an endpoint before a run: which models it lists (and what server that reveals), whether a role's model
// answers with JSON, and, on request, what it does with `n` and streams: its capability profile, with the fix for each failure.
import OpenAI from 'openai';
import { z } from 'zod';
import type { EndpointConfig } from './config';
import type { EndpointOverrides, EndpointProfile, Family } from './endpoints/capabilities';
import { familyFromModelList } from './endpoints/families';
import type { EndpointProfiles } from './endpoints/profiles';
import { guardedFetch } from './endpoints/transport';
import { ModelError, OpenAICompatibleModel, toModelError, type ChatModel } from './models';
import { completeJson } from './structured';
import { sentences } from '../shared/text';

export interface ConnectionReport {
  ok: boolean;
  /** What a person reads: "OK, JSON schema output" or the failure and what to do. */
  message: string;
  kind?: ModelError['kind'];
  structured?: 'json_schema' | 'json_object' | 'none';
  /** What the endpoint accepts and returns, as far as known after the check (OpenAI-compatible endpoints only). */
  profile?: EndpointProfile;
  ms: number;
}

export interface ListedModel {
  id: string;
  owned_by?: string;
}

/** The endpoint's models with their owners, which give away the server family. */
export async function listModelEntries(baseURL: string, apiKey: string, signal?: AbortSignal): Promise<ListedModel[]> {
  const client = new OpenAI({
    baseURL,
    apiKey: apiKey || 'none',
    maxRetries: 1,
    timeout: 15_000,
    fetch: guardedFetch({ deadlineMs: 15_000, idleMs: 15_000, secrets: apiKey ? [apiKey] : [] }),
  });
  try {
    const out: ListedModel[] = [];
    for await (const m of client.models.list({ signal })) {
      out.push({ id: m.id, owned_by: m.owned_by });
    }
    return out;
  } catch (e) {
    throw toModelError(e, { host: new URL(baseURL).host, keyless: !apiKey }, apiKey);
  }
}

export async function listModels(baseURL: string, apiKey: string, signal?: AbortSignal): Promise<string[]> {
  return (await listModelEntries(baseURL, apiKey, signal)).map((m) => m.id).sort();
}

/** The server family a model listing reveals (vLLM, llama.cpp, SGLang, Ollama, LM Studio list themselves as owners). */
export function familyOfListing(models: readonly ListedModel[]): Family | undefined {
  return familyFromModelList(models);
}

const Ping = z.strictObject({ ok: z.boolean() });

const ADVICE: Partial<Record<ModelError['kind'], string>> = {
  auth: 'Use Autodata: Set API Key.',
  unreachable: 'Check the base URL and that the server is running.',
  unknown_model: 'Pick a model the endpoint lists (Autodata: Configure Models).',
  not_found: 'Check the base URL (it usually ends in /v1).',
  timeout: 'The endpoint is slow or overloaded; try again or raise autodata.requestTimeoutSeconds.',
  rate_limit: 'The endpoint is rate-limiting; try again later or lower autodata.requestConcurrency.',
  quota: 'Add credit to the account or pick another endpoint.',
};

export interface ConnectionOptions {
  signal?: AbortSignal;
  /** Also ask for two samples and a streamed reply, so the profile knows what the endpoint does with `n` and streams. */
  probe?: boolean;
  overrides?: EndpointOverrides;
  profiles?: EndpointProfiles;
  role?: string;
}

/** One tiny request with a JSON reply to an OpenAI-compatible endpoint; reports how structured output was obtained. */
export async function testConnection(cfg: EndpointConfig, apiKey: string, signalOrOptions?: AbortSignal | ConnectionOptions): Promise<ConnectionReport> {
  const o: ConnectionOptions = signalOrOptions instanceof AbortSignal ? { signal: signalOrOptions } : (signalOrOptions ?? {});
  const model = new OpenAICompatibleModel(
    { ...cfg, maxTokens: 64 },
    { apiKey, maxRetries: 1, timeoutMs: 30_000, overrides: o.overrides, profiles: o.profiles, role: o.role },
  );
  const report = await testChatModel(model, () => model.structuredMode, o.signal);
  if (report.ok && o.probe) {
    try {
      await model.complete({ messages: [{ role: 'user', content: 'Say OK.' }], n: 2, maxTokens: 16, signal: o.signal });
      await model.complete({ messages: [{ role: 'user', content: 'Say OK.' }], maxTokens: 16, signal: o.signal, onDelta: () => undefined });
    } catch (e) {
      const err = toModelError(e, model.endpoint);
      return { ...report, ok: false, kind: err.kind, message: sentences(err.message, ADVICE[err.kind]), profile: model.profile };
    }
  }
  return { ...report, profile: model.profile };
}

/** The same check for any ChatModel; `structured` says how it was asked for JSON (prompt only, when absent). */
export async function testChatModel(
  model: ChatModel,
  structuredMode: () => 'json_schema' | 'json_object' | 'none' = () => 'none',
  signal?: AbortSignal,
): Promise<ConnectionReport> {
  const t0 = Date.now();
  try {
    await completeJson({
      model,
      name: 'ping',
      schema: Ping,
      messages: [{ role: 'user', content: 'Reply with {"ok": true}.' }],
      temperature: 0,
      maxTokens: 64,
      signal,
      onUsage: () => undefined,
    });
    const structured = structuredMode();
    const how =
      structured === 'json_schema'
        ? 'JSON schema output'
        : structured === 'json_object'
          ? 'JSON mode (no JSON schema support; replies are validated and repaired)'
          : 'plain text with JSON extraction (no structured-output support; replies are validated and repaired)';
    return { ok: true, message: `OK: ${model.model} answers with ${how}`, structured, ms: Date.now() - t0 };
  } catch (e) {
    const err =
      e instanceof ModelError
        ? e
        : e instanceof Error && e.name === 'StructuredOutputError'
          ? new ModelError('bad_request', `${model.model} did not return valid JSON even after a repair: ${e.message}`)
          : toModelError(e, model.endpoint);
    return { ok: false, kind: err.kind, message: sentences(err.message, ADVICE[err.kind]), ms: Date.now() - t0 };
  }
}

// The chat model of every role: OpenAI-compatible endpoints with one request limit per endpoint origin, or whatever
// model the caller supplies for a role (the editor's VS Code language models).
import type { EndpointConfig } from '../core/config';
import { originOf } from '../core/endpoint';
import { Limiter } from '../core/limiter';
import type { BatchQueue } from '../core/batch/batch-queue';
import { OpenAICompatibleModel, type ChatModel } from '../core/models';
import { byRole, type Role, type WithSecondJudge } from '../shared/schemas';
import type { RunSettings } from './settings';

/** A model for a role that is not an OpenAI-compatible endpoint, or undefined to use the endpoint. */
export type ModelFactory = (role: Role, endpoint: EndpointConfig) => ChatModel | undefined;

/** API keys by endpoint origin (absent or empty: no key, e.g. a local server). */
export type KeyRing = ReadonlyMap<string, string | undefined>;

/** With a batch queue (batch mode), every request of an endpoint model becomes a line of the queue's next batch. */
export function buildModels(settings: RunSettings, keys: KeyRing, custom?: ModelFactory, batch?: BatchQueue): WithSecondJudge<ChatModel> {
  const limiters = new Map<string, Limiter>();
  const limiter = (origin: string) => {
    if (!limiters.has(origin)) {
      limiters.set(origin, new Limiter(settings.requestConcurrency));
    }
    return limiters.get(origin)!;
  };
  const make = (role: Role, ep: EndpointConfig): ChatModel => {
    const origin = originOf(ep.baseURL);
    return (
      custom?.(role, ep) ??
      new OpenAICompatibleModel(ep, {
        apiKey: keys.get(origin) ?? '',
        maxRetries: settings.maxRetries,
        timeoutMs: settings.timeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        limiter: limiter(origin),
        useN: settings.engine.useN,
        role,
        overrides: settings.endpoints,
        batch: batch?.channel(ep.baseURL),
      })
    );
  };
  const second = settings.engine.roles.judge2;
  return { ...byRole((role) => make(role, settings.engine.roles[role])), ...(second ? { judge2: make('judge2', second) } : {}) };
}

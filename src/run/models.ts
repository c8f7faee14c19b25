// The chat model of every role: OpenAI-compatible endpoints with one request limit per endpoint origin (learned from
// the endpoint's own limits), a set of replicas when a role lists several base URLs, or whatever model the caller
// supplies for a role (the editor's VS Code language models).
import type { EndpointConfig } from '../core/config';
import { baseURLsOf, originOf } from '../core/endpoint';
import { limitLearningFetch } from '../core/endpoint-limits';
import { Limiter } from '../core/limiter';
import type { BatchQueue } from '../core/batch/batch-queue';
import { OpenAICompatibleModel, type ChatModel } from '../core/models';
import { newHealth, ReplicaSet, type Health } from '../core/replicas';
import { byRole, type Role, type WithSecondJudge } from '../shared/schemas';
import type { RunSettings } from './settings';

/** A model for a role that is not an OpenAI-compatible endpoint, or undefined to use the endpoint. */
export type ModelFactory = (role: Role, endpoint: EndpointConfig) => ChatModel | undefined;

/** API keys by endpoint origin (absent or empty: no key, e.g. a local server). */
export type KeyRing = ReadonlyMap<string, string | undefined>;

/**
 * With a batch queue (batch mode), every request of an endpoint model becomes a line of the queue's next batch for its
 * base URL (each replica's own).
 */
export function buildModels(settings: RunSettings, keys: KeyRing, custom?: ModelFactory, batch?: BatchQueue): WithSecondJudge<ChatModel> {
  const limits = new Map<string, { limiter: Limiter; fetch: typeof fetch; health: Health }>();
  const limitsOf = (origin: string) => {
    if (!limits.has(origin)) {
      const limiter = new Limiter(settings.requestConcurrency);
      limits.set(origin, { limiter, fetch: limitLearningFetch(limiter), health: newHealth() });
    }
    return limits.get(origin)!;
  };
  const endpointModel = (role: Role, ep: EndpointConfig, baseURL: string) => {
    const origin = originOf(baseURL);
    const { limiter, fetch, health } = limitsOf(origin);
    const model = new OpenAICompatibleModel(
      { ...ep, baseURL, replicas: undefined },
      {
        apiKey: keys.get(origin) ?? '',
        maxRetries: settings.maxRetries,
        timeoutMs: settings.timeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        limiter,
        fetch,
        useN: settings.engine.useN,
        role,
        overrides: settings.endpoints,
        batch: batch?.channel(baseURL),
      },
    );
    return { model, limiter, health };
  };
  const make = (role: Role, ep: EndpointConfig): ChatModel => {
    const own = custom?.(role, ep);
    if (own) {
      return own;
    }
    const urls = baseURLsOf(ep);
    return urls.length === 1 ? endpointModel(role, ep, urls[0]).model : new ReplicaSet(urls.map((u) => endpointModel(role, ep, u)));
  };
  const second = settings.engine.roles.judge2;
  return { ...byRole((role) => make(role, settings.engine.roles[role])), ...(second ? { judge2: make('judge2', second) } : {}) };
}

// Weak/strong model pairs that can separate (one per endpoint family), and the check that catches a run whose weak and
// strong solvers are one model: no gap is possible there, so no item could ever be accepted.
import type { EngineConfig } from './config';
import { byRole, type CoreRole } from '../shared/schemas';

export interface ModelPair {
  family: string;
  label: string;
  baseURL: string;
  weak: string;
  strong: string;
  /** For the Challenger, the quality check and the Judge: a strong model (the paper used one model for all three). */
  judge: string;
  /** Where the weak model is served when the family serves one model per server (vLLM): another port. */
  weakBaseURL?: string;
  note?: string;
}

export const MODEL_PAIRS: readonly ModelPair[] = [
  { family: 'openai', label: 'OpenAI', baseURL: 'https://api.openai.com/v1', weak: 'gpt-4o-mini', strong: 'gpt-4o', judge: 'gpt-4o' },
  {
    family: 'ollama',
    label: 'Ollama',
    baseURL: 'http://localhost:11434/v1',
    weak: 'qwen3:4b',
    strong: 'qwen3:32b',
    judge: 'qwen3:32b',
    note: '`ollama pull qwen3:4b` and `ollama pull qwen3:32b`',
  },
  {
    family: 'vllm',
    label: 'vLLM',
    baseURL: 'http://localhost:8000/v1',
    weak: 'Qwen/Qwen3-4B',
    strong: 'Qwen/Qwen3-32B',
    judge: 'Qwen/Qwen3-32B',
    weakBaseURL: 'http://localhost:8001/v1',
    note: 'one `vllm serve` per model: the strong one on :8000, `vllm serve Qwen/Qwen3-4B --port 8001` for the weak one',
  },
  {
    family: 'lmstudio',
    label: 'LM Studio',
    baseURL: 'http://localhost:1234/v1',
    weak: 'qwen3-4b',
    strong: 'qwen3-32b',
    judge: 'qwen3-32b',
    note: '`lms get qwen3-4b` and `lms get qwen3-32b`',
  },
  {
    family: 'openrouter',
    label: 'OpenRouter',
    baseURL: 'https://openrouter.ai/api/v1',
    weak: 'qwen/qwen3-8b',
    strong: 'qwen/qwen3-32b',
    judge: 'qwen/qwen3-32b',
  },
  {
    family: 'groq',
    label: 'Groq',
    baseURL: 'https://api.groq.com/openai/v1',
    weak: 'llama-3.1-8b-instant',
    strong: 'llama-3.3-70b-versatile',
    judge: 'llama-3.3-70b-versatile',
  },
];

/** Every role's endpoint and model for a proposed pair: the solvers apart, the strong model for the other three roles. */
export function pairRoles(pair: ModelPair): Record<CoreRole, { baseURL: string; model: string }> {
  return byRole((role) =>
    role === 'weak'
      ? { baseURL: pair.weakBaseURL ?? pair.baseURL, model: pair.weak }
      : { baseURL: pair.baseURL, model: role === 'strong' ? pair.strong : pair.judge },
  );
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0']);

/** One spelling per endpoint: case, default ports, trailing slashes and the loopback names do not make two endpoints. */
export function endpointKey(baseURL: string): string {
  try {
    const u = new URL(baseURL.trim());
    const host = LOCAL_HOSTS.has(u.hostname) ? 'localhost' : u.hostname.toLowerCase();
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${host}:${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseURL.trim().replace(/\/+$/, '').toLowerCase();
  }
}

/** One spelling per model: case and Ollama's implicit `:latest` tag do not make two models. */
export function modelKey(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/:latest$/, '');
}

/** The proposed pair for an endpoint, by its base URL (host and port), or undefined for an unknown endpoint. */
export function pairFor(baseURL: string): ModelPair | undefined {
  const key = endpointKey(baseURL);
  return (
    MODEL_PAIRS.find((p) => endpointKey(p.baseURL) === key) ??
    MODEL_PAIRS.find((p) => {
      try {
        return new URL(p.baseURL).hostname === new URL(baseURL).hostname && !LOCAL_HOSTS.has(new URL(baseURL).hostname);
      } catch {
        return false;
      }
    })
  );
}

export interface SameModel {
  model: string;
  endpoint: string;
  message: string;
}

/** Says when the weak and strong solvers resolve to one model on one endpoint; undefined when they differ. */
export function sameWeakAndStrong(cfg: Pick<EngineConfig, 'roles'>): SameModel | undefined {
  const { weak, strong } = cfg.roles;
  if (endpointKey(weak.baseURL) !== endpointKey(strong.baseURL) || modelKey(weak.model) !== modelKey(strong.model)) {
    return undefined;
  }
  const pair = pairFor(weak.baseURL);
  const hint = pair ? ` For ${pair.label}, for example: weak ${pair.weak}, strong ${pair.strong}.` : '';
  return {
    model: weak.model,
    endpoint: weak.baseURL,
    message: `The weak and strong solvers are the same model (${weak.model} at ${weak.baseURL}): no gap between them is possible, so no item can be accepted. Choose a smaller weak model or a larger strong one.${hint}`,
  };
}

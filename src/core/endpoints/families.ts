// The server families people run and what each is known to accept: one entry per family, detected from the base URL
// (or the model list), plus the traits a model name gives away (OpenAI's reasoning models, open reasoning models).
import type { Capabilities, Family } from './capabilities';

interface FamilyEntry {
  family: Family;
  /** Hosts and host name fragments that identify the family for sure. */
  hosts?: RegExp;
  /** The port a local install listens on by default: a guess only, confirmed or corrected by the first replies. */
  port?: string;
  /** `owned_by` values its model list carries. */
  ownedBy?: RegExp;
  /** How it differs from an OpenAI-compatible server that accepts everything. */
  defaults?: Partial<Capabilities>;
  /** Where an open reasoning model's thoughts come back on this server. */
  openReasoning?: Capabilities['reasoning'];
}

// Documented behaviour, kept in step with the scripted profiles in test/fakes/server-profiles.
const TABLE: FamilyEntry[] = [
  { family: 'openai', hosts: /^api\.openai\.com$/, ownedBy: /^(openai|system|openai-internal)$/, defaults: { tokenLimit: 'max_completion_tokens' } },
  { family: 'azure', hosts: /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/ },
  { family: 'openrouter', hosts: /^openrouter\.ai$/, defaults: { n: 'ignored' }, openReasoning: 'field' },
  { family: 'groq', hosts: /^api\.groq\.com$/, defaults: { n: 'rejected' }, openReasoning: 'tags' },
  { family: 'together', hosts: /^api\.together\.(xyz|ai)$/, openReasoning: 'tags' },
  { family: 'fireworks', hosts: /^api\.fireworks\.ai$/, openReasoning: 'tags' },
  { family: 'ollama', hosts: /ollama/, port: '11434', ownedBy: /^(library|ollama)$/, defaults: { n: 'ignored' }, openReasoning: 'field' },
  { family: 'lmstudio', hosts: /lm-?studio/, port: '1234', ownedBy: /^organization_owner$/, defaults: { n: 'ignored' }, openReasoning: 'field' },
  { family: 'llamacpp', hosts: /llama[-.]?cpp|llama-server/, port: '8080', ownedBy: /^llamacpp$/, defaults: { n: 'rejected' }, openReasoning: 'field' },
  { family: 'vllm', hosts: /vllm/, port: '8000', ownedBy: /^vllm$/, openReasoning: 'field' },
  { family: 'sglang', hosts: /sglang/, port: '30000', ownedBy: /^sglang$/, openReasoning: 'field' },
  { family: 'litellm', hosts: /litellm/, port: '4000', openReasoning: 'field' },
];

/** An OpenAI-compatible server that accepts everything; a family lists only where it differs. */
const BASE: Capabilities = {
  tokenLimit: 'max_tokens',
  temperature: 'any',
  n: 'honoured',
  responseFormat: 'json_schema',
  reasoning: 'none',
  reasons: false,
  reasoningAllowance: 0,
  streamUsage: 'include_usage',
  seed: true,
  systemMessage: true,
};

/** Tokens a reasoning model gets on top of maxTokens before it has shown how much it needs. */
export const REASONING_ALLOWANCE = 4096;

export function familyOf(baseURL: string): Family {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return 'generic';
  }
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return TABLE.find((f) => f.hosts?.test(host))?.family ?? TABLE.find((f) => f.port === port)?.family ?? 'generic';
}

/** The family a `/models` listing gives away through its `owned_by` values, if any. */
export function familyFromModelList(models: ReadonlyArray<{ owned_by?: string | null }>): Family | undefined {
  for (const m of models) {
    const hit = TABLE.find((f) => f.ownedBy && typeof m.owned_by === 'string' && f.ownedBy.test(m.owned_by));
    if (hit) {
      return hit.family;
    }
  }
  return undefined;
}

/** OpenAI's reasoning models (o1, o3, o4, the gpt-5 family but its chat variant), by name, wherever they are served. */
export function isOpenAIReasoningModel(model: string): boolean {
  const name = model.toLowerCase().split('/').pop() ?? '';
  return /^(o1|o3|o4)(-|$)/.test(name) || (/^gpt-5(\.\d+)?(-|$)/.test(name) && !/-chat/.test(name));
}

/** Open-weight models that think before answering (DeepSeek-R1, QwQ, Qwen3, gpt-oss, Magistral, ...). */
export function isOpenReasoningModel(model: string): boolean {
  const name = model.toLowerCase();
  if (/qwen3/.test(name) && /instruct/.test(name)) {
    return false;
  }
  return /deepseek-r1|deepseek-reasoner|qwq|qwen3|gpt-oss|magistral|phi-4-reasoning|exaone-deep|glm-z1|openthinker|thinking|reasoner/.test(name);
}

/** What an endpoint is assumed to do before it has answered: its family's documented behaviour and its model's traits. */
export function defaultCapabilities(family: Family, model: string): Capabilities {
  const entry = TABLE.find((f) => f.family === family);
  const caps: Capabilities = { ...BASE, ...entry?.defaults };
  if (isOpenAIReasoningModel(model)) {
    // Only the default temperature, reasoning hidden (counted in usage), and the newer token parameter where it is required.
    Object.assign(caps, { temperature: 'default_only', reasoning: 'hidden', reasons: true, reasoningAllowance: REASONING_ALLOWANCE });
    if (family === 'openai' || family === 'azure') {
      caps.tokenLimit = 'max_completion_tokens';
    }
    // The first reasoning models took no system message.
    if (/(^|\/)o1-(mini|preview)/.test(model.toLowerCase())) {
      caps.systemMessage = false;
    }
  } else if (isOpenReasoningModel(model)) {
    Object.assign(caps, { reasoning: entry?.openReasoning ?? 'tags', reasons: true, reasoningAllowance: REASONING_ALLOWANCE });
  }
  return caps;
}

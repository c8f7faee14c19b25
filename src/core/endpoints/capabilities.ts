// What one endpoint (a base URL and a model) accepts and returns, and the zod schema of the settings that pin it.
import { z } from 'zod';

export const FAMILIES = [
  'openai',
  'azure',
  'vllm',
  'ollama',
  'lmstudio',
  'llamacpp',
  'sglang',
  'litellm',
  'openrouter',
  'groq',
  'together',
  'fireworks',
  'generic',
] as const;
export const Family = z.enum(FAMILIES);
export type Family = z.infer<typeof Family>;

export const Capabilities = z.object({
  /** The parameter that carries the token budget. */
  tokenLimit: z.enum(['max_tokens', 'max_completion_tokens']),
  /** 'default_only': the model takes only its own default temperature, so none is sent. */
  temperature: z.enum(['any', 'default_only']),
  /** What the endpoint does with `n` > 1; when not honoured, the samples are asked for in parallel requests. */
  n: z.enum(['honoured', 'ignored', 'rejected']),
  /** The strongest JSON mode it accepts (weaker ones get the schema in the prompt; replies are validated either way). */
  responseFormat: z.enum(['json_schema', 'json_object', 'none']),
  /**
   * Where reasoning text comes back: a message field (`reasoning_content` or `reasoning`), `<think>` tags in the
   * content, tags whose opening one is in the prompt template (`tags_unopened`), or not at all (`hidden`, counted in
   * usage only). Both the fields and the tags are always checked; this tells a stream how to start.
   */
  reasoning: z.enum(['none', 'field', 'tags', 'tags_unopened', 'hidden']),
  /** The model reasons before it answers: its budget gets `reasoningAllowance` tokens on top of maxTokens. */
  reasons: z.boolean(),
  reasoningAllowance: z.number().int().min(0).max(262_144),
  /** How a stream reports usage: when asked with `stream_options`, always unasked, or never (then it is estimated). */
  streamUsage: z.enum(['include_usage', 'always', 'none']),
  seed: z.boolean(),
  /** Whether a system message is accepted; without one, the instructions open the first user message. */
  systemMessage: z.boolean(),
});
export type Capabilities = z.infer<typeof Capabilities>;
export type Capability = keyof Capabilities;

/** Settings that pin an endpoint's behaviour, and the family whose defaults apply (when the base URL does not say). */
export const EndpointOverride = Capabilities.partial().extend({ family: Family.optional() }).strict();
export type EndpointOverride = z.infer<typeof EndpointOverride>;

/**
 * Overrides keyed by what they match: a model name (`o3-mini`), a host (`localhost:11434`), or both (`localhost:11434/qwen3:8b`).
 * For one endpoint, the host's entry applies first, then the model's, then the pair's.
 */
export const EndpointOverrides = z.record(z.string().min(1), EndpointOverride);
export type EndpointOverrides = z.infer<typeof EndpointOverrides>;

/** Where one capability's value came from: the family's defaults, a reply or error of the endpoint, or a setting. */
export type CapabilitySource = 'default' | 'learned' | 'override';

export interface EndpointProfile {
  /** `host/path|model`: the key profiles are kept under (never holds credentials). */
  key: string;
  host: string;
  model: string;
  family: Family;
  capabilities: Capabilities;
  sources: Record<Capability, CapabilitySource>;
  /** What was learned and from what, in order ("n ignored: 1 choice for n=3"). */
  notes: string[];
}

/** The plain object a host persists and shows: what was learned per endpoint. */
export const LearnedProfiles = z.record(
  z.string(),
  z.object({
    host: z.string(),
    model: z.string(),
    capabilities: Capabilities.partial(),
    notes: z.array(z.string()),
  }),
);
export type LearnedProfiles = z.infer<typeof LearnedProfiles>;

/** The overrides that apply to one endpoint, merged from the least to the most specific key. */
export function overrideFor(overrides: EndpointOverrides | undefined, host: string, model: string): EndpointOverride {
  if (!overrides) {
    return {};
  }
  return { ...overrides[host], ...overrides[model], ...overrides[`${host}/${model}`] };
}

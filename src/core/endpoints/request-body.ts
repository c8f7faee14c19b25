// The chat completion request an endpoint gets, shaped by its capabilities: the token parameter it reads, a
// temperature only where it takes one, `n` only where honoured, the JSON mode it accepts, usage in streams if asked.
import type { Capabilities } from './capabilities';

export interface BodyMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface BodyInput {
  model: string;
  messages: BodyMessage[];
  temperature: number;
  /** Tokens for the answer; a reasoning model gets its allowance on top. */
  maxTokens: number;
  n: number;
  json?: { name: string; schema: Record<string, unknown> };
  seed?: number;
  stream: boolean;
}

export interface Built {
  body: Record<string, unknown>;
  /** The token budget sent, allowance included. */
  limit: number;
}

export function buildBody(caps: Capabilities, input: BodyInput): Built {
  let messages = input.json && caps.responseFormat !== 'json_schema' ? withSchemaInstruction(input.messages, input.json.schema) : input.messages;
  if (!caps.systemMessage) {
    messages = withoutSystem(messages);
  }
  const limit = input.maxTokens + (caps.reasons ? caps.reasoningAllowance : 0);
  const body: Record<string, unknown> = { model: input.model, messages, [caps.tokenLimit]: limit };
  if (caps.temperature === 'any') {
    body.temperature = input.temperature;
  }
  if (input.n > 1) {
    body.n = input.n;
  }
  if (input.json && caps.responseFormat === 'json_schema') {
    body.response_format = { type: 'json_schema', json_schema: { name: input.json.name, schema: input.json.schema, strict: true } };
  } else if (input.json && caps.responseFormat === 'json_object') {
    body.response_format = { type: 'json_object' };
  }
  if (input.seed !== undefined && caps.seed) {
    body.seed = input.seed;
  }
  if (input.stream) {
    body.stream = true;
    if (caps.streamUsage === 'include_usage') {
      body.stream_options = { include_usage: true };
    }
  }
  return { body, limit };
}

/** The schema as an instruction, for endpoints that cannot be given it as a response format. */
export function withSchemaInstruction(messages: BodyMessage[], schema: Record<string, unknown>): BodyMessage[] {
  const note = `Reply with one JSON object only, no prose and no code fence, matching this JSON Schema:\n${JSON.stringify(schema)}`;
  const [first, ...rest] = messages;
  return first?.role === 'system' ? [{ role: 'system', content: `${first.content}\n\n${note}` }, ...rest] : [{ role: 'system', content: note }, ...messages];
}

/** System messages folded into the first user message, for models that take none. */
function withoutSystem(messages: BodyMessage[]): BodyMessage[] {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const others = messages.filter((m) => m.role !== 'system');
  if (!system) {
    return others;
  }
  const i = others.findIndex((m) => m.role === 'user');
  if (i < 0) {
    return [{ role: 'user', content: system }, ...others];
  }
  return others.map((m, j) => (j === i ? { ...m, content: `${system}\n\n${m.content}` } : m));
}

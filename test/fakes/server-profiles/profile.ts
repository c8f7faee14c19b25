// What a scripted server profile says about the server family it emulates: which parameters it refuses and how,
// what it does with `n` and the token budget, where reasoning goes, how a stream reports usage, how its errors look.
import type { ErrorReply, RecordedRequest } from '../openai-server';

export interface ServerProfile {
  name: string;
  /** Where the emulated behaviour is documented (docs, source files, issue threads). */
  source: string;
  /** `owned_by` of its model list. */
  ownedBy: string;
  /** The reply to a request this server refuses, checked before the role script answers. */
  refuse?: (req: RecordedRequest) => ErrorReply | undefined;
  /** Budget parameters it reads; any other is ignored, and without one there is no limit. */
  reads: Array<'max_tokens' | 'max_completion_tokens'>;
  /** `ignored`: one choice whatever `n` says (a refusal of `n` goes in `refuse`). */
  n: 'honoured' | 'ignored';
  /** Where reasoning goes: a message field, tags in the content (opened there, or by the prompt template), counted only, or none. */
  reasoning: 'none' | 'reasoning_content' | 'reasoning' | 'think_tags' | 'think_unopened' | 'hidden';
  /** Tokens of reasoning before each answer. */
  reasoningTokens?: number;
  /** Whether usage carries `completion_tokens_details.reasoning_tokens`. */
  reportsReasoningTokens?: boolean;
  /** How a stream reports usage: when asked with stream_options, on the last chunk always, in `x_groq`, or never. */
  streamUsage: 'include_usage' | 'final_chunk' | 'x_groq' | 'never';
  /** Its error body for a status and message (the role script's errors are reshaped into it). */
  errorBody: (status: number, message: string, param?: string | null, code?: string | null) => unknown;
  /** Fields every streamed chunk carries besides OpenAI's (llama.cpp's `timings`). */
  chunkExtras?: () => Record<string, unknown>;
}

/** OpenAI's error body, which most servers copy. */
export function openaiError(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
  type = status >= 500 ? 'server_error' : 'invalid_request_error',
) {
  return { error: { message, type, param, code } };
}

/** A refusal in the profile's own error shape. */
export function refusal(p: Pick<ServerProfile, 'errorBody'>, status: number, message: string, param?: string | null, code?: string | null): ErrorReply {
  return { kind: 'error', status, body: p.errorBody(status, message, param ?? null, code ?? null) };
}

/** A temperature other than the model's default (1). */
export function nonDefaultTemperature(req: RecordedRequest): number | undefined {
  const t = req.body?.temperature;
  return typeof t === 'number' && t !== 1 ? t : undefined;
}

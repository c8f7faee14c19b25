// OpenAI's own API: a chat model that takes every parameter, and the reasoning models (o-series, gpt-5) that refuse
// max_tokens and any temperature but the default, keep their reasoning hidden and count it in usage.
import { nonDefaultTemperature, openaiError, refusal, type ServerProfile } from './profile';

export const openai: ServerProfile = {
  name: 'openai',
  source: 'platform.openai.com/docs/api-reference/chat/create (gpt-4o-mini): n, json_schema, stream_options.include_usage, seed',
  ownedBy: 'system',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'honoured',
  reasoning: 'none',
  streamUsage: 'include_usage',
  errorBody: openaiError,
};

export const openaiReasoning: ServerProfile = {
  name: 'openai-reasoning',
  source:
    'OpenAI reasoning models (o1/o3/o4/gpt-5): error bodies quoted in griptape-ai/ComfyUI-Griptape#312 (max_tokens, unsupported_parameter) and OpenHands#4131 (temperature, unsupported_value); reasoning_tokens in usage.completion_tokens_details',
  ownedBy: 'system',
  reads: ['max_completion_tokens'],
  n: 'honoured',
  reasoning: 'hidden',
  reasoningTokens: 96,
  reportsReasoningTokens: true,
  streamUsage: 'include_usage',
  errorBody: openaiError,
  refuse(req) {
    if (req.body?.max_tokens !== undefined) {
      return refusal(
        this,
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'max_tokens',
        'unsupported_parameter',
      );
    }
    const t = nonDefaultTemperature(req);
    if (t !== undefined) {
      return refusal(
        this,
        400,
        `Unsupported value: 'temperature' does not support ${t} with this model. Only the default (1) value is supported.`,
        'temperature',
        'unsupported_value',
      );
    }
    return undefined;
  },
};

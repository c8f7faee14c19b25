// LiteLLM's proxy in front of an OpenAI reasoning model without drop_params: it passes the upstream refusal of
// temperature on, wrapped in its own message with param null and code "400".
import { nonDefaultTemperature, refusal, type ServerProfile } from './profile';

export const litellm: ServerProfile = {
  name: 'litellm',
  source:
    "BerriAI/litellm#13327 and #16090 (proxy error {error: {message: 'litellm.BadRequestError: ...', type: null, param: null, code: '400'}}), LiteLLM maps max_tokens for o-series itself",
  ownedBy: 'openai',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'honoured',
  reasoning: 'hidden',
  reasoningTokens: 72,
  reportsReasoningTokens: true,
  streamUsage: 'include_usage',
  errorBody: (status, message) => ({
    error: {
      message: `litellm.${status === 404 ? 'NotFoundError' : 'BadRequestError'}: OpenAIException - ${message}. Received Model Group=upstream\nAvailable Model Group Fallbacks=None`,
      type: null,
      param: null,
      code: String(status),
    },
  }),
  refuse(req) {
    const t = nonDefaultTemperature(req);
    if (t !== undefined) {
      return refusal(this, 400, `Unsupported value: 'temperature' does not support ${t} with this model. Only the default (1) value is supported.`);
    }
    return undefined;
  },
};

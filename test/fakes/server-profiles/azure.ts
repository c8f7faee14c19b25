// Azure OpenAI serving an o-series deployment on an API version that predates stream_options: OpenAI's refusals with
// Azure's wording, and "Unrecognized request argument supplied" for stream_options.
import { refusal, type ServerProfile } from './profile';

export const azure: ServerProfile = {
  name: 'azure-openai',
  source:
    "Azure OpenAI: max_tokens refusal with o-series (lobehub#5909, Arize-ai/phoenix#8631), temperature refusal worded 'Unsupported parameter' (BerriAI/litellm#13327), 'Unrecognized request argument supplied: stream_options' on older api-versions",
  ownedBy: 'system',
  reads: ['max_completion_tokens'],
  n: 'honoured',
  reasoning: 'hidden',
  reasoningTokens: 64,
  reportsReasoningTokens: true,
  streamUsage: 'include_usage',
  errorBody: (status, message, param = null, code = null) => ({
    error: { code, message, param, type: status >= 500 ? 'server_error' : 'invalid_request_error' },
  }),
  refuse(req) {
    if (req.body?.stream_options !== undefined) {
      return refusal(this, 400, 'Unrecognized request argument supplied: stream_options');
    }
    if (req.body?.max_tokens !== undefined) {
      return refusal(
        this,
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'max_tokens',
        'unsupported_parameter',
      );
    }
    if (req.body?.temperature !== undefined) {
      return refusal(this, 400, "Unsupported parameter: 'temperature' is not supported with this model.", 'temperature', 'unsupported_parameter');
    }
    return undefined;
  },
};

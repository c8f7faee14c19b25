// SGLang: honours n; with --reasoning-parser the thoughts come back in reasoning_content; vLLM's flat error body.
import type { ServerProfile } from './profile';

export const sglang: ServerProfile = {
  name: 'sglang',
  source:
    'docs.sglang.io advanced_features/separate_reasoning (--reasoning-parser: reasoning_content apart from content); the flat ErrorResponse of the vLLM/FastChat protocol its OpenAI layer follows (assumed, not checked against its source)',
  ownedBy: 'sglang',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'honoured',
  reasoning: 'reasoning_content',
  reasoningTokens: 100,
  streamUsage: 'include_usage',
  errorBody: (status, message, param = null) => ({
    object: 'error',
    message,
    type: status >= 500 ? 'InternalServerError' : 'BadRequestError',
    param,
    code: status,
  }),
};

// Ollama's OpenAI layer: no `n` field (one choice), only max_tokens (max_completion_tokens is ignored, leaving no
// limit), thinking models' thoughts in `reasoning`, usage in streams when asked.
import type { ServerProfile } from './profile';

export const ollama: ServerProfile = {
  name: 'ollama',
  source:
    'github.com/ollama/ollama openai/openai.go (ChatCompletionRequest has no n and no max_completion_tokens; Message.Reasoning; StreamOptions.IncludeUsage; NewError types), ollama#15288 (empty content, text in reasoning)',
  ownedBy: 'library',
  reads: ['max_tokens'],
  n: 'ignored',
  reasoning: 'reasoning',
  reasoningTokens: 110,
  streamUsage: 'include_usage',
  errorBody: (status, message) => ({
    error: { message, type: status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error', param: null, code: null },
  }),
};

// llama.cpp's llama-server: refuses n != 1 with a 500 (a runtime_error in its parameter parsing), reasoning in
// reasoning_content (--jinja, reasoning format auto), usage and timings on the last streamed chunk.
import { refusal, type ServerProfile } from './profile';

export const llamacpp: ServerProfile = {
  name: 'llamacpp',
  source:
    "ggml-org/llama.cpp tools/server utils (oaicompat_chat_params_parse: 'Only one completion choice is allowed', served as 500 server_error; algorithmicsuperintelligence/optillm#8), reasoning_content (llama.cpp#13867), timings per chunk",
  ownedBy: 'llamacpp',
  reads: ['max_tokens'],
  n: 'honoured',
  reasoning: 'reasoning_content',
  reasoningTokens: 80,
  streamUsage: 'final_chunk',
  errorBody: (status, message) => ({
    error: { code: status, message, type: status >= 500 ? 'server_error' : status === 404 ? 'not_found_error' : 'invalid_request_error' },
  }),
  chunkExtras: () => ({ timings: { prompt_n: 12, prompt_ms: 40.5, predicted_n: 8, predicted_ms: 90.1 } }),
  refuse(req) {
    if (req.n !== 1) {
      return refusal(this, 500, 'Only one completion choice is allowed');
    }
    return undefined;
  },
};

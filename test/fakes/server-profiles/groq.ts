// Groq: refuses n > 1 with a 400, returns a reasoning model's thoughts as <think> tags in the content (the raw
// reasoning format), and reports stream usage in x_groq.usage on the last chunk.
import { refusal, type ServerProfile } from './profile';

export const groq: ServerProfile = {
  name: 'groq',
  source:
    "console.groq.com/docs/openai (n: only 1; 'n' : number must be at most 1 quoted in meta-llama/llama-stack and DSPy probes), console.groq.com/docs/reasoning (reasoning_format raw: <think> in content), x_groq.usage on the final chunk",
  ownedBy: 'Groq',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'honoured',
  reasoning: 'think_tags',
  reasoningTokens: 90,
  streamUsage: 'x_groq',
  errorBody: (_status, message) => ({ error: { message, type: 'invalid_request_error' } }),
  refuse(req) {
    if (req.n > 1) {
      return refusal(this, 400, "'n' : number must be at most 1");
    }
    return undefined;
  },
};

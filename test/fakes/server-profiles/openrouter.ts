// OpenRouter: ignores n (one choice), returns thoughts in `reasoning`, and puts usage on the last streamed chunk.
import type { ServerProfile } from './profile';

export const openrouter: ServerProfile = {
  name: 'openrouter',
  source:
    'OpenRouterArchived/openrouter-runner#99 and cosmicoptima/loom#21 (n ignored), openrouter.ai/docs reasoning-tokens (message.reasoning) and usage accounting (usage in the last SSE message), {error: {code, message, metadata}}',
  ownedBy: 'openrouter',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'ignored',
  reasoning: 'reasoning',
  reasoningTokens: 100,
  streamUsage: 'final_chunk',
  errorBody: (status, message) => ({ error: { code: status, message, metadata: { provider_name: 'upstream' } } }),
};

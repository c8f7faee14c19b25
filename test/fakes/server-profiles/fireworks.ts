// Fireworks: honours n, returns DeepSeek-R1's thoughts in the content between <think> tags by default, usage on the
// last streamed chunk.
import { openaiError, type ServerProfile } from './profile';

export const fireworks: ServerProfile = {
  name: 'fireworks',
  source:
    "fireworks.ai/docs/deepseek/general-deepseek ('returning <think>...</think> in the response'), docs.fireworks.ai/guides/reasoning (reasoning_content for other models); usage on the last stream chunk unasked (assumed, not confirmed here)",
  ownedBy: 'fireworks',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'honoured',
  reasoning: 'think_tags',
  reasoningTokens: 110,
  streamUsage: 'final_chunk',
  errorBody: openaiError,
};

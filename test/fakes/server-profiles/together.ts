// Together: honours n, returns DeepSeek-R1's thoughts as <think> tags in the content, usage on the last streamed chunk.
import { openaiError, type ServerProfile } from './profile';

export const together: ServerProfile = {
  name: 'together',
  source:
    "Together's OpenAI-compatible API: n and max_tokens as OpenAI; DeepSeek-R1 thoughts in <think> tags in the content as on other hosted R1 endpoints; usage on the last stream chunk unasked (assumed, not confirmed here)",
  ownedBy: 'together',
  reads: ['max_tokens'],
  n: 'honoured',
  reasoning: 'think_tags',
  reasoningTokens: 130,
  streamUsage: 'final_chunk',
  errorBody: openaiError,
};

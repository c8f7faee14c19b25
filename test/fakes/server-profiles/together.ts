// Together: honours n, returns DeepSeek-R1's thoughts as <think> tags in the content, usage on the last streamed chunk.
import { openaiError, type ServerProfile } from './profile';

export const together: ServerProfile = {
  name: 'together',
  source: 'docs.together.ai chat completions reference (n, max_tokens, usage on the final stream chunk), DeepSeek-R1 guide (<think> in the content)',
  ownedBy: 'together', reads: ['max_tokens'], n: 'honoured', reasoning: 'think_tags', reasoningTokens: 130, streamUsage: 'final_chunk', errorBody: openaiError,
};

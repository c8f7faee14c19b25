// LM Studio: one choice whatever `n` says, JSON only through json_schema (json_object is refused with a bare string
// error), reasoning in reasoning_content.
import { refusal, type ServerProfile } from './profile';

export const lmstudio: ServerProfile = {
  name: 'lmstudio',
  source:
    "lmstudio-ai/lmstudio-bug-tracker#189 and #307 ({\"error\": \"'response_format.type' must be 'json_schema' or 'text'\"}), LM Studio 0.3.9 notes (reasoning_content), its OpenAI endpoint's parameter list (no n)",
  ownedBy: 'organization_owner',
  reads: ['max_tokens'],
  n: 'ignored',
  reasoning: 'reasoning_content',
  reasoningTokens: 90,
  streamUsage: 'include_usage',
  errorBody: (_status, message) => ({ error: message }),
  refuse(req) {
    const type = req.responseFormat?.type;
    if (type && type !== 'json_schema' && type !== 'text') {
      return refusal(this, 400, "'response_format.type' must be 'json_schema' or 'text'");
    }
    return undefined;
  },
};

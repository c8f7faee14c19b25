// vLLM: honours n and every OpenAI parameter; with a reasoning parser the thoughts come back in a field (`reasoning`
// since the rename, `reasoning_content` before, with the old flat error body); without one, in the content after the
// template's own <think>.
import { openaiError, type ServerProfile } from './profile';

const vllmError = (status: number, message: string, param: string | null = null) => ({
  error: { message, type: status === 404 ? 'NotFoundError' : status >= 500 ? 'InternalServerError' : 'BadRequestError', param, code: status },
});

export const vllm: ServerProfile = {
  name: 'vllm',
  source:
    'docs.vllm.ai features/reasoning_outputs (--reasoning-parser), vllm-project/vllm#27752 (reasoning_content renamed reasoning), ErrorResponse {error: {message, type, param, code}}',
  ownedBy: 'vllm',
  reads: ['max_tokens', 'max_completion_tokens'],
  n: 'honoured',
  reasoning: 'reasoning',
  reasoningTokens: 120,
  streamUsage: 'include_usage',
  errorBody: vllmError,
};

export const vllmLegacy: ServerProfile = {
  ...vllm,
  name: 'vllm-legacy',
  source:
    "vLLM up to 0.9: reasoning_content (stanford-crfm/helm#3632), flat ErrorResponse {object: 'error', message, type, param, code} (QwenLM/Qwen3#241) that the SDK reads as '(no body)' (huggingface/chat-ui#1343)",
  reasoning: 'reasoning_content',
  errorBody: (status, message, param = null) => ({
    object: 'error',
    message,
    type: status >= 500 ? 'InternalServerError' : 'BadRequestError',
    param,
    code: status,
  }),
};

export const vllmRaw: ServerProfile = {
  ...vllm,
  name: 'vllm-raw',
  source:
    'vLLM without --reasoning-parser serving DeepSeek-R1 (triton-inference-server/perf_analyzer#433): the chat template opens <think>, so the content holds the thoughts and a lone </think>',
  reasoning: 'think_unopened',
  errorBody: openaiError,
};

// Server families from the base URL and the model list, and the defaults they and a model's name imply.
import assert from 'node:assert/strict';
import { defaultCapabilities, familyFromModelList, familyOf, isOpenAIReasoningModel, isOpenReasoningModel } from '../../../../src/core/endpoints/families';

describe('family detection', () => {
  it('knows a family from its base URL: hosted services by host, local servers by their default port', () => {
    const cases: Array<[string, string]> = [
      ['https://api.openai.com/v1', 'openai'],
      ['https://myres.openai.azure.com/openai/v1', 'azure'],
      ['https://x.cognitiveservices.azure.com/openai', 'azure'],
      ['https://openrouter.ai/api/v1', 'openrouter'],
      ['https://api.groq.com/openai/v1', 'groq'],
      ['https://api.together.xyz/v1', 'together'],
      ['https://api.fireworks.ai/inference/v1', 'fireworks'],
      ['http://localhost:11434/v1', 'ollama'],
      ['http://ollama:11434/v1', 'ollama'],
      ['http://127.0.0.1:1234/v1', 'lmstudio'],
      ['http://localhost:8080/v1', 'llamacpp'],
      ['http://gpu-box:8000/v1', 'vllm'],
      ['http://localhost:30000/v1', 'sglang'],
      ['http://litellm.internal/v1', 'litellm'],
      ['http://localhost:4000', 'litellm'],
      ['https://example.com/v1', 'generic'],
      ['not a url', 'generic'],
    ];
    for (const [url, family] of cases) {
      assert.equal(familyOf(url), family, url);
    }
  });

  it('knows a family from the owners its model list names', () => {
    assert.equal(familyFromModelList([{ owned_by: 'vllm' }]), 'vllm');
    assert.equal(familyFromModelList([{ owned_by: 'library' }]), 'ollama');
    assert.equal(familyFromModelList([{ owned_by: 'llamacpp' }]), 'llamacpp');
    assert.equal(familyFromModelList([{ owned_by: 'organization_owner' }]), 'lmstudio');
    assert.equal(familyFromModelList([{ owned_by: 'someone' }, { owned_by: null }]), undefined);
  });

  it("tells OpenAI's reasoning models and open reasoning models by name", () => {
    for (const m of ['o1', 'o1-mini', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'openai/gpt-5-nano']) {
      assert.ok(isOpenAIReasoningModel(m), m);
    }
    for (const m of ['gpt-4o-mini', 'gpt-5-chat-latest', 'gpt-4.1', 'o1js-helper']) {
      assert.ok(!isOpenAIReasoningModel(m), m);
    }
    for (const m of ['deepseek-r1:14b', 'Qwen/QwQ-32B', 'qwen3:8b', 'openai/gpt-oss-20b', 'deepseek-reasoner', 'Qwen3-30B-A3B-Thinking-2507']) {
      assert.ok(isOpenReasoningModel(m), m);
    }
    for (const m of ['llama3.1:8b', 'Qwen3-30B-A3B-Instruct-2507', 'mistral-small']) {
      assert.ok(!isOpenReasoningModel(m), m);
    }
  });

  it('sends an OpenAI reasoning model max_completion_tokens and no temperature, with an allowance for reasoning', () => {
    const o3 = defaultCapabilities('openai', 'o3-mini');
    assert.deepEqual([o3.tokenLimit, o3.temperature, o3.reasons, o3.reasoning], ['max_completion_tokens', 'default_only', true, 'hidden']);
    assert.ok(o3.reasoningAllowance > 0);
    assert.equal(defaultCapabilities('azure', 'gpt-4o').tokenLimit, 'max_tokens', 'older Azure API versions refuse max_completion_tokens for chat models');
    assert.equal(defaultCapabilities('litellm', 'o3-mini').temperature, 'default_only');
    assert.equal(defaultCapabilities('openai', 'o1-mini').systemMessage, false);
  });

  it('gives each family its documented n, and open reasoning models the place their thoughts come back', () => {
    assert.equal(defaultCapabilities('ollama', 'llama3.1').n, 'ignored');
    assert.equal(defaultCapabilities('lmstudio', 'x').n, 'ignored');
    assert.equal(defaultCapabilities('openrouter', 'x').n, 'ignored');
    assert.equal(defaultCapabilities('groq', 'x').n, 'rejected');
    assert.equal(defaultCapabilities('llamacpp', 'x').n, 'rejected');
    assert.equal(defaultCapabilities('vllm', 'x').n, 'honoured');
    assert.equal(defaultCapabilities('ollama', 'qwen3:8b').reasoning, 'field');
    assert.equal(defaultCapabilities('together', 'deepseek-ai/DeepSeek-R1').reasoning, 'tags');
    assert.equal(defaultCapabilities('vllm', 'llama3').reasons, false);
  });
});

// Defaults that can work: weak and strong resolving to one model is caught; every preset endpoint has a separating pair.
import assert from 'node:assert/strict';
import { defaultEngineConfig, defaultEndpoint } from '../../../../src/core/config';
import { MODEL_PAIRS, pairFor, pairRoles, sameWeakAndStrong } from '../../../../src/core/model-pairs';

const withSolvers = (weak: Partial<ReturnType<typeof defaultEndpoint>>, strong: Partial<ReturnType<typeof defaultEndpoint>>) => {
  const cfg = defaultEngineConfig();
  return { ...cfg, roles: { ...cfg.roles, weak: defaultEndpoint(weak), strong: defaultEndpoint(strong) } };
};

describe('method: defaults that can work', () => {
  it('says when the defaults make weak and strong the same model, naming a pair that separates', () => {
    const same = sameWeakAndStrong(defaultEngineConfig());
    assert.ok(same);
    assert.equal(same.model, 'gpt-4o-mini');
    assert.match(
      same.message,
      /The weak and strong solvers are the same model \(gpt-4o-mini at https:\/\/api\.openai\.com\/v1\): no gap between them is possible/,
    );
    assert.match(same.message, /For OpenAI, for example: weak gpt-4o-mini, strong gpt-4o\./);
  });

  it('sees through spellings of one endpoint and one model', () => {
    const cases: Array<[string, string, string, string]> = [
      ['http://localhost:11434/v1', 'qwen3:4b', 'http://127.0.0.1:11434/v1/', 'qwen3:4b'],
      ['http://localhost:11434/v1', 'qwen3', 'http://localhost:11434/v1', 'qwen3:latest'],
      ['https://api.openai.com/v1', 'GPT-4o', 'https://API.openai.com:443/v1', 'gpt-4o'],
    ];
    for (const [b1, m1, b2, m2] of cases) {
      assert.ok(sameWeakAndStrong(withSolvers({ baseURL: b1, model: m1 }, { baseURL: b2, model: m2 })), `${m1}@${b1} = ${m2}@${b2}`);
    }
  });

  it('does not complain about two models, or one model on two servers', () => {
    assert.equal(sameWeakAndStrong(withSolvers({ model: 'gpt-4o-mini' }, { model: 'gpt-4o' })), undefined);
    assert.equal(
      sameWeakAndStrong(withSolvers({ baseURL: 'http://localhost:8000/v1', model: 'm' }, { baseURL: 'http://localhost:8001/v1', model: 'm' })),
      undefined,
    );
  });

  it('proposes a pair per endpoint family that is found by its base URL and passes the check', () => {
    for (const p of MODEL_PAIRS) {
      assert.notEqual(p.weak, p.strong, p.family);
      assert.equal(pairFor(p.baseURL)?.family, p.family);
      assert.equal(sameWeakAndStrong(withSolvers({ baseURL: p.baseURL, model: p.weak }, { baseURL: p.baseURL, model: p.strong })), undefined, p.family);
    }
    assert.deepEqual([pairFor('http://127.0.0.1:11434/v1')?.weak, pairFor('http://localhost:11434/v1')?.strong], ['qwen3:4b', 'qwen3:32b']);
    assert.deepEqual([pairFor('http://localhost:8000/v1')?.weak, pairFor('http://localhost:8000/v1')?.strong], ['Qwen/Qwen3-4B', 'Qwen/Qwen3-32B']);
    assert.equal(pairFor('http://localhost:9999/v1'), undefined);
  });

  it("turns a proposed pair into every role's endpoint and model: solvers apart, the strong model judging", () => {
    for (const p of MODEL_PAIRS) {
      const roles = pairRoles(p);
      const cfg = defaultEngineConfig();
      for (const role of Object.keys(roles) as Array<keyof typeof roles>) {
        cfg.roles[role] = defaultEndpoint(roles[role]);
      }
      assert.equal(sameWeakAndStrong(cfg), undefined, p.family);
      assert.deepEqual([roles.challenger.model, roles.quality.model, roles.judge.model, roles.strong.model], [p.judge, p.judge, p.judge, p.strong]);
      assert.equal(roles.weak.model, p.weak);
    }
    // vLLM serves one model per server: the weak one gets its own port.
    const vllm = pairRoles(pairFor('http://localhost:8000/v1')!);
    assert.deepEqual([vllm.weak.baseURL, vllm.strong.baseURL], ['http://localhost:8001/v1', 'http://localhost:8000/v1']);
    assert.equal(pairRoles(pairFor('http://localhost:11434/v1')!).weak.baseURL, 'http://localhost:11434/v1');
  });
});

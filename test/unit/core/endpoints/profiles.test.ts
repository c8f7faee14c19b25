// The capability store: defaults, then what was learned, then the settings; exported as a plain object and restored.
import assert from 'node:assert/strict';
import { EndpointOverrides } from '../../../../src/core/endpoints/capabilities';
import { endpointHost, EndpointProfiles } from '../../../../src/core/endpoints/profiles';

describe('endpoint profiles', () => {
  const URL_ = 'http://user:pw@localhost:11434/v1/';

  it('keys profiles by host, path and model, never by credentials', () => {
    assert.equal(endpointHost(URL_), 'localhost:11434/v1');
    assert.equal(EndpointProfiles.key(URL_, 'qwen3:8b'), 'localhost:11434/v1|qwen3:8b');
  });

  it('starts from the family defaults, then what was learned, and settings win over both', () => {
    const store = new EndpointProfiles();
    const p0 = store.profile(URL_, 'qwen3:8b');
    assert.equal(p0.family, 'ollama');
    assert.equal(p0.capabilities.n, 'ignored');
    assert.equal(p0.sources.n, 'default');
    store.learn(URL_, 'qwen3:8b', { responseFormat: 'json_object' }, 'rejects json_schema');
    const p1 = store.profile(URL_, 'qwen3:8b');
    assert.equal(p1.capabilities.responseFormat, 'json_object');
    assert.equal(p1.sources.responseFormat, 'learned');
    assert.deepEqual(p1.notes, ['rejects json_schema']);
    const overrides = EndpointOverrides.parse({
      'localhost:11434': { responseFormat: 'none' },
      'qwen3:8b': { n: 'honoured' },
      'localhost:11434/qwen3:8b': { responseFormat: 'json_schema', family: 'vllm' },
    });
    const p2 = store.profile(URL_, 'qwen3:8b', overrides);
    assert.equal(p2.family, 'vllm');
    assert.equal(p2.capabilities.responseFormat, 'json_schema', 'the most specific key wins');
    assert.equal(p2.capabilities.n, 'honoured');
    assert.equal(p2.sources.responseFormat, 'override');
    assert.equal(store.profile('http://other:11434/v1', 'qwen3:8b').capabilities.responseFormat, 'json_schema', 'learned for one endpoint only');
  });

  it('works a profile out once until something is learned, forgotten or restored, and lets no caller change it', () => {
    const store = new EndpointProfiles();
    const p0 = store.profile(URL_, 'qwen3:8b');
    assert.equal(store.profile(URL_, 'qwen3:8b'), p0, 'the same profile while nothing changed');
    assert.ok(
      [p0, p0.capabilities, p0.sources, p0.notes].every((o) => Object.isFrozen(o)),
      'shared, so frozen',
    );
    assert.throws(() => p0.notes.push('x'), TypeError);
    store.learn(URL_, 'qwen3:8b', { n: 'rejected' }, 'rejects n');
    const saved = store.snapshot();
    assert.equal(store.profile(URL_, 'qwen3:8b').capabilities.n, 'rejected');
    store.forget();
    assert.equal(store.profile(URL_, 'qwen3:8b').capabilities.n, 'ignored');
    store.restore(saved);
    assert.equal(store.profile(URL_, 'qwen3:8b').capabilities.n, 'rejected');
  });

  it('refuses overrides that are not capabilities', () => {
    assert.equal(EndpointOverrides.safeParse({ m: { n: 'sometimes' } }).success, false);
    assert.equal(EndpointOverrides.safeParse({ m: { apiKey: 'x' } }).success, false);
  });

  it('exports what was learned as a plain object, tells listeners, and takes a snapshot back', () => {
    const store = new EndpointProfiles();
    const heard: string[] = [];
    const stop = store.onLearn((p, note) => heard.push(`${p.model}: ${note}`));
    store.learn('https://api.example.com/v1', 'o3-mini', { tokenLimit: 'max_completion_tokens' }, 'rejects max_tokens');
    stop();
    store.learn('https://api.example.com/v1', 'o3-mini', { temperature: 'default_only' }, 'default temperature only');
    assert.deepEqual(heard, ['o3-mini: rejects max_tokens']);
    const saved = JSON.parse(JSON.stringify(store.snapshot()));
    assert.deepEqual(saved, {
      'api.example.com/v1|o3-mini': {
        host: 'api.example.com/v1',
        model: 'o3-mini',
        capabilities: { tokenLimit: 'max_completion_tokens', temperature: 'default_only' },
        notes: ['rejects max_tokens', 'default temperature only'],
      },
    });
    const again = new EndpointProfiles();
    again.restore({ ...saved, broken: { host: 1 } });
    assert.deepEqual(Object.keys(again.snapshot()), ['api.example.com/v1|o3-mini'], 'an entry that does not validate is dropped, the others kept');
    assert.equal(again.profile('https://api.example.com/v1', 'o3-mini').capabilities.tokenLimit, 'max_completion_tokens');
    again.forget('https://api.example.com/v1', 'o3-mini');
    assert.equal(again.profile('https://api.example.com/v1', 'o3-mini').capabilities.tokenLimit, 'max_tokens');
  });
});

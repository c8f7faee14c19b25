import assert from 'node:assert/strict';
import { defaultEndpoint } from '../../../src/core/config';
import { listModels, testConnection } from '../../../src/core/connection';
import { jsonReply, startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';

describe('connection checks', () => {
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const ping = (models = ['m-1', 'm-2'], extra = {}) =>
    startScriptedServer({
      models,
      ...extra,
      respond: (req) =>
        models.includes(req.model ?? '')
          ? jsonReply({ ok: true })
          : {
              kind: 'error',
              status: 404,
              body: { error: { message: `The model '${req.model}' does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
            },
    }).then((s) => {
      servers.push(s);
      return s;
    });

  it("lists the endpoint's models, sorted", async () => {
    const s = await ping(['zeta', 'alpha']);
    assert.deepEqual(await listModels(s.baseURL, ''), ['alpha', 'zeta']);
  });

  it('reports OK with the structured-output mode the endpoint supports', async () => {
    const s = await ping();
    const r = await testConnection(defaultEndpoint({ baseURL: s.baseURL, model: 'm-1' }), '');
    assert.equal(r.ok, true);
    assert.equal(r.structured, 'json_schema');
    const old = await ping(['m-1'], { supportsJsonSchema: false });
    const r2 = await testConnection(defaultEndpoint({ baseURL: old.baseURL, model: 'm-1' }), '');
    assert.equal(r2.ok, true);
    assert.equal(r2.structured, 'json_object');
    assert.match(r2.message, /no JSON schema support/);
  });

  it('names each failure a person can fix: bad key, unknown model, unreachable host', async () => {
    const s = await ping(['m-1'], { apiKey: 'right' });
    const bad = await testConnection(defaultEndpoint({ baseURL: s.baseURL, model: 'm-1' }), 'wrong');
    assert.equal(bad.kind, 'auth');
    assert.match(bad.message, /refused the API key \(401\).*Set API Key/);
    // No key at all is a different problem with a different sentence: nothing was refused, nothing is stored.
    const none = await testConnection(defaultEndpoint({ baseURL: s.baseURL, model: 'm-1' }), '');
    assert.equal(none.kind, 'auth');
    assert.match(none.message, /needs an API key \(401\) and no key is stored for 127\.0\.0\.1:\d+.*Set API Key/);
    assert.doesNotMatch(none.message, /refused/);
    await assert.rejects(listModels(s.baseURL, ''), /needs an API key \(401\) and no key is stored/);
    await assert.rejects(listModels(s.baseURL, 'wrong'), /refused the API key \(401\)/);
    const unknown = await testConnection(defaultEndpoint({ baseURL: s.baseURL, model: 'nope' }), 'right');
    assert.equal(unknown.kind, 'unknown_model');
    assert.match(unknown.message, /does not know this model.*Configure Models/);
    const closed = await startScriptedServer({ respond: () => jsonReply({}) });
    const url = closed.baseURL;
    await closed.close();
    const down = await testConnection(defaultEndpoint({ baseURL: url, model: 'm-1' }), '');
    assert.equal(down.kind, 'unreachable');
    assert.match(down.message, /Cannot reach 127\.0\.0\.1/);
  });
});

// Test Connection's view of an endpoint: the family its model list reveals, and the capabilities a probe detects.
import assert from 'node:assert/strict';
import { defaultEndpoint } from '../../../../src/core/config';
import { familyOfListing, listModelEntries, testConnection } from '../../../../src/core/connection';
import { EndpointProfiles } from '../../../../src/core/endpoints/profiles';
import { jsonReply, startScriptedServer, type ScriptedServer } from '../../../fakes/openai-server';
import { PROFILES } from '../../../fakes/server-profiles';

const byName = (name: string) => PROFILES.find((p) => p.name === name)!;

describe('connection probe', () => {
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (profile: string) => {
    const s = await startScriptedServer({
      respond: (req) =>
        req.stream ? { content: 'OK' } : req.responseFormat || /\{"ok"/.test(JSON.stringify(req.messages)) ? jsonReply({ ok: true }) : { content: 'OK' },
      models: ['m-1'],
      profile: byName(profile),
    });
    servers.push(s);
    return s;
  };

  it('tells the server family from the owners in its model list', async () => {
    for (const [profile, family] of [
      ['vllm', 'vllm'],
      ['ollama', 'ollama'],
      ['llamacpp', 'llamacpp'],
      ['lmstudio', 'lmstudio'],
      ['openai', 'openai'],
    ] as const) {
      const s = await start(profile);
      assert.equal(familyOfListing(await listModelEntries(s.baseURL, '')), family, profile);
    }
  });

  it('reports the capabilities it detected, and where each came from', async () => {
    const s = await start('lmstudio');
    const profiles = new EndpointProfiles();
    const r = await testConnection(defaultEndpoint({ baseURL: s.baseURL, model: 'm-1' }), '', { probe: true, profiles, role: 'judge' });
    assert.equal(r.ok, true, r.message);
    const caps = r.profile!.capabilities;
    assert.equal(caps.n, 'ignored', 'two samples asked for, one came back');
    assert.equal(caps.reasoning, 'field');
    assert.equal(caps.reasons, true);
    assert.equal(r.profile!.sources.n, 'learned');
    assert.ok(r.profile!.notes.some((n) => /ignores n/.test(n)));
    // json_schema was accepted, so JSON mode (which LM Studio refuses) was never tried.
    assert.equal(r.structured, 'json_schema');
  });

  it('names the fix when the probe finds a refusal it cannot adapt to', async () => {
    const s = await startScriptedServer({
      respond: () => ({
        kind: 'error',
        status: 400,
        body: { error: { message: "Invalid value for 'stop'", type: 'invalid_request_error', param: 'stop', code: null } },
      }),
      models: ['m-1'],
    });
    servers.push(s);
    const r = await testConnection(defaultEndpoint({ baseURL: s.baseURL, model: 'm-1' }), '', { profiles: new EndpointProfiles(), role: 'quality' });
    assert.equal(r.ok, false);
    assert.equal(r.kind, 'unsupported');
    assert.match(r.message, /^quality \(m-1 at 127\.0\.0\.1:\d+\/v1\) rejects stop/);
  });
});

// The second judge is configured like the other roles (settings, the CLI's config file, the Models view) and is off
// until it names its own model or endpoint.
import assert from 'node:assert/strict';
import { keysFor, settingsFrom } from '../../../src/cli/config';
import { defaultEndpoint } from '../../../src/core/config';
import { configuredRoles, roleEndpoints } from '../../../src/core/role-endpoints';
import { setupHtml } from '../../../src/host/setup-html';

const shared = defaultEndpoint({ baseURL: 'http://localhost:8000/v1', model: 'big', temperature: 1 });

describe('second judge configuration', () => {
  it('is off unless it names its own model or endpoint; then it follows the shared endpoint, at temperature 0', () => {
    assert.equal(roleEndpoints(shared, {}).judge2, undefined);
    assert.equal(roleEndpoints(shared, { judge2: { temperature: 0.5 } }).judge2, undefined, 'a temperature alone does not turn it on');
    assert.equal(roleEndpoints(shared, { judge2: { model: '  ' } }).judge2, undefined);
    const on = roleEndpoints(shared, { judge: { model: 'judge-a' }, judge2: { model: 'judge-b' } });
    assert.deepEqual(on.judge2, { ...shared, model: 'judge-b', temperature: 0 });
    // The second judge does not inherit the Judge's overrides: it is another model.
    assert.equal(on.judge.model, 'judge-a');
    assert.deepEqual(configuredRoles({ roles: on }), ['challenger', 'quality', 'weak', 'strong', 'judge', 'judge2']);
    assert.deepEqual(configuredRoles({ roles: roleEndpoints(shared, {}) }), ['challenger', 'quality', 'weak', 'strong', 'judge']);
  });

  it("is read from the CLI's config file (roles.judge2), its fields checked like any role's, and its endpoint needs a key", () => {
    const off = settingsFrom({ endpoint: { baseURL: 'http://localhost:8000/v1', model: 'big' } }, '/ws');
    assert.equal(off.engine.roles.judge2, undefined);
    const on = settingsFrom(
      { endpoint: { baseURL: 'http://localhost:8000/v1', model: 'big' }, roles: { judge2: { model: 'other', baseURL: 'https://judge.example/v1' } } },
      '/ws',
    );
    assert.equal(on.engine.roles.judge2?.model, 'other');
    assert.throws(() => settingsFrom({ roles: { judge2: { modle: 'x' } } }, '/ws'), /roles\.judge2\.modle/);
    assert.throws(() => keysFor(on.engine, {}), /no API key for https:\/\/judge\.example \(role judge2\)/);
    assert.equal(keysFor(on.engine, { AUTODATA_API_KEY: 'k' }).get('https://judge.example'), 'k');
  });

  it('has a row in the Models view: its endpoint when on, "off" and how to turn it on otherwise', () => {
    const row = { baseURL: 'http://a/v1', model: 'm', ownBaseUrl: false, ownModel: true, key: 'local', origin: 'http://a' } as const;
    const off = setupHtml({ rows: [{ ...row, role: 'judge' }], notices: [], cspSource: 'x', nonce: 'n' });
    assert.match(off, /<tr data-role="judge2" class="off"><th scope="row">Second judge<\/th><td colspan="3">off: set its own model/);
    const on = setupHtml({
      rows: [
        { ...row, role: 'judge' },
        { ...row, role: 'judge2', model: 'm2' },
      ],
      notices: [],
      cspSource: 'x',
      nonce: 'n',
    });
    assert.doesNotMatch(on, /class="off"/);
    assert.match(on, /<tr data-role="judge2">\s*<th scope="row">Second judge<\/th>[\s\S]*m2/);
  });
});

import assert from 'node:assert/strict';
import type { ConnectionReport } from '../../../src/core/connection';
import { checkView, setupHtml, type RoleRow } from '../../../src/host/setup-html';

const report = (r: Partial<ConnectionReport>): ConnectionReport => ({ ok: false, message: 'x', ms: 12, ...r });

describe('Models view', () => {
  it('splits a connection report into reachable, key accepted, model known, with the fix for the step that failed', () => {
    const ok = checkView(report({ ok: true, message: 'OK', structured: 'json_schema' }), 'stored');
    assert.deepEqual([ok.reachable, ok.keyAccepted, ok.modelKnown, ok.fix], [true, true, true, undefined]);
    const down = checkView(report({ kind: 'unreachable' }), 'local');
    assert.deepEqual([down.reachable, down.keyAccepted, down.modelKnown], [false, undefined, undefined]);
    assert.match(down.fix!, /base URL/);
    const refused = checkView(report({ kind: 'auth' }), 'stored');
    assert.deepEqual([refused.reachable, refused.keyAccepted, refused.modelKnown], [true, false, undefined]);
    assert.match(refused.fix!, /refused the stored key/);
    const none = checkView(report({ kind: 'auth' }), 'missing');
    assert.match(none.fix!, /No key is stored/);
    const unknown = checkView(report({ kind: 'unknown_model' }), 'stored');
    assert.deepEqual([unknown.reachable, unknown.keyAccepted, unknown.modelKnown], [true, true, false]);
    assert.match(unknown.fix!, /Pick a model/);
  });

  it('shows every role with its endpoint, model, whether it is its own, and the key state; never a script', () => {
    const rows: RoleRow[] = [
      { role: 'challenger', baseURL: 'http://a/v1', model: 'big', ownBaseUrl: false, ownModel: false, key: 'stored', origin: 'http://a' },
      { role: 'weak', baseURL: 'http://b/v1', model: 'small<script>', ownBaseUrl: true, ownModel: true, key: 'missing', origin: 'http://b' },
    ];
    const html = setupHtml({ rows, notices: [{ level: 'info', text: 'All roles: big at http://a/v1.', at: new Date() }], cspSource: 'x', nonce: 'n' });
    assert.match(html, /<tr data-role="weak">[\s\S]*http:\/\/b\/v1 <span class="own">own<\/span>[\s\S]*none stored/);
    assert.match(html, /<tr data-role="challenger">[\s\S]*<span class="shared">shared<\/span>/);
    assert.ok(!html.includes('small<script>'));
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /All roles: big at http:\/\/a\/v1\./);
    assert.match(html, /Not tested yet/);
  });
});

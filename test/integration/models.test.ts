// Configure Models and Test Connection in the real VS Code, against scripted endpoints.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RoleCheck } from '../../src/host/model-setup';
import { jsonReply, startScriptedServer, type ScriptedServer } from '../fakes/openai-server';
import { api, resetSettings } from './helpers';
import { sameWeakAndStrong } from '../../src/core/model-pairs';
import { readSettings } from '../../src/host/settings';

suite('models', () => {
  const servers: ScriptedServer[] = [];
  teardown(async () => {
    await resetSettings();
    await vscode.workspace.getConfiguration('autodata').update('model', undefined, vscode.ConfigurationTarget.Global);
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const endpoint = async (models: string[], extra = {}) => {
    const s = await startScriptedServer({
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
    });
    servers.push(s);
    return s;
  };

  test("Configure Models sets a role's endpoint and model in user settings, and Test Connection checks every role", async () => {
    const s = await endpoint(['small', 'large']);
    assert.strictEqual(await vscode.commands.executeCommand('autodata.configureModels', { role: 'all', baseUrl: s.baseURL, model: 'large' }), true);
    assert.strictEqual(await vscode.commands.executeCommand('autodata.configureModels', { role: 'weak', baseUrl: s.baseURL, model: 'small' }), true);
    const cfg = vscode.workspace.getConfiguration('autodata');
    assert.strictEqual(cfg.get('model'), 'large');
    assert.deepStrictEqual(cfg.get('roles.weak'), { baseUrl: s.baseURL, model: 'small' });
    const checks = await vscode.commands.executeCommand<RoleCheck[]>('autodata.testConnection', { silent: true });
    assert.deepStrictEqual(
      checks.map((c) => [c.role, c.model, c.report.ok]),
      [
        ['challenger', 'large', true],
        ['quality', 'large', true],
        ['weak', 'small', true],
        ['strong', 'large', true],
        ['judge', 'large', true],
      ],
    );
    const calls = s.requests.filter((r) => r.path.endsWith('/chat/completions'));
    assert.strictEqual(calls.length, 2, 'one request per distinct model');
  });

  test('for a known endpoint, "All roles" proposes a weak/strong pair that can separate, and sets every role to it', async () => {
    const cfg = () => vscode.workspace.getConfiguration('autodata');
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'judge', baseUrl: 'http://127.0.0.1:9/v1', model: 'old-judge' });
    assert.strictEqual(
      await vscode.commands.executeCommand('autodata.configureModels', { role: 'all', baseUrl: 'http://localhost:8000/v1', pair: true }),
      true,
    );
    assert.strictEqual(cfg().get('baseUrl'), 'http://localhost:8000/v1');
    assert.strictEqual(cfg().get('model'), 'Qwen/Qwen3-32B');
    assert.deepStrictEqual(cfg().inspect('roles.weak')?.globalValue, { baseUrl: 'http://localhost:8001/v1', model: 'Qwen/Qwen3-4B' });
    assert.strictEqual(cfg().inspect('roles.judge')?.globalValue, undefined, 'the pair sets the judge too: its own settings are gone');
    const roles = readSettings().engine.roles;
    assert.notStrictEqual(roles.weak.model, roles.strong.model);
    assert.strictEqual(sameWeakAndStrong(readSettings().engine), undefined, 'a run can start without the same-model warning');
    // No pair is known for an endpoint Autodata has never seen: nothing changes.
    assert.strictEqual(await vscode.commands.executeCommand('autodata.configureModels', { role: 'all', baseUrl: 'http://127.0.0.1:5/v1', pair: true }), false);
    assert.strictEqual(cfg().get('model'), 'Qwen/Qwen3-32B');
  });

  test('"All roles" clears or keeps the roles with their own endpoint, as chosen, and the Models view shows the result', async () => {
    const shared = await endpoint(['large']);
    const other = await endpoint(['small']);
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'weak', baseUrl: other.baseURL, model: 'small' });
    const cfg = () => vscode.workspace.getConfiguration('autodata');
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'all', baseUrl: shared.baseURL, model: 'large', roleOverrides: 'keep' });
    assert.deepStrictEqual(cfg().get('roles.weak'), { baseUrl: other.baseURL, model: 'small' });
    const { setup } = await api();
    await setup.show({ preserveFocus: true });
    const weak = () => setup.rows.find((r) => r.role === 'weak')!;
    assert.deepStrictEqual([weak().baseURL, weak().model, weak().ownBaseUrl], [other.baseURL, 'small', true]);
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'all', baseUrl: shared.baseURL, model: 'large', roleOverrides: 'clear' });
    assert.deepStrictEqual(cfg().inspect('roles.weak')?.globalValue, undefined);
    assert.deepStrictEqual(
      setup.rows.map((r) => [r.role, r.baseURL, r.model, r.ownBaseUrl]),
      ['challenger', 'quality', 'weak', 'strong', 'judge'].map((r) => [r, shared.baseURL, 'large', false]),
    );
    // Test Connection's per-role results land in the view.
    await vscode.commands.executeCommand('autodata.testConnection', { silent: true });
    assert.ok(
      setup.rows.every((r) => r.check?.ok && r.check.reachable && r.check.modelKnown),
      JSON.stringify(setup.rows.map((r) => r.check)),
    );
  });

  test('Test Connection says which role fails and why: unknown model, bad key, unreachable host', async () => {
    const s = await endpoint(['large'], { apiKey: 'sk-right' });
    const closed = await startScriptedServer({ respond: () => jsonReply({}) });
    const downUrl = closed.baseURL;
    await closed.close();
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'all', baseUrl: s.baseURL, model: 'large' });
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'weak', baseUrl: s.baseURL, model: 'missing-model' });
    await vscode.commands.executeCommand('autodata.configureModels', { role: 'judge', baseUrl: downUrl, model: 'large' });
    await vscode.commands.executeCommand('autodata.setApiKey', { baseUrl: s.baseURL, key: 'sk-wrong' });
    try {
      let checks = await vscode.commands.executeCommand<RoleCheck[]>('autodata.testConnection', { silent: true });
      const by = (role: string) => checks.find((c) => c.role === role)!.report;
      assert.strictEqual(by('challenger').kind, 'auth');
      assert.match(by('judge').message, /Cannot reach/);
      await vscode.commands.executeCommand('autodata.setApiKey', { baseUrl: s.baseURL, key: 'sk-right' });
      checks = await vscode.commands.executeCommand<RoleCheck[]>('autodata.testConnection', { silent: true });
      assert.strictEqual(by('challenger').ok, true);
      assert.strictEqual(by('weak').kind, 'unknown_model');
      assert.match(by('weak').message, /missing-model|does not know this model/);
    } finally {
      await vscode.commands.executeCommand('autodata.clearApiKey', { baseUrl: s.baseURL });
    }
  });
});

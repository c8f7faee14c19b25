// Keyless roles through VS Code's Language Model API, with test models from a fixture extension.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { DatasetRecord } from '../../src/shared/schemas';
import type { RoleCheck } from '../../src/host/model-setup';
import type { SessionResult } from '../../src/host/session';
import { jsonReply } from '../fakes/openai-server';
import { MODELS } from '../fakes/scripted-roles';
import { api, GOOD, isolateEachTest, openInEditor, readLines } from './helpers';

const G = vscode.ConfigurationTarget.Global;
const lm = (role: keyof typeof MODELS) => `vscode-lm:autodatatest/${MODELS[role]}`;

suite('keyless models (vscode.lm)', () => {
  const iso = isolateEachTest();

  test('the Challenger, quality check and Judge run on VS Code language models, with JSON from the prompt', async () => {
    const { server, script } = await iso.endpoint([GOOD]);
    process.env.AUTODATA_TEST_LM_URL = server.baseURL;
    const cfg = vscode.workspace.getConfiguration('autodata');
    for (const role of ['challenger', 'quality', 'judge'] as const) {
      await cfg.update(`roles.${role}`, { model: lm(role) }, G);
    }
    const models = await vscode.lm.selectChatModels({ vendor: 'autodatatest' });
    assert.ok(models.length >= 5, 'the fixture provides a test model per role');
    await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result, (await api()).runs.lastError);
    assert.strictEqual(result.outcome, 'completed', result.message);
    const rec = DatasetRecord.parse(JSON.parse(readLines(result.datasetFile)[0]));
    assert.strictEqual(rec.models.challenger, lm('challenger'));
    assert.strictEqual(rec.models.weak, MODELS.weak);
    const viaLm = server.requests.filter((r) => r.model === MODELS.challenger || r.model === MODELS.judge);
    assert.ok(viaLm.length >= 2);
    assert.ok(
      viaLm.every((r) => r.responseFormat === undefined),
      'no response_format: the LM API has none',
    );
    assert.match(JSON.stringify(viaLm[0].messages), /matching this JSON Schema/, 'the schema is asked for in the prompt');

    // Test Connection: one tiny JSON request per role, through the same path.
    server.setResponder((req, ctx) =>
      JSON.stringify(req.messages).includes('Reply with {\\"ok\\": true}') ? jsonReply({ ok: true }) : script.respond(req, ctx),
    );
    const checks = await vscode.commands.executeCommand<RoleCheck[]>('autodata.testConnection', { silent: true });
    assert.ok(checks.find((c) => c.role === 'judge')!.report.ok, JSON.stringify(checks.find((c) => c.role === 'judge')!.report));
  });

  test('a VS Code language model that is not there gets a clear message', async () => {
    const { server } = await iso.endpoint([GOOD]);
    process.env.AUTODATA_TEST_LM_URL = server.baseURL;
    await vscode.workspace.getConfiguration('autodata').update('roles.challenger', { model: 'vscode-lm:nobody/no-such-model' }, G);
    await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    assert.strictEqual(result.outcome, 'error');
    assert.match(result.message ?? '', /No VS Code language model matches vscode-lm:nobody\/no-such-model/);
  });

  for (const [id, message] of [
    ['over-quota-model', /over its quota/],
    ['no-consent-model', /may not use .*allow it when VS Code asks/],
  ] as const) {
    test(`a provider's ${id.replace('-model', '')} error ends the run with a message that says what to do`, async () => {
      const { server } = await iso.endpoint([GOOD]);
      process.env.AUTODATA_TEST_LM_URL = server.baseURL;
      await vscode.workspace.getConfiguration('autodata').update('roles.challenger', { model: `vscode-lm:autodatatest/${id}` }, G);
      await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
      const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
      assert.ok(result);
      assert.strictEqual(result.outcome, 'error');
      assert.match(result.message ?? '', message);
      assert.strictEqual(result.attempts, 1, 'no retry of attempts that cannot succeed');
    });
  }
});

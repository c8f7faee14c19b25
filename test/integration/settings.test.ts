// Settings the run takes from VS Code: a domain preset under the person's own values, base URLs with credentials
// refused, and a run whose weak and strong solvers are one model not started without the person's say.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SessionResult } from '../../src/host/session';
import { readSettings } from '../../src/host/settings';
import { MODELS } from '../fakes/scripted-roles';
import { api, GOOD, isolateEachTest, openInEditor } from './helpers';

const cfg = () => vscode.workspace.getConfiguration('autodata');
const G = vscode.ConfigurationTarget.Global;

suite('settings', () => {
  const iso = isolateEachTest();
  teardown(async () => {
    for (const k of ['domain', 'rollouts.weak', 'maxIterations', 'baseUrl', 'replicas', 'roles.weak', 'roles.judge']) {
      await cfg().update(k, undefined, G);
    }
  });

  test('the legal domain sets 5 weak and 3 strong rollouts and 15 rounds; a rollout count the person set wins', async () => {
    await cfg().update('domain', 'legal', G);
    let s = readSettings();
    assert.deepStrictEqual(s.engine.rollouts, { weak: 5, strong: 3 });
    assert.strictEqual(s.engine.maxIterations, 15);
    assert.strictEqual(s.engine.preset, 'legal');
    await cfg().update('rollouts.weak', 2, G);
    s = readSettings();
    assert.deepStrictEqual(s.engine.rollouts, { weak: 2, strong: 3 });
  });

  test('a base URL with a password in it is refused, and the message does not repeat the password', async () => {
    await cfg().update('baseUrl', 'https://me:hunter2-secret@llm.example.com/v1', G);
    assert.throws(
      () => readSettings(),
      (e: Error) => /user name or password/.test(e.message) && !e.message.includes('hunter2'),
    );
  });

  test('replicas: the shared list for roles on the shared endpoint, none for a role with its own base URL, its own list per role; one with a password refused', async () => {
    await cfg().update('baseUrl', 'http://localhost:8000/v1', G);
    await cfg().update('replicas', ['http://localhost:8001/v1', ' http://localhost:8002/v1 ', ''], G);
    await cfg().update('roles.weak', { baseUrl: 'http://localhost:9000/v1', model: MODELS.weak }, G);
    await cfg().update('roles.judge', { replicas: ['http://localhost:8003/v1'] }, G);
    const s = readSettings();
    assert.deepStrictEqual(s.engine.roles.strong.replicas, ['http://localhost:8001/v1', 'http://localhost:8002/v1']);
    assert.strictEqual(s.engine.roles.weak.replicas, undefined);
    assert.deepStrictEqual(s.engine.roles.judge.replicas, ['http://localhost:8003/v1']);
    assert.deepStrictEqual(s.engine.roles.quality.replicas, ['http://localhost:8003/v1'], 'the quality check follows the judge');
    await cfg().update('replicas', ['https://me:hunter2-secret@gpu2.example.com/v1'], G);
    assert.throws(
      () => readSettings(),
      (e: Error) => /user name or password/.test(e.message) && !e.message.includes('hunter2'),
    );
  });

  test('weak and strong on one model: the run does not start without confirmation, and says how to fix it', async () => {
    const { server } = await iso.endpoint([GOOD]);
    await cfg().update('roles.weak', { model: MODELS.strong }, G);
    await openInEditor('paper.md', ['## 2 Method', 'no extra loss term']);
    // VS Code's test mode answers modal dialogs with their cancel choice: the person did not confirm.
    const result = await vscode.commands.executeCommand<SessionResult | undefined>('autodata.generateFromSelection', { silent: true });
    assert.strictEqual(result, undefined);
    assert.match((await api()).runs.lastError ?? '', /weak and strong solvers are the same model \(strong-model/);
    assert.strictEqual(server.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0, 'no request was made');
  });
});

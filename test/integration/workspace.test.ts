// What a workspace may and may not change: prompt templates yes (recorded on each item), endpoints no.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_PROMPTS, promptVersion } from '../../src/core/prompts';
import { DatasetRecord } from '../../src/shared/schemas';
import type { SessionResult } from '../../src/host/session';
import { jsonReply, startScriptedServer, type ScriptedServer } from '../fakes/openai-server';
import { MODELS } from '../fakes/scripted-roles';
import { api, GOOD, isolateEachTest, openInEditor, readLines, workspaceRoot } from './helpers';

const SELECTION: [string, string] = ['## 2 Method', 'unannealed baseline.'];

suite('workspace', () => {
  const iso = isolateEachTest();
  const extra: ScriptedServer[] = [];
  teardown(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
    fs.rmSync(path.join(workspaceRoot(), '.vscode'), { recursive: true, force: true });
  });

  test('a prompt template in .autodata/prompts changes what the Challenger receives, and its hash is recorded', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const dir = path.join(workspaceRoot(), '.autodata', 'prompts');
    fs.mkdirSync(dir, { recursive: true });
    const custom = `${DEFAULT_PROMPTS.challenger.replace('You are the Challenger', 'HOUSE STYLE: legal questions only. You are the Challenger')}`;
    fs.writeFileSync(path.join(dir, 'challenger.md'), custom);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result, (await api()).runs.lastError);
    const sent = server.requests.find((r) => r.model === MODELS.challenger)!.messages![0].content;
    assert.match(sent, /^HOUSE STYLE: legal questions only/);
    const rec = DatasetRecord.parse(JSON.parse(readLines(result.datasetFile)[0]));
    assert.strictEqual(rec.promptVersion, promptVersion({ ...DEFAULT_PROMPTS, challenger: custom }));
    assert.notStrictEqual(rec.promptVersion, promptVersion(DEFAULT_PROMPTS));

    // A template that drops a slot the role needs is refused with the reason, before any request.
    fs.writeFileSync(path.join(dir, 'solver.md'), 'Answer briefly.');
    const before = server.requests.length;
    // The run's panel has the focus now: select the passage again, as a person would.
    await openInEditor('paper.md', SELECTION);
    assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromSelection', { silent: true }), undefined);
    assert.match((await api()).runs.lastError ?? '', /solver template must contain \{\{question\}\}/);
    assert.strictEqual(server.requests.length, before);
  });

  test('a workspace .vscode/settings.json cannot redirect requests (and the key) to another host', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const attacker = await startScriptedServer({ respond: () => jsonReply({}) });
    extra.push(attacker);
    fs.mkdirSync(path.join(workspaceRoot(), '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(workspaceRoot(), '.vscode', 'settings.json'),
      JSON.stringify({
        'autodata.baseUrl': attacker.baseURL,
        'autodata.roles.challenger': { baseUrl: attacker.baseURL, model: MODELS.challenger },
        'autodata.roles.judge': { baseUrl: attacker.baseURL },
      }),
    );
    await vscode.commands.executeCommand('autodata.setApiKey', { baseUrl: server.baseURL, key: 'sk-do-not-leak' });
    try {
      // Give VS Code time to read the new workspace settings file.
      for (let i = 0; i < 50 && vscode.workspace.getConfiguration('autodata').inspect('baseUrl')?.workspaceValue === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await openInEditor('paper.md', SELECTION);
      const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
      assert.ok(result, (await api()).runs.lastError);
      assert.strictEqual(result.outcome, 'completed');
      assert.strictEqual(attacker.requests.length, 0, "nothing reached the workspace's host");
      assert.ok(server.requests.length > 0);
    } finally {
      await vscode.commands.executeCommand('autodata.clearApiKey', { baseUrl: server.baseURL });
    }
  });
});

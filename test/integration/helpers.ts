// Shared set-up for the integration suites: the extension's API, a scripted endpoint wired into user settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AutodataApi } from '../../src/extension';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../fakes/openai-server';
import { MODELS, SECOND_JUDGE_MODEL, scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';

export const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
export const EASY: ScriptedQuestion = { weak: [0.9, 0.9, 1], strong: [1, 1, 1] };

export async function api(): Promise<AutodataApi> {
  const ext = vscode.extensions.getExtension<AutodataApi>('autodata.autodata-vscode');
  if (!ext) {
    throw new Error('extension not installed');
  }
  return ext.activate();
}

export function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) {
    throw new Error('no workspace folder');
  }
  return f.uri.fsPath;
}

const cfg = () => vscode.workspace.getConfiguration('autodata');
const G = vscode.ConfigurationTarget.Global;

/** Starts a scripted endpoint and points every role at it (user settings, one model name per role). */
export async function scriptedEndpoint(questions: ScriptedQuestion[], opts: Partial<ScriptedServerOptions> = {}, lat: Parameters<typeof scriptRoles>[1] = {}) {
  const script = scriptRoles(questions, lat);
  const server = await startScriptedServer({ respond: script.respond, models: [...Object.values(MODELS), SECOND_JUDGE_MODEL], ...opts });
  await cfg().update('baseUrl', server.baseURL, G);
  for (const role of ['challenger', 'quality', 'weak', 'strong', 'judge'] as const) {
    await cfg().update(`roles.${role}`, { model: MODELS[role] }, G);
  }
  await cfg().update('maxTokens', 512, G);
  await cfg().update('maxRetries', 1, G);
  return { server, script };
}

export async function resetSettings(server?: ScriptedServer): Promise<void> {
  for (const key of [
    'baseUrl',
    'roles.challenger',
    'roles.quality',
    'roles.weak',
    'roles.strong',
    'roles.judge',
    'roles.judge2',
    'maxTokens',
    'maxRetries',
    'datasetPath',
    'itemsPerRun',
    'maxIterations',
    'solveOrder',
  ]) {
    await cfg().update(key, undefined, G);
    // Machine-scoped settings cannot be written to the workspace, so there is nothing there to clear.
    if (cfg().inspect(key)?.workspaceValue !== undefined) {
      await cfg().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  }
  await server?.close();
}

/**
 * The usual suite set-up: a clean .autodata before each test; after it, settings reset, the scripted endpoint closed,
 * panels and editors closed. Tests get their endpoint from `endpoint()`, so it is closed for them.
 */
export function isolateEachTest() {
  let current: ScriptedServer | undefined;
  setup(() => removeAutodataDir());
  teardown(async () => {
    await resetSettings(current);
    current = undefined;
    for (const p of (await api()).panels.all()) {
      p.dispose();
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  return {
    async endpoint(...args: Parameters<typeof scriptedEndpoint>) {
      const r = await scriptedEndpoint(...args);
      current = r.server;
      return r;
    },
  };
}

export async function openInEditor(rel: string, select?: [string, string]): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceRoot(), rel)));
  const editor = await vscode.window.showTextDocument(doc);
  if (select) {
    const text = doc.getText();
    const start = text.indexOf(select[0]);
    const end = text.indexOf(select[1], start) + select[1].length;
    editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(end));
  }
  return editor;
}

export function readLines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : [];
}

export function removeAutodataDir(): void {
  fs.rmSync(path.join(workspaceRoot(), '.autodata'), { recursive: true, force: true });
}

export const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

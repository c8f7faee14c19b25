// The command table: every `autodata.*` command as a small function over the context's services. activate registers
// them all; package.json lists the same ids (a test checks both agree).
import * as vscode from 'vscode';
import { originOf } from '../core/endpoint';
import type { Role } from '../shared/schemas';
import { resolveInside } from '../run/jsonl';
import type { Ctx } from './ctx';
import { exportCommand } from './export-command';
import { generateFromFiles } from './generate-files-command';
import type { GenerateOptions } from './run-service';
import { readSettings } from './settings';
import { UserError } from './user-error';

type Cmd = (...args: any[]) => unknown;

/** Menus pass a resource URI as the first argument; only a plain options object is taken as options. */
function generateOptions(arg: unknown): GenerateOptions {
  if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri) {
    return {};
  }
  const o = arg as GenerateOptions;
  return { mode: o.mode === 'step' ? 'step' : undefined, silent: o.silent === true, goal: typeof o.goal === 'number' ? o.goal : undefined };
}

export function createCommands(): Record<string, (ctx: Ctx) => Cmd> {
  return {
    'autodata.generateFromDocument': (ctx) => (arg?: unknown) => ctx.runs.generate('document', generateOptions(arg)),
    'autodata.generateFromSelection': (ctx) => (arg?: unknown) => ctx.runs.generate('selection', generateOptions(arg)),
    'autodata.generateFromFile': (ctx) => (uri?: unknown, opts?: unknown) =>
      uri instanceof vscode.Uri
        ? ctx.runs.generate('document', { ...generateOptions(opts), uri })
        : ctx.runs.generate('document', generateOptions(opts ?? uri)),
    'autodata.generateFromFiles': (ctx) => (clicked?: unknown, selected?: unknown) => generateFromFiles(ctx, clicked, selected),
    'autodata.showPanel': (ctx) => () => ctx.panels.show(),
    'autodata.resumeRun': (ctx) => (runId?: unknown) => ctx.runs.resume(typeof runId === 'string' ? runId : undefined, { silent: typeof runId === 'string' }),
    'autodata.stop': (ctx) => () => ctx.runs.stop(),
    'autodata.configureModels': (ctx) => (args?: { role?: Role | 'all'; baseUrl?: string; model?: string }) => ctx.models.configure(args),
    'autodata.testConnection': (ctx) => (args?: { silent?: boolean }) => ctx.models.test(args),
    'autodata.setApiKey': (ctx) => (args?: { baseUrl?: string; key?: string }) => setApiKey(ctx, args),
    'autodata.clearApiKey': (ctx) => async (args?: { baseUrl?: string }) => {
      await ctx.keys.clear(args?.baseUrl ? originOf(args.baseUrl) : originOf(readSettings().engine.roles.challenger.baseURL));
    },
    'autodata.openDataset': (ctx) => () => openDataset(ctx),
    'autodata.exportDataset': () => (args?: Parameters<typeof exportCommand>[0]) => exportCommand(args),
    'autodata.showLog': (ctx) => () => ctx.log.show(),
  };
}

async function setApiKey(ctx: Ctx, args?: { baseUrl?: string; key?: string }): Promise<void> {
  const origins = [...new Set(Object.values(readSettings().engine.roles).map((r) => originOf(r.baseURL)))];
  const origin = args?.baseUrl
    ? originOf(args.baseUrl)
    : origins.length === 1
      ? origins[0]
      : await vscode.window.showQuickPick(origins, { title: 'Autodata: Set API Key', placeHolder: 'Which endpoint is the key for?' });
  if (!origin) {
    return;
  }
  const key =
    args?.key ??
    (await vscode.window.showInputBox({
      title: `API key for ${origin}`,
      password: true,
      ignoreFocusOut: true,
      prompt: "Stored in VS Code's secret storage, never in settings.",
    }));
  if (!key) {
    return;
  }
  await ctx.keys.set(origin, key);
  if (!args?.key) {
    void vscode.window.showInformationMessage(`Autodata: API key for ${origin} saved in secret storage.`);
  }
}

async function openDataset(ctx: Ctx): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    return ctx.runs.report(new UserError('Open a folder first: the dataset lives in the workspace.'));
  }
  try {
    const file = await resolveInside(folder.uri.fsPath, readSettings(folder.uri).datasetPath);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  } catch (e) {
    ctx.runs.report(e);
  }
}

// The command table: every `autodata.*` command as a small function over the context's services. activate registers
// them all; package.json lists the same ids (a test checks both agree).
import * as vscode from 'vscode';
import { baseURLsOf, originOf } from '../core/endpoint';
import type { Role } from '../shared/schemas';
import { resolveInside } from '../run/jsonl';
import type { Ctx } from './ctx';
import { datasetCardCommand } from './dataset-card-command';
import { estimateCommand } from './estimate-command';
import { exportCommand } from './export-command';
import { remeasureCommand } from './remeasure-command';
import { generateFromFiles } from './generate-files-command';
import type { GenerateOptions } from './run-service';
import { readSettings } from './settings';
import { ROLE_LABEL } from './setup-html';
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
    'autodata.showPanel': (ctx) => (runId?: unknown) => ctx.panels.show(typeof runId === 'string' ? runId : undefined),
    'autodata.resumeRun': (ctx) => (runId?: unknown) => ctx.runs.resume(typeof runId === 'string' ? runId : undefined, { silent: typeof runId === 'string' }),
    'autodata.stop': (ctx) => () => ctx.runs.stop(),
    'autodata.configureModels': (ctx) => (args?: { role?: Role | 'all'; baseUrl?: string; model?: string }) => ctx.models.configure(args),
    'autodata.testConnection': (ctx) => (args?: { silent?: boolean }) => ctx.models.test(args),
    'autodata.setApiKey': (ctx) => (args?: { baseUrl?: string; key?: string }) => setApiKey(ctx, args),
    'autodata.clearApiKey': (ctx) => async (args?: { baseUrl?: string }) => {
      const origin = args?.baseUrl ? originOf(args.baseUrl) : originOf(readSettings().engine.roles.challenger.baseURL);
      await ctx.keys.clear(origin);
      ctx.setup.note('info', `API key for ${origin} removed from secret storage.`);
      await ctx.setup.show({ ifOpen: true, preserveFocus: true });
    },
    'autodata.openDataset': (ctx) => () => openDataset(ctx),
    'autodata.exportDataset': () => (args?: Parameters<typeof exportCommand>[0]) => exportCommand(args),
    'autodata.showLog': (ctx) => () => ctx.log.show(),
    'autodata.estimateCost': (ctx) => (args?: Parameters<typeof estimateCommand>[1]) => estimateCommand(ctx, args),
    'autodata.remeasureDataset': (ctx) => (args?: Parameters<typeof remeasureCommand>[1]) => remeasureCommand(ctx, args),
    'autodata.exportDatasetCard': (ctx) => (args?: Parameters<typeof datasetCardCommand>[1]) => datasetCardCommand(ctx, args),
  };
}

async function setApiKey(ctx: Ctx, args?: { baseUrl?: string; key?: string }): Promise<void> {
  const roles = readSettings().engine.roles;
  // Every host a role sends to, its replicas included.
  const used = [...new Set(Object.values(roles).flatMap((r) => baseURLsOf(r).map(originOf)))];
  const OTHER = '$(add) Another endpoint…';
  let origin = args?.baseUrl ? originOf(args.baseUrl) : undefined;
  if (!origin) {
    // Asked even with one endpoint in use: a person setting the key first may mean an endpoint not configured yet.
    const pick = await vscode.window.showQuickPick(
      [
        ...used.map((o) => ({
          label: o,
          description: (Object.keys(roles) as Array<keyof typeof roles>)
            .filter((r) => roles[r] && baseURLsOf(roles[r]).some((u) => originOf(u) === o))
            .map((r) => ROLE_LABEL[r])
            .join(', '),
        })),
        { label: OTHER, description: 'an endpoint no role uses yet' },
      ],
      { title: 'Autodata: Set API Key', placeHolder: 'Which endpoint is the key for?', ignoreFocusOut: true },
    );
    if (pick?.label === OTHER) {
      const url = await vscode.window.showInputBox({
        title: 'Base URL of the endpoint',
        value: 'https://',
        ignoreFocusOut: true,
        validateInput: (v) => (/^https?:\/\/[^/\s]+/.test(v.trim()) ? undefined : 'An http(s) URL, e.g. https://openrouter.ai/api/v1'),
      });
      origin = url ? originOf(url.trim()) : undefined;
    } else {
      origin = pick?.label;
    }
  }
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
  ctx.setup.note('info', `API key for ${origin} saved in secret storage. Test Connection checks that the endpoint accepts it.`);
  // Typed in: the Models view shows it stays stored (a key passed by a caller only refreshes an open view).
  await ctx.setup.show({ ifOpen: Boolean(args?.key), preserveFocus: true });
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

// Entry point: builds the services and registers commands and the panel serializer; logic lives in src/host and src/core.
import * as vscode from 'vscode';
import { Commands, type GenerateOptions } from './host/commands';
import { exportCommand } from './host/export-command';
import { VIEW_TYPE } from './host/panel';
import { Panels } from './host/panels';
import { ModelSetup } from './host/model-setup';
import { ApiKeys } from './host/secrets';
import { RunStatus } from './host/status';

export interface AutodataApi {
  commands: Commands;
  panels: Panels;
  /** This extension's log folder (tests check that no secret reaches it). */
  logUri: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): AutodataApi {
  const log = vscode.window.createOutputChannel('Autodata', { log: true });
  const keys = new ApiKeys(context.secrets);
  const modelSetup = new ModelSetup(keys, log);
  const commands = new Commands(keys, log);
  const status = new RunStatus();
  const panels = new Panels({
    extensionUri: context.extensionUri, log,
    datasetFor: (folder) => commands.datasetFor(folder),
    startRun: (uri, mode, goal, panel) => commands.generate('document', { uri, mode, goal, panel, silent: true }),
    openDataset: () => commands.openDataset(),
    resumeRun: (runId, mode, panel) => commands.resumeRun(runId, { mode, panel, silent: true }),
  });
  const register = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  register('autodata.generateFromDocument', (arg?: unknown) => commands.generate('document', generateOptions(arg)));
  register('autodata.generateFromSelection', (arg?: unknown) => commands.generate('selection', generateOptions(arg)));
  register('autodata.generateFromFile', (uri?: unknown, opts?: unknown) => (uri instanceof vscode.Uri
    ? commands.generate('document', { ...generateOptions(opts), uri }) : commands.generate('document', generateOptions(opts))));
  register('autodata.showPanel', () => panels.show());
  register('autodata.resumeRun', (runId?: unknown) => commands.resumeRun(typeof runId === 'string' ? runId : undefined, { silent: typeof runId === 'string' }));
  register('autodata.stop', () => commands.stop());
  register('autodata.configureModels', (args?: Parameters<ModelSetup['configure']>[0]) => modelSetup.configure(args));
  register('autodata.testConnection', (args?: { silent?: boolean }) => modelSetup.test(args));
  register('autodata.setApiKey', (args?: { baseUrl?: string; key?: string }) => commands.setApiKey(args));
  register('autodata.clearApiKey', (args?: { baseUrl?: string }) => commands.clearApiKey(args));
  register('autodata.openDataset', () => commands.openDataset());
  register('autodata.exportDataset', (args?: Parameters<typeof exportCommand>[0]) => exportCommand(args));
  register('autodata.showLog', () => log.show());
  context.subscriptions.push(
    log, panels,
    status,
    commands.onDidStartSession(({ session, source, reuse, history }) => { panels.showSession(session, source, reuse, history); status.track(session); }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, panels),
    { dispose: () => commands.stop() },
  );
  return { commands, panels, logUri: context.logUri };
}

/** Menus pass a resource URI as the first argument; only a plain options object is taken as options. */
function generateOptions(arg: unknown): GenerateOptions {
  if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri) { return {}; }
  const o = arg as GenerateOptions;
  return { mode: o.mode === 'step' ? 'step' : undefined, silent: o.silent === true, goal: typeof o.goal === 'number' ? o.goal : undefined };
}

export function deactivate(): void { /* disposables are owned by the context */ }

// Entry point: builds the services and registers the commands; all logic lives in src/host and src/core.
import * as vscode from 'vscode';
import { Commands, type GenerateOptions } from './host/commands';
import { ApiKeys } from './host/secrets';

export interface AutodataApi {
  commands: Commands;
}

export function activate(context: vscode.ExtensionContext): AutodataApi {
  const log = vscode.window.createOutputChannel('Autodata', { log: true });
  const commands = new Commands(new ApiKeys(context.secrets), log);
  const register = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  register('autodata.generateFromDocument', (arg?: unknown) => commands.generate('document', generateOptions(arg)));
  register('autodata.generateFromSelection', (arg?: unknown) => commands.generate('selection', generateOptions(arg)));
  register('autodata.stop', () => commands.stop());
  register('autodata.setApiKey', (args?: { baseUrl?: string; key?: string }) => commands.setApiKey(args));
  register('autodata.clearApiKey', (args?: { baseUrl?: string }) => commands.clearApiKey(args));
  register('autodata.openDataset', () => commands.openDataset());
  register('autodata.showLog', () => log.show());
  context.subscriptions.push(log, { dispose: () => commands.stop() });
  return { commands };
}

/** Menus pass a resource URI as the first argument; only a plain options object is taken as options. */
function generateOptions(arg: unknown): GenerateOptions {
  if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri) { return {}; }
  const o = arg as GenerateOptions;
  return { mode: o.mode === 'step' ? 'step' : undefined, silent: o.silent === true };
}

export function deactivate(): void { /* disposables are owned by the context */ }

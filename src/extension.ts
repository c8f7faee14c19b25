// Entry point: wires the services together; all logic lives in src/host and src/core.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext) {
  context.subscriptions.push(vscode.commands.registerCommand('autodata.generateFromDocument', () => undefined));
  return {};
}

export function deactivate() { /* disposables are owned by the context */ }

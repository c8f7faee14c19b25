// Entry point: builds the context and registers the command table; logic lives in src/host, src/run and src/core.
import * as vscode from 'vscode';
import { createCommands } from './host/commands';
import { Ctx } from './host/ctx';
import type { Panels } from './host/panels';
import type { RunService } from './host/run-service';
import type { SetupView } from './host/setup-view';
import { openWalkthroughOnFirstUse } from './host/welcome';

export interface AutodataApi {
  runs: RunService;
  panels: Panels;
  /** The Models view (roles, endpoints, keys and the last Test Connection). */
  setup: SetupView;
  /** This extension's log folder (tests check that no secret reaches it). */
  logUri: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): AutodataApi {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  for (const [id, factory] of Object.entries(createCommands())) {
    ctx.own(vscode.commands.registerCommand(id, factory(ctx)));
  }
  // Readiness, for people and UI checks alike: every command is registered once this context key is set and this
  // line is in the Autodata log.
  void vscode.commands.executeCommand('setContext', 'autodata.ready', true);
  ctx.logRoles('roles');
  ctx.log.info(`Autodata ${String(context.extension.packageJSON.version)} ready`);
  void openWalkthroughOnFirstUse(context, ctx.log);
  return { runs: ctx.runs, panels: ctx.panels, setup: ctx.setup, logUri: context.logUri };
}

export function deactivate(): void {
  /* the context owns every disposable */
}

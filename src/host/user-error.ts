// Problems a person can fix, shown with the buttons that fix them; everything else goes to the log with a Show Log button.
import * as vscode from 'vscode';

export type FixAction = 'Set API Key' | 'Open Settings' | 'Show Log' | 'Configure Models';

export class UserError extends Error {
  constructor(
    message: string,
    readonly actions: FixAction[] = [],
  ) {
    super(message);
  }
}

/** Shows the error without waiting for the person to dismiss it; the buttons run the fix. Returns the message shown. */
export function showError(e: unknown, log: vscode.LogOutputChannel): string {
  const err = e instanceof UserError ? e : new UserError(`Autodata: ${(e as Error)?.message ?? String(e)}`, ['Show Log']);
  log.error(err.message);
  void vscode.window.showErrorMessage(err.message, ...err.actions).then(async (pick) => {
    if (pick === 'Set API Key') {
      await vscode.commands.executeCommand('autodata.setApiKey');
    }
    if (pick === 'Configure Models') {
      await vscode.commands.executeCommand('autodata.configureModels');
    }
    if (pick === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'autodata');
    }
    if (pick === 'Show Log') {
      log.show();
    }
  });
  return err.message;
}

/** The fix a failed run's message points to. */
export function fixesFor(message: string): FixAction[] {
  if (/API key|401|403/.test(message)) {
    return ['Set API Key', 'Show Log'];
  }
  if (/model|thresholds|reach/i.test(message)) {
    return ['Open Settings', 'Show Log'];
  }
  return ['Show Log'];
}

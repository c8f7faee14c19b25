// First use: the "Get started with Autodata" walkthrough opens once, the first time the extension runs for this person,
// unless they turned off walkthroughs opening by themselves (workbench.welcomePage.walkthroughs.openOnInstall).
import * as vscode from 'vscode';

const WELCOMED = 'autodata.walkthroughShown';
export const WALKTHROUGH = 'autodata.autodata-vscode#autodata.start';

export async function openWalkthroughOnFirstUse(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<boolean> {
  if (context.globalState.get<boolean>(WELCOMED)) {
    return false;
  }
  await context.globalState.update(WELCOMED, true);
  if (!vscode.workspace.getConfiguration('workbench.welcomePage.walkthroughs').get<boolean>('openOnInstall', true)) {
    return false;
  }
  try {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
    log.info('first use: opened the "Get started with Autodata" walkthrough');
    return true;
  } catch (e) {
    log.warn(`could not open the walkthrough: ${(e as Error).message}`);
    return false;
  }
}

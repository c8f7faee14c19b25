import * as assert from 'assert';
import * as vscode from 'vscode';

suite('activation', () => {
  test('the extension activates and registers its commands', async () => {
    const ext = vscode.extensions.getExtension('autodata.autodata-vscode');
    assert.ok(ext, 'extension is installed');
    await ext.activate();
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('autodata.generateFromDocument'), 'generate command registered');
  });
});

// Activation: the command table and package.json's command list agree, and every command is registered.
import * as assert from 'assert';
import * as vscode from 'vscode';

suite('activation', () => {
  test('the extension activates and registers exactly the commands package.json lists', async () => {
    const ext = vscode.extensions.getExtension('autodata.autodata-vscode');
    assert.ok(ext, 'extension is installed');
    await ext.activate();
    const listed = (ext.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command).sort();
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('autodata.')).sort();
    assert.deepStrictEqual(registered, listed);
  });
});

// Estimate Cost, Re-measure Dataset and Export Dataset Card in the real VS Code, over a dataset the extension generated.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DatasetRecord } from '../../src/shared/schemas';
import type { DatasetCardResult } from '../../src/host/dataset-card-command';
import type { EstimateResult } from '../../src/host/estimate-command';
import type { RemeasureCommandResult } from '../../src/host/remeasure-command';
import type { SessionResult } from '../../src/host/session';
import { MODELS } from '../fakes/scripted-roles';
import { GOOD, isolateEachTest, openInEditor, readLines, workspaceRoot } from './helpers';

const G = vscode.ConfigurationTarget.Global;

suite('dataset commands', () => {
  const iso = isolateEachTest();

  async function generated(): Promise<SessionResult> {
    await iso.endpoint([GOOD]);
    await openInEditor('paper.md');
    const run = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    assert.ok(run && run.accepted.length >= 2, 'items to work on');
    return run;
  }

  test('Re-measure Dataset: a weak model that learned finds every item too easy, keeps its scores under the label, and opens the learnable subset', async () => {
    const run = await generated();
    // The "trained" weak model answers as well as the strong one did.
    await vscode.workspace.getConfiguration('autodata').update('roles.weak', { model: MODELS.strong }, G);
    const r = await vscode.commands.executeCommand<RemeasureCommandResult>('autodata.remeasureDataset', { label: 'trained', keepWeak: true });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(r, 'the command returns its result');
    assert.strictEqual(r.report.total, run.accepted.length);
    assert.strictEqual(r.report.counts.too_easy, run.accepted.length, r.summary);
    assert.strictEqual(r.learnable, 0);
    const results = readLines(path.join(workspaceRoot(), '.autodata', 'remeasure', 'trained.jsonl')).map((l) => JSON.parse(l));
    assert.deepStrictEqual(results.map((x) => x.id).sort(), run.accepted.map((x) => x.id).sort());
    assert.ok(results.every((x) => x.model === MODELS.strong && x.label === 'trained' && x.mean >= 0.8));
    // The learnable subset is written (empty here) and open in the editor.
    assert.strictEqual(r.learnableFile, path.join(workspaceRoot(), '.autodata', 'remeasure', 'trained-learnable.jsonl'));
    assert.strictEqual(fs.readFileSync(r.learnableFile!, 'utf8'), '');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, r.learnableFile);
  });

  test('Re-measure Dataset: the same weak model finds the items still learnable', async () => {
    const run = await generated();
    const r = await vscode.commands.executeCommand<RemeasureCommandResult>('autodata.remeasureDataset', { label: 'same', keepWeak: true, silent: true });
    assert.ok(r);
    assert.strictEqual(r.learnable, run.accepted.length, r.summary);
    const kept = readLines(r.learnableFile!).map((l) => DatasetRecord.parse(JSON.parse(l)).id);
    assert.deepStrictEqual(kept.sort(), run.accepted.map((x) => x.id).sort());
  });

  test('Export Dataset Card: writes the Hugging Face folder and opens its README', async () => {
    const run = await generated();
    const r = await vscode.commands.executeCommand<DatasetCardResult>('autodata.exportDatasetCard', { format: 'sft' });
    assert.ok(r, 'the command returns its result');
    assert.strictEqual(r.folder, path.join(workspaceRoot(), '.autodata', 'hub', 'dataset'));
    assert.strictEqual(readLines(r.dataFile).length, run.accepted.length);
    const card = fs.readFileSync(r.readme, 'utf8');
    assert.match(card, /^---\n/);
    assert.ok(card.includes(MODELS.weak) && card.includes(MODELS.strong), 'the card names the models');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, r.readme);
  });

  test('Estimate Cost: a pilot over a sample of the sections, kept as a run, and the whole document extrapolated', async () => {
    await iso.endpoint([GOOD]);
    await openInEditor('paper.md');
    const r = await vscode.commands.executeCommand<EstimateResult>('autodata.estimateCost', { sections: 2, attempts: 1, silent: true });
    assert.ok(r?.estimate, r?.lines.join('\n'));
    assert.strictEqual(r.estimate.pilot.sections, 2);
    assert.strictEqual(r.estimate.pilot.attempts, 2);
    assert.match(r.lines[0], /^Estimate for \d+ section\(s\), at most 10 attempt\(s\) each:/);
    assert.match(r.lines.join('\n'), /Basis: a pilot of 2 section\(s\)/);
    // The pilot's items are kept: its journal and its accepted items in the dataset.
    assert.ok(fs.existsSync(path.join(workspaceRoot(), '.autodata', 'runs', `${r.runId}.jsonl`)));
    const items = readLines(path.join(workspaceRoot(), '.autodata', 'dataset.jsonl')).map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.strictEqual(items.filter((x) => x.runId === r.runId).length, r.estimate.pilot.items);
  });
});

// Autodata: Export Dataset — the workspace dataset as chat SFT, GRPO (prompt + rubric columns) or DPO pairs, written by
// the same exporter the CLI uses (`autodata export`), so both always produce the same files.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportDataset } from '../cli/export';
import type { ExportFormat } from '../core/exporters';
import { runsDir } from './journal';
import { resolveInside } from './jsonl';
import { readSettings } from './settings';

const FORMATS: Array<{ label: string; detail: string; format: ExportFormat }> = [
  { label: 'Chat SFT', detail: 'messages: the question, then the reference answer', format: 'sft' },
  { label: 'GRPO / RL', detail: 'a prompt column plus rubric, reference_answer and scores for rubric-based rewards (TRL GRPOTrainer)', format: 'grpo' },
  { label: 'DPO pairs', detail: 'prompt, chosen (best strong answer), rejected (worst weak answer), from the run journals', format: 'dpo' },
];

export interface ExportResult { file: string; output: string }

export async function exportCommand(args?: { format?: ExportFormat; out?: string }): Promise<ExportResult | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') { void vscode.window.showErrorMessage('Open the folder that holds the dataset first.'); return undefined; }
  const root = folder.uri.fsPath;
  const dataset = await resolveInside(root, readSettings(folder.uri).datasetPath);
  const format = args?.format ?? (await vscode.window.showQuickPick(FORMATS, { title: 'Autodata: Export Dataset', placeHolder: 'Which training format?' }))?.format;
  if (!format) { return undefined; }
  const out = args?.out ?? (await vscode.window.showSaveDialog({
    title: `Export ${path.basename(dataset)} as ${format.toUpperCase()}`, filters: { 'JSON Lines': ['jsonl'] },
    defaultUri: vscode.Uri.file(path.join(root, '.autodata', 'exports', `${path.basename(dataset, '.jsonl')}-${format}.jsonl`)),
  }))?.fsPath;
  if (!out) { return undefined; }
  const lines: string[] = [];
  const code = await exportDataset([dataset, '--format', format, '--out', out, ...(format === 'dpo' ? ['--journals', runsDir(root)] : [])],
    { stdout: (t) => lines.push(t), stderr: (t) => lines.push(t), env: process.env, cwd: root }).catch((e: Error) => { lines.push(e.message); return 1; });
  const output = lines.join('').trim();
  if (code !== 0) {
    void vscode.window.showErrorMessage(`Autodata: the export failed: ${output}`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Autodata: ${output.split('\n').join(' · ')}`, 'Open').then((b) => {
    if (b === 'Open') { void vscode.window.showTextDocument(vscode.Uri.file(out)); }
  });
  return { file: out, output };
}

// Autodata: Export Dataset — the workspace dataset as chat SFT, GRPO (prompt + rubric columns) or DPO pairs, written by
// the same exporter the CLI uses (`autodata export`), so both always produce the same files.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportFormat } from '../core/exporters';
import { exportDataset } from '../run/export';
import { runsDir } from '../run/journal';
import { resolveInside } from '../run/jsonl';
import { readSettings } from './settings';

export const FORMATS: Array<{ label: string; detail: string; format: ExportFormat }> = [
  { label: 'Chat SFT', detail: 'messages: the question, then the reference answer', format: 'sft' },
  { label: 'GRPO / RL', detail: 'a prompt column plus rubric, reference_answer and scores for rubric-based rewards (TRL GRPOTrainer)', format: 'grpo' },
  { label: 'DPO pairs', detail: 'prompt, chosen (best strong answer), rejected (worst weak answer), from the run journals', format: 'dpo' },
];

export interface ExportResult {
  file: string;
  output: string;
}

let statusMessage: vscode.Disposable | undefined;
function setStatusMessage(text: string): void {
  statusMessage?.dispose();
  statusMessage = vscode.window.setStatusBarMessage(text, 60_000);
}

export async function exportCommand(args?: { format?: ExportFormat; out?: string; open?: boolean }): Promise<ExportResult | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Open the folder that holds the dataset first.');
    return undefined;
  }
  const root = folder.uri.fsPath;
  const dataset = await resolveInside(root, readSettings(folder.uri).datasetPath);
  const format =
    args?.format ?? (await vscode.window.showQuickPick(FORMATS, { title: 'Autodata: Export Dataset', placeHolder: 'Which training format?' }))?.format;
  if (!format) {
    return undefined;
  }
  // No dialog: the file goes to .autodata/exports/ (created as needed), named after the dataset and the format, and
  // opens when written; a caller may name another file.
  const out = args?.out ?? path.join(root, '.autodata', 'exports', `${path.basename(dataset, '.jsonl')}-${format}.jsonl`);
  let output: string;
  let rows: number;
  try {
    await fs.mkdir(path.dirname(out), { recursive: true });
    const report = await exportDataset({ datasetFile: dataset, format, out, journals: runsDir(root), workspace: root });
    rows = report.rows;
    output = [`${report.rows} ${format} row(s) → ${out}`, ...report.notes].join('\n');
  } catch (e) {
    void vscode.window.showErrorMessage(`Autodata: the export failed: ${(e as Error).message}`);
    return undefined;
  }
  if (args?.open !== false) {
    await vscode.window.showTextDocument(vscode.Uri.file(out), { preview: false });
  }
  const summary = `Autodata: exported ${rows} ${FORMATS.find((f) => f.format === format)?.label ?? format} row(s) to ${path.relative(root, out) || out}`;
  // A status bar message stays for a while after the notification toast goes, next to the file that opened.
  setStatusMessage(`$(export) ${summary}`);
  void vscode.window.showInformationMessage([summary, ...output.split('\n').slice(1)].join(' · '), 'Reveal in Explorer').then((b) => {
    if (b === 'Reveal in Explorer') {
      void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(out));
    }
  });
  return { file: out, output };
}

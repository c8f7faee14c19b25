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

const FORMATS: Array<{ label: string; detail: string; format: ExportFormat }> = [
  { label: 'Chat SFT', detail: 'messages: the question, then the reference answer', format: 'sft' },
  { label: 'GRPO / RL', detail: 'a prompt column plus rubric, reference_answer and scores for rubric-based rewards (TRL GRPOTrainer)', format: 'grpo' },
  { label: 'DPO pairs', detail: 'prompt, chosen (best strong answer), rejected (worst weak answer), from the run journals', format: 'dpo' },
];

export interface ExportResult {
  file: string;
  output: string;
}

export async function exportCommand(args?: { format?: ExportFormat; out?: string }): Promise<ExportResult | undefined> {
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
  // The default folder exists before the dialog opens, so the dialog does not ask to create it.
  const exportsDir = path.join(root, '.autodata', 'exports');
  await fs.mkdir(exportsDir, { recursive: true }).catch(() => undefined);
  const out =
    args?.out ??
    (
      await vscode.window.showSaveDialog({
        title: `Export ${path.basename(dataset)} as ${format.toUpperCase()}`,
        filters: { 'JSON Lines': ['jsonl'] },
        defaultUri: vscode.Uri.file(path.join(exportsDir, `${path.basename(dataset, '.jsonl')}-${format}.jsonl`)),
      })
    )?.fsPath;
  if (!out) {
    return undefined;
  }
  let output: string;
  try {
    const report = await exportDataset({ datasetFile: dataset, format, out, journals: runsDir(root), workspace: root });
    output = [`${report.rows} ${format} row(s) → ${out}`, ...report.notes].join('\n');
  } catch (e) {
    void vscode.window.showErrorMessage(`Autodata: the export failed: ${(e as Error).message}`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Autodata: ${output.split('\n').join(' · ')}`, 'Open').then((b) => {
    if (b === 'Open') {
      void vscode.window.showTextDocument(vscode.Uri.file(out));
    }
  });
  return { file: out, output };
}

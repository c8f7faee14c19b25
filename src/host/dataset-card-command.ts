// Autodata: Export Dataset Card — the workspace dataset as a Hugging Face dataset folder (data/train.jsonl and a
// README.md dataset card with its provenance), written by the run layer as `autodata export --repo` writes it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportFormat } from '../core/exporters';
import { exportDatasetRepo } from '../run/dataset-repo';
import { runsDir } from '../run/journal';
import { resolveInside } from '../run/jsonl';
import { FORMATS } from './export-command';
import type { Ctx } from './ctx';
import { readSettings } from './settings';

export interface DatasetCardArgs {
  format?: ExportFormat;
  /** The folder to write (default .autodata/hub/<dataset name>). */
  folder?: string;
  /** The dataset's name in its card (default: the folder's). */
  name?: string;
  /** Open the card when written (default true). */
  open?: boolean;
}

export interface DatasetCardResult {
  folder: string;
  readme: string;
  dataFile: string;
  rows: number;
  notes: string[];
}

export async function datasetCardCommand(ctx: Ctx, args: DatasetCardArgs = {}): Promise<DatasetCardResult | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Open the folder that holds the dataset first.');
    return undefined;
  }
  const root = folder.uri.fsPath;
  const format =
    args.format ??
    (await vscode.window.showQuickPick(FORMATS, { title: 'Autodata: Export Dataset Card', placeHolder: 'Which training format for data/train.jsonl?' }))
      ?.format;
  if (!format) {
    return undefined;
  }
  try {
    const dataset = await resolveInside(root, readSettings(folder.uri).datasetPath);
    // No dialog, as for Export Dataset: the folder goes under .autodata/hub/, named after the dataset.
    const out = args.folder ?? path.join(root, '.autodata', 'hub', path.basename(dataset, '.jsonl'));
    const report = await exportDatasetRepo({ datasetFile: dataset, format, folder: out, journals: runsDir(root), workspace: root, prettyName: args.name });
    const readme = path.join(report.folder, 'README.md');
    const dataFile = path.join(report.folder, 'data', 'train.jsonl');
    ctx.log.info(`dataset card: ${report.rows} ${format} row(s) → ${report.folder}${report.notes.length ? `; ${report.notes.join('; ')}` : ''}`);
    if (args.open !== false) {
      await vscode.window.showTextDocument(vscode.Uri.file(readme), { preview: false });
      void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(readme));
    }
    void vscode.window.showInformationMessage(
      `Autodata: ${report.rows} row(s) and the dataset card in ${path.relative(root, report.folder) || report.folder}. Upload with: huggingface-cli upload <user>/<name> "${report.folder}" --repo-type dataset`,
    );
    return { folder: report.folder, readme, dataFile, rows: report.rows, notes: report.notes };
  } catch (e) {
    void vscode.window.showErrorMessage(`Autodata: the dataset card could not be written: ${(e as Error).message}`);
    ctx.log.error(`dataset card: ${(e as Error).message}`);
    return undefined;
  }
}

// Autodata: Re-measure Dataset — the run layer's re-measure (run/remeasure.ts, as `autodata remeasure`) from the editor:
// the weak model chosen through Configure Models, each item's weak scores kept under a label, the still-learnable
// subset written and opened, and the items that changed listed.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Remeasured, RemeasureStatus } from '../core/remeasure';
import { resolveInside } from '../run/jsonl';
import { loadPrompts } from '../run/prompt-files';
import { readRemeasured, RemeasureError, remeasureDataset, remeasureFile, remeasureSummary, writeLearnable, type RemeasureReport } from '../run/remeasure';
import type { Ctx } from './ctx';
import { readSettings } from './settings';
import { UserError } from './user-error';

export interface RemeasureArgs {
  /** The model version's label (default: asked, proposed from the model's name). */
  label?: string;
  /** Measure the weak solver as configured, without asking. */
  keepWeak?: boolean;
  /** Where the still-learnable items go (default .autodata/remeasure/<label>-learnable.jsonl). */
  out?: string;
  /** No editors opened, no list shown (tests). */
  silent?: boolean;
}

export interface RemeasureCommandResult {
  report: RemeasureReport;
  items: Remeasured[];
  learnable: number;
  learnableFile?: string;
  summary: string;
}

const STATUS: Record<RemeasureStatus, { icon: string; text: string }> = {
  too_easy: { icon: '$(warning)', text: 'too easy now' },
  learnable: { icon: '$(pass)', text: 'still learnable' },
  too_hard: { icon: '$(error)', text: 'too hard' },
  flat: { icon: '$(dash)', text: 'no spread' },
  failed: { icon: '$(question)', text: 'not measured' },
};
const ORDER: RemeasureStatus[] = ['too_easy', 'flat', 'too_hard', 'failed', 'learnable'];

/** A label from a model name: letters, digits, dots, dashes and underscores. */
export function labelFor(model: string): string {
  return model.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'weak';
}

export async function remeasureCommand(ctx: Ctx, args: RemeasureArgs = {}): Promise<RemeasureCommandResult | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    ctx.runs.report(new UserError('Open the folder that holds the dataset first.'));
    return undefined;
  }
  const root = folder.uri.fsPath;
  if (!args.keepWeak && !args.label) {
    const weak = readSettings(folder.uri).engine.roles.weak;
    const pick = await vscode.window.showQuickPick(
      [
        { label: `$(check) ${weak.model}`, description: weak.baseURL, detail: 'The weak solver as configured now', configure: false },
        { label: '$(gear) Another model…', detail: 'Configure Models for the weak solver first (the setting stays changed)', configure: true },
      ],
      { title: 'Autodata: Re-measure Dataset', placeHolder: 'Which weak model to measure the items against?', ignoreFocusOut: true },
    );
    if (!pick || (pick.configure && !(await ctx.models.configure({ role: 'weak' })))) {
      return undefined;
    }
  }
  const settings = readSettings(folder.uri);
  const model = settings.engine.roles.weak.model;
  const label =
    args.label ??
    (await vscode.window.showInputBox({
      title: 'Label for this model version',
      prompt: `The weak scores of ${model} are kept under it in .autodata/remeasure/; the same label goes on after a stop`,
      value: labelFor(model),
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          remeasureFile(root, v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    }));
  if (!label) {
    return undefined;
  }
  try {
    const datasetFile = await resolveInside(root, settings.datasetPath);
    const models = await ctx.runs.models(settings);
    const { prompts } = await loadPrompts(root);
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Autodata: re-measuring against ${model}`, cancellable: true },
      (progress, token) => {
        const stop = new AbortController();
        token.onCancellationRequested(() => stop.abort());
        return remeasureDataset({
          root,
          datasetFile,
          label,
          settings,
          models,
          prompts,
          signal: stop.signal,
          onItem: (r, done, total) => progress.report({ increment: 100 / total, message: `${done}/${total} · ${r.id}: ${STATUS[r.status].text}` }),
        });
      },
    );
    const summary = remeasureSummary(report);
    ctx.log.info(`re-measure "${label}" (${model}): ${summary}; results in ${report.file}`);
    const items = [...(await readRemeasured(report.file)).values()];
    if (report.stopped) {
      void vscode.window.showWarningMessage(
        `Autodata: re-measure stopped before every item was measured (${summary}). Run it again with the label "${label}" to go on.`,
      );
      return { report, items, learnable: 0, summary };
    }
    const learnableFile = args.out ?? path.join(root, '.autodata', 'remeasure', `${label}-learnable.jsonl`);
    const learnable = await writeLearnable(datasetFile, report.file, learnableFile);
    if (!args.silent) {
      await vscode.window.showTextDocument(vscode.Uri.file(learnableFile), { preview: false });
      void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(report.file));
      void showItems(items, `${summary} · ${learnable} learnable item(s) in ${path.relative(root, learnableFile)}`);
    }
    return { report, items, learnable, learnableFile, summary };
  } catch (e) {
    ctx.runs.report(e instanceof RemeasureError ? new UserError(`${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`) : e);
    return undefined;
  }
}

/** Every item with its new weak mean against the one it was accepted with, the ones that changed first. */
function showItems(items: readonly Remeasured[], title: string): Thenable<unknown> {
  const sorted = [...items].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
  return vscode.window.showQuickPick(
    sorted.map((r) => ({
      label: `${STATUS[r.status].icon} ${STATUS[r.status].text}`,
      description: `weak mean ${r.mean === null ? '–' : r.mean.toFixed(2)}, was ${r.before.toFixed(2)}`,
      detail: r.id,
    })),
    { title: `Autodata: ${title}`, matchOnDetail: true },
  );
}

// Autodata: Generate from Files — the documents of an Explorer multi-selection or folder, several at once over one
// set of models (so one request limit per endpoint), through the run layer the CLI uses for `autodata generate a b c`.
import * as vscode from 'vscode';
import { newRunId } from '../core/endpoint';
import { runDocuments, type DocumentJob } from '../run/documents-at-once';
import { DOCUMENT_EXTENSIONS, readDocuments, SKIPPED_FOLDERS } from '../run/read-documents';
import { readRecipe } from '../run/recipe-file';
import type { Run, RunResult } from '../run/run';
import type { Ctx } from './ctx';
import { UserError } from './user-error';

const DOCUMENT_GLOB = `**/*.{${DOCUMENT_EXTENSIONS.join(',')}}`;
const SKIPPED_GLOB = `**/{${SKIPPED_FOLDERS.join(',')}}/**`;

/** The files of the selection: each folder stands for the documents under it. */
async function documentsOf(uris: readonly vscode.Uri[]): Promise<vscode.Uri[]> {
  const out = new Map<string, vscode.Uri>();
  for (const uri of uris) {
    const stat = await vscode.workspace.fs.stat(uri);
    const found =
      stat.type & vscode.FileType.Directory ? await vscode.workspace.findFiles(new vscode.RelativePattern(uri, DOCUMENT_GLOB), SKIPPED_GLOB) : [uri];
    for (const f of found) {
      out.set(f.fsPath, f);
    }
  }
  return [...out.values()];
}

/**
 * Explorer menus pass the clicked resource and every selected one. Returns each document's run result. The run is the
 * window's one run (no other starts beside it, Autodata: Stop Run stops it) and is checked as Generate from Document is.
 */
export async function generateFromFiles(ctx: Ctx, clicked?: unknown, selected?: unknown): Promise<RunResult[] | undefined> {
  const picked = (Array.isArray(selected) && selected.length ? selected : [clicked]).filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  return ctx.runs.exclusive(async (onStop) => {
    if (picked.length === 0) {
      throw new UserError('Select files or a folder in the Explorer to generate from.');
    }
    const folder = vscode.workspace.getWorkspaceFolder(picked[0]);
    if (!folder || folder.uri.scheme !== 'file') {
      throw new UserError('Open the folder that holds the files: Autodata writes its dataset inside the workspace.');
    }
    const root = folder.uri.fsPath;
    const files = await documentsOf(picked);
    const settings = ctx.runs.settings(folder.uri);
    const { ws, models, benchmarks } = await ctx.runs.prepare(root, settings);
    const sources = await readDocuments(
      files.map((f) => f.fsPath),
      root,
      settings.sectionMaxChars,
      (why) => ctx.log.info(`skipped: ${why}`),
    );
    if (sources.length === 0) {
      throw new UserError('The selected files have no text to generate from.');
    }
    const recipe = await readRecipe(root);
    const jobs = sources.map((s): DocumentJob => ({
      runId: newRunId(),
      document: { path: s.docPath, text: s.text },
      targets: s.targets,
      settings,
      prompts: ws.prompts,
      recipe,
      benchmarks,
      goal: settings.itemsPerRun > 0 ? settings.itemsPerRun : undefined,
    }));
    const sections = jobs.reduce((n, j) => n + j.targets.length, 0);
    ctx.log.info(`generating from ${jobs.length} document(s), ${sections} section(s), several at once`);
    await vscode.commands.executeCommand('setContext', 'autodata.running', true);
    try {
      const results = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Autodata: ${jobs.length} documents`, cancellable: true },
        (progress, token) => {
          const running = new Set<Run>();
          let stopped = false;
          const stopAll = () => {
            stopped = true;
            running.forEach((r) => r.stop());
          };
          token.onCancellationRequested(stopAll);
          onStop(stopAll);
          let done = 0;
          let accepted = 0;
          return runDocuments(ws, jobs, models, settings.requestConcurrency, {
            started: (run) => running.add(run),
            ended: (run) => running.delete(run),
            keepGoing: () => !stopped,
            observer: () => ({
              event: (e) => {
                if (e.type === 'item_accepted') {
                  accepted++;
                }
                if (e.type === 'target_finished') {
                  done++;
                  progress.report({ increment: 100 / Math.max(1, sections), message: `${done}/${sections} sections · ${accepted} accepted` });
                }
              },
              writeFailed: (m) => ctx.log.error(m),
            }),
          });
        },
      );
      const total = results.reduce((n, r) => n + r.accepted.length, 0);
      const failed = results.find((r) => r.outcome === 'error');
      if (failed) {
        throw new UserError(`Autodata run ${failed.runId} failed: ${failed.message ?? 'unknown error'}`, ['Show Log']);
      }
      const stoppedRuns = results.filter((r) => r.outcome === 'stopped').length;
      void vscode.window.showInformationMessage(
        `Autodata: ${total} item(s) accepted from ${results.length} of ${jobs.length} document(s)${stoppedRuns ? ` (stopped; Autodata: Resume Run goes on with ${stoppedRuns === 1 ? 'it' : 'them'})` : ''}.`,
      );
      return results;
    } finally {
      await vscode.commands.executeCommand('setContext', 'autodata.running', false);
    }
  });
}

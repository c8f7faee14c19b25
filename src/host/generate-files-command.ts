// Autodata: Generate from Files — the documents of an Explorer multi-selection or folder, several at once over one
// set of models (so one request limit per endpoint), through the run layer the CLI uses for `autodata generate a b c`.
import * as vscode from 'vscode';
import { newRunId } from '../core/endpoint';
import { sameWeakAndStrong } from '../core/model-pairs';
import { BenchmarkFileError, loadBenchmarks } from '../run/benchmarks';
import { runDocuments, type DocumentJob } from '../run/documents-at-once';
import { buildModels, type KeyRing } from '../run/models';
import { readDocuments } from '../run/read-documents';
import { readRecipe } from '../run/recipe-file';
import type { Run, RunResult } from '../run/run';
import { openWorkspace } from '../run/workspace';
import type { Ctx } from './ctx';
import { isLmModel, VscodeLmModel } from './lm-model';
import { readSettings } from './settings';
import { UserError } from './user-error';

const DOCUMENT_GLOB = '**/*.{md,markdown,txt,tex,pdf}';
const SKIPPED_FOLDERS = '**/{node_modules,.git,.autodata}/**';

/** The files of the selection: each folder stands for the documents under it. */
async function documentsOf(uris: readonly vscode.Uri[]): Promise<vscode.Uri[]> {
  const out = new Map<string, vscode.Uri>();
  for (const uri of uris) {
    const stat = await vscode.workspace.fs.stat(uri);
    const found =
      stat.type & vscode.FileType.Directory ? await vscode.workspace.findFiles(new vscode.RelativePattern(uri, DOCUMENT_GLOB), SKIPPED_FOLDERS) : [uri];
    for (const f of found) {
      out.set(f.fsPath, f);
    }
  }
  return [...out.values()];
}

/** Explorer menus pass the clicked resource and every selected one. Returns each document's run result. */
export async function generateFromFiles(ctx: Ctx, clicked?: unknown, selected?: unknown): Promise<RunResult[] | undefined> {
  const picked = (Array.isArray(selected) && selected.length ? selected : [clicked]).filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  if (ctx.runs.session) {
    ctx.runs.report(new UserError('An Autodata run is already in progress. Stop it first (Autodata: Stop Run).'));
    return undefined;
  }
  try {
    if (picked.length === 0) {
      throw new UserError('Select files or a folder in the Explorer to generate from.');
    }
    const folder = vscode.workspace.getWorkspaceFolder(picked[0]);
    if (!folder || folder.uri.scheme !== 'file') {
      throw new UserError('Open the folder that holds the files: Autodata writes its dataset inside the workspace.');
    }
    const root = folder.uri.fsPath;
    const files = await documentsOf(picked);
    const settings = readSettings(folder.uri);
    const same = sameWeakAndStrong(settings.engine);
    if (same) {
      throw new UserError(same.message, ['Configure Models']);
    }
    const keys = await ctx.keys.ring(Object.values(settings.engine.roles));
    const models = buildModels(settings, keys as KeyRing, (_role, ep) => (isLmModel(ep.model) ? new VscodeLmModel(ep.model) : undefined));
    const ws = await openWorkspace(root, settings.datasetPath, await ctx.runs.datasetFor(root));
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
    const benchmarks = await loadBenchmarks(root, settings.benchmarkFiles).catch((e: unknown) => {
      throw e instanceof BenchmarkFileError ? new UserError(e.message, ['Open Settings']) : e;
    });
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
          token.onCancellationRequested(() => running.forEach((r) => r.stop()));
          let done = 0;
          let accepted = 0;
          return runDocuments(ws, jobs, models, settings.requestConcurrency, {
            started: (run) => running.add(run),
            ended: (run) => running.delete(run),
            keepGoing: () => !token.isCancellationRequested,
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
      void vscode.window.showInformationMessage(`Autodata: ${total} item(s) accepted from ${results.length} of ${jobs.length} document(s).`);
      return results;
    } finally {
      await vscode.commands.executeCommand('setContext', 'autodata.running', false);
    }
  } catch (e) {
    ctx.runs.report(e);
    return undefined;
  }
}

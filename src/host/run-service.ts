// The editor's runs: one at a time per window, started from a document or selection, or resumed from a journal, over
// the run layer the CLI uses too. This file only adds what the editor knows: documents, settings, keys, progress.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { selectionProblem, selectionTarget } from '../core/chunks';
import { newRunId } from '../core/endpoint';
import { sameWeakAndStrong } from '../core/model-pairs';
import type { EngineEvent } from '../shared/events';
import type { Target } from '../shared/schemas';
import type { Dataset } from '../run/dataset';
import { DatasetFileError } from '../run/dataset';
import { PathOutsideWorkspaceError } from '../run/jsonl';
import { buildModels, type KeyRing } from '../run/models';
import { PromptFileError } from '../run/prompt-files';
import { readRecipe } from '../run/recipe-file';
import { pilotTargets, type PilotSize } from '../run/estimate';
import { findResumable, readRunDocument, ResumeError, resumeSpec } from '../run/resumable';
import { RunLockedError } from '../run/run-lock';
import { extractPdf, isPdf, sectionsOf, SourceError } from '../run/sources';
import type { BenchmarkIndex } from '../core/leakage';
import { BenchmarkFileError, loadBenchmarks } from '../run/benchmarks';
import { openWorkspace, type WorkspaceFiles } from '../run/workspace';
import type { RunPanel, RunSource } from './panel';
import { sourceFromJournal } from './panels';
import { isLmModel, VscodeLmModel } from './lm-model';
import type { ApiKeys } from './secrets';
import { Session, type SessionResult } from './session';
import { readSettings, SettingsError, type HostSettings } from './settings';
import { fixesFor, showError, UserError } from './user-error';

export interface GenerateOptions {
  mode?: 'run' | 'step';
  /** No completion message (tests, and runs started from the panel, which shows the outcome itself). */
  silent?: boolean;
  /** The document to generate from (default: the active editor's). */
  uri?: vscode.Uri;
  /** Accepted items wanted (default: the itemsPerRun setting; 0 for every section). */
  goal?: number;
  /** The panel to show the run in (default: a new one). */
  panel?: RunPanel;
  /** A pilot for a cost estimate: a sample of the sections, a few attempts each, no goal (see run/estimate.ts). */
  pilot?: PilotSize;
}

export interface SessionStart {
  session: Session;
  source: RunSource;
  reuse?: RunPanel;
  history?: EngineEvent[];
}

export class RunService implements vscode.Disposable {
  private current: Session | undefined;
  /** A run is being set up (between the command and its session), or a run of several documents is under way. */
  private claimed = false;
  /** Stops a run of several documents (Autodata: Generate from Files), which has no single session. */
  private stopDocuments: (() => void) | undefined;
  private readonly started = new vscode.EventEmitter<SessionStart>();
  /** Fires when a session starts (the panel, the status bar and tests listen). */
  readonly onDidStartSession = this.started.event;
  /** Weak/strong pairs on one model the person chose to run anyway (this window). */
  private readonly confirmedSame = new Set<string>();
  /** The last error shown to the person. */
  lastError: string | undefined;

  constructor(
    private readonly keys: ApiKeys,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get session(): Session | undefined {
    return this.current;
  }

  async generate(kind: 'document' | 'selection', opts: GenerateOptions = {}): Promise<SessionResult | undefined> {
    if (this.busy()) {
      return undefined;
    }
    try {
      const editor = opts.uri ? undefined : vscode.window.activeTextEditor;
      const doc = opts.uri ? await this.openSource(opts.uri) : editor?.document;
      if (!doc) {
        throw new UserError('Open a document to generate from.');
      }
      const text = doc.getText();
      const name = path.basename(doc.uri.path);
      if (!text.trim()) {
        throw new UserError(`${name} is empty: there is nothing to generate from.`);
      }
      if (text.includes('\u0000')) {
        throw new UserError('This looks like a binary file. Open a text, Markdown or LaTeX document.');
      }
      const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder || folder.uri.scheme !== 'file') {
        throw new UserError('Open a folder first: Autodata writes its dataset inside the workspace.');
      }
      const settings = this.settings(doc.uri);
      let targets: Target[];
      if (kind === 'selection') {
        const sel = editor?.selection;
        if (!sel || sel.isEmpty) {
          throw new UserError('Select the passage to generate from first.');
        }
        const tooShort = selectionProblem(text, doc.offsetAt(sel.start), doc.offsetAt(sel.end));
        if (tooShort) {
          throw new UserError(tooShort);
        }
        targets = [selectionTarget(text, doc.offsetAt(sel.start), doc.offsetAt(sel.end), `Selection (lines ${sel.start.line + 1}–${sel.end.line + 1})`)];
      } else {
        targets = sectionsOf(text, settings.sectionMaxChars, doc.languageId === 'plaintext');
      }
      if (opts.goal !== undefined) {
        settings.itemsPerRun = opts.goal;
      }
      if (opts.pilot) {
        targets = pilotTargets(targets, opts.pilot);
        settings.itemsPerRun = 0;
        settings.engine = { ...settings.engine, maxIterations: opts.pilot.attempts };
      }
      await this.confirmModels(settings);
      const root = folder.uri.fsPath;
      const ws = await this.workspace(root, settings);
      const docPath = vscode.workspace.asRelativePath(doc.uri, false);
      const runId = newRunId();
      const session = new Session(
        ws,
        {
          runId,
          document: { path: docPath, text },
          targets,
          settings,
          models: await this.models(settings),
          prompts: ws.prompts,
          recipe: await readRecipe(root),
          benchmarks: await this.benchmarks(root, settings),
          mode: opts.mode,
          goal: settings.itemsPerRun > 0 ? settings.itemsPerRun : undefined,
        },
        this.log,
      );
      const source: RunSource = {
        folder: root,
        documentUri: doc.uri,
        journalFile: session.run.journalFile,
        run: {
          runId,
          title: name,
          documentPath: docPath,
          thresholds: settings.engine.policy,
          solveOrder: settings.engine.solveOrder,
          mode: opts.mode ?? 'run',
          goal: settings.itemsPerRun || undefined,
          live: true,
        },
      };
      return await this.runWithProgress(session, targets.length, opts, source);
    } catch (e) {
      this.report(e);
      return undefined;
    } finally {
      this.claimed = false;
    }
  }

  /** Autodata: Resume Run — rebuilds an interrupted run from its journal and goes on with it, under its own rule. */
  async resume(runId?: string, opts: GenerateOptions = {}): Promise<SessionResult | undefined> {
    if (this.busy()) {
      return undefined;
    }
    try {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder || folder.uri.scheme !== 'file') {
        throw new UserError('Open the folder the run was made in.');
      }
      const root = folder.uri.fsPath;
      const candidates = await findResumable(root, runId ? [runId] : undefined);
      if (candidates.length === 0) {
        throw new UserError('No interrupted run to resume in this workspace.');
      }
      const pick =
        candidates.length === 1
          ? candidates[0]
          : await vscode.window
              .showQuickPick(
                candidates.map((c) => ({
                  label: path.basename(c.started.document.path),
                  description: `${c.runId} · ${c.point.accepted.length} accepted · ${c.point.done.size}/${c.point.targets.length} sections done`,
                  c,
                })),
                { title: 'Autodata: Resume Run', placeHolder: 'Which run?' },
              )
              .then((x) => x?.c);
      if (!pick) {
        return undefined;
      }
      const source = await sourceFromJournal(root, pick.runId);
      if (!source) {
        throw new UserError(`The journal of ${pick.runId} cannot be read.`);
      }
      // The editor's text of the document (as VS Code decodes it), checked against the run's hash.
      const text = await readRunDocument(root, pick, async (file) => (await vscode.workspace.openTextDocument(vscode.Uri.file(file))).getText());
      const ws = await this.workspace(root, this.settings(source.documentUri));
      const spec = await resumeSpec(ws, pick, this.settings(source.documentUri), text);
      for (const n of spec.notes) {
        this.log.warn(n);
      }
      const session = new Session(
        ws,
        { ...spec, mode: opts.mode ?? 'run', models: await this.models(spec.settings), benchmarks: await this.benchmarks(root, spec.settings) },
        this.log,
      );
      this.log.info(
        `resuming ${pick.runId}: ${pick.point.done.size}/${spec.targets.length} sections done, ${pick.point.pending.size} attempt(s) taken up where they stopped`,
      );
      return await this.runWithProgress(session, spec.targets.length, opts, { ...source, run: { ...source.run, live: true, restored: false } }, pick.events);
    } catch (e) {
      this.report(e instanceof ResumeError ? new UserError(`${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`) : e);
      return undefined;
    } finally {
      this.claimed = false;
    }
  }

  stop(): void {
    this.current?.stop();
    this.stopDocuments?.();
  }

  /**
   * Runs a job over several documents as this window's one run: refused while another run is in progress (and no
   * other starts while it runs); Autodata: Stop Run calls the stop it registers. Errors are shown to the person.
   */
  async exclusive<T>(job: (onStop: (stop: () => void) => void) => Promise<T>): Promise<T | undefined> {
    if (this.busy()) {
      return undefined;
    }
    try {
      return await job((stop) => (this.stopDocuments = stop));
    } catch (e) {
      this.report(e);
      return undefined;
    } finally {
      this.stopDocuments = undefined;
      this.claimed = false;
    }
  }

  /**
   * What every run needs beyond its documents, checked the same way for one document or several: weak and strong on
   * one model confirmed, the workspace's files, every role's model with its stored key, the benchmark files.
   */
  async prepare(root: string, settings: HostSettings) {
    await this.confirmModels(settings);
    const ws = await this.workspace(root, settings);
    return { ws, models: await this.models(settings), benchmarks: await this.benchmarks(root, settings) };
  }

  /** Weak and strong on one model cannot make a gap: the run starts only if the person says so, once per pair. */
  private async confirmModels(settings: HostSettings): Promise<void> {
    const same = sameWeakAndStrong(settings.engine);
    if (!same || this.confirmedSame.has(`${same.endpoint} ${same.model}`)) {
      return;
    }
    const pick = await vscode.window.showWarningMessage(same.message, { modal: true }, 'Run Anyway', 'Configure Models');
    if (pick === 'Run Anyway') {
      this.confirmedSame.add(`${same.endpoint} ${same.model}`);
      return;
    }
    if (pick === 'Configure Models') {
      void vscode.commands.executeCommand('autodata.configureModels');
    }
    throw new UserError(same.message, ['Configure Models']);
  }

  /** The dataset of a workspace folder, checked; a live run's own instance when it writes the same file. */
  async datasetFor(root: string): Promise<Dataset> {
    return (await this.workspace(root, this.settings(vscode.Uri.file(root)))).dataset;
  }

  /** Shows an error (with its fix) and remembers it for the tests. */
  report(e: unknown): void {
    this.lastError = showError(e, this.log);
  }

  /**
   * One run at a time per window: claimed synchronously, before the first await, so a second click (or a Resume while
   * a run is being set up) cannot start a second engine on the same files.
   */
  private busy(): boolean {
    if (this.current || this.claimed) {
      this.report(new UserError('An Autodata run is already in progress. Stop it first (Autodata: Stop Run).'));
      return true;
    }
    this.claimed = true;
    return false;
  }

  /** A file as a text document; a PDF through its text extracted into .autodata/sources/ (the CLI's file name too). */
  private async openSource(uri: vscode.Uri): Promise<vscode.TextDocument> {
    if (!isPdf(uri.path)) {
      return vscode.workspace.openTextDocument(uri);
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      throw new UserError('Open the folder that holds the PDF: Autodata writes its text and dataset inside the workspace.');
    }
    const extracted = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Autodata: reading PDF' }, () =>
      extractPdf(folder.uri.fsPath, uri.fsPath),
    );
    this.log.info(`extracted ${extracted.pages} page(s) of ${uri.fsPath} to ${extracted.file}`);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(extracted.file));
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true });
    return doc;
  }

  /** The settings for a document or folder; a settings mistake becomes an error that offers to open them. */
  settings(scope?: vscode.Uri): HostSettings {
    try {
      return readSettings(scope);
    } catch (e) {
      if (e instanceof SettingsError) {
        throw new UserError(e.message, ['Open Settings']);
      }
      throw e;
    }
  }

  private async benchmarks(root: string, settings: HostSettings): Promise<BenchmarkIndex | undefined> {
    try {
      return await loadBenchmarks(root, settings.benchmarkFiles);
    } catch (e) {
      if (e instanceof BenchmarkFileError) {
        throw new UserError(e.message, ['Open Settings']);
      }
      throw e;
    }
  }

  private async workspace(root: string, settings: HostSettings): Promise<WorkspaceFiles> {
    try {
      const ws = await openWorkspace(root, settings.datasetPath, this.current?.run.dataset);
      if (ws.repair.savedTo) {
        this.log.warn(`the dataset's last line was torn by an earlier crash: ${ws.repair.tornBytes} bytes moved to ${ws.repair.savedTo}`);
      }
      if (ws.overridden.length) {
        this.log.info(`prompt templates from the workspace: ${ws.overridden.join(', ')}`);
      }
      return ws;
    } catch (e) {
      if (e instanceof PathOutsideWorkspaceError || e instanceof DatasetFileError) {
        throw new UserError(e.message, ['Open Settings']);
      }
      if (e instanceof PromptFileError) {
        throw new UserError(e.message);
      }
      throw e;
    }
  }

  /** Every role's model: VS Code language models for `vscode-lm:` roles, endpoints with their stored keys otherwise. */
  async models(settings: HostSettings) {
    const keys = await this.keys.ring(Object.values(settings.engine.roles).filter((r) => r !== undefined));
    return buildModels(settings, keys as KeyRing, (_role, ep) => (isLmModel(ep.model) ? new VscodeLmModel(ep.model) : undefined));
  }

  private async runWithProgress(session: Session, sections: number, opts: GenerateOptions, source: RunSource, history?: EngineEvent[]): Promise<SessionResult> {
    this.current = session;
    await vscode.commands.executeCommand('setContext', 'autodata.running', true);
    this.started.fire({ session, source, reuse: opts.panel, history });
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Autodata', cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => session.stop());
          let accepted = 0;
          let attempts = 0;
          let done = 0;
          const sub = session.onEvent((e) => {
            if (e.type === 'attempt_started') {
              attempts++;
              progress.report({ message: `${e.targetId} · attempt ${e.iteration} · ${accepted} accepted` });
            }
            if (e.type === 'item_accepted') {
              accepted++;
            }
            if (e.type === 'target_finished') {
              done++;
              progress.report({
                increment: 100 / Math.max(1, sections),
                message: `${done}/${sections} sections · ${accepted} accepted · ${attempts} attempts`,
              });
            }
            if (e.type === 'state' && e.state === 'paused') {
              progress.report({ message: 'paused' });
            }
          });
          return session.start().finally(() => sub.dispose());
        },
      );
      if (!opts.silent) {
        void this.announce(result);
      }
      return result;
    } catch (e) {
      if (e instanceof RunLockedError || e instanceof SourceError) {
        throw new UserError(e.message);
      }
      throw e;
    } finally {
      session.dispose();
      this.current = undefined;
      await vscode.commands.executeCommand('setContext', 'autodata.running', false);
    }
  }

  private async announce(r: SessionResult): Promise<void> {
    const what = `${r.accepted.length} item(s) accepted${r.review.length ? `, ${r.review.length} borderline for review` : ''} in ${r.attempts} attempt(s)`;
    if (r.outcome === 'error') {
      return this.report(new UserError(`Autodata run failed: ${r.message}`, fixesFor(r.message ?? '')));
    }
    const pick = await vscode.window.showInformationMessage(`Autodata: ${what}${r.outcome === 'stopped' ? ' (stopped)' : ''}.`, 'Open Dataset');
    if (pick === 'Open Dataset') {
      await vscode.commands.executeCommand('autodata.openDataset');
    }
  }

  dispose(): void {
    this.stop();
    this.started.dispose();
  }
}

// Command handlers: check the input, start a session with progress and cancellation, report the outcome.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { selectionTarget, sha256, splitSections } from '../core/chunks';
import { newRunId } from '../core/endpoint';
import type { EngineEvent } from '../shared/events';
import type { PromptSet } from '../core/prompts';
import { NotResumableError, resumePoint, type ResumePoint } from '../core/resume';
import type { Target } from '../shared/schemas';
import { Dataset, DatasetFileError } from './dataset';
import { PathOutsideWorkspaceError, resolveInside } from './jsonl';
import { ApiKeys, isLocal, originOf } from './secrets';
import { journalFile, listRuns, readJournal } from './journal';
import { isLmModel } from './lm-model';
import { pdfText } from './pdf-text';
import { loadPrompts, PromptFileError } from './prompt-files';
import { readRecipe } from './recipe-file';
import type { RunPanel, RunSource } from './panel';
import { sourceFromJournal } from './panels';
import { Session, type SessionResult } from './session';
import { readSettings, SettingsError, type HostSettings } from './settings';

/** A problem the person can fix, shown with the buttons that fix it. */
export class UserError extends Error {
  constructor(message: string, readonly actions: Array<'Set API Key' | 'Open Settings' | 'Show Log'> = []) { super(message); }
}

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
}

export interface SessionStart { session: Session; source: RunSource; reuse?: RunPanel; history?: EngineEvent[] }

export class Commands {
  private current: Session | undefined;
  private readonly started = new vscode.EventEmitter<SessionStart>();
  /** Fires when a session starts (the panel and tests listen). */
  readonly onDidStartSession = this.started.event;

  constructor(private readonly keys: ApiKeys, private readonly log: vscode.LogOutputChannel) {}

  /** A run is being set up (between the command and its session). */
  private claimed = false;
  /** The last error shown to the person. */
  lastError: string | undefined;

  get session(): Session | undefined { return this.current; }

  async generate(kind: 'document' | 'selection', opts: GenerateOptions = {}): Promise<SessionResult | undefined> {
    if (this.busy()) { return undefined; }
    try {
      const editor = opts.uri ? undefined : vscode.window.activeTextEditor;
      const doc = opts.uri ? await this.openSource(opts.uri) : editor?.document;
      if (!doc) { throw new UserError('Open a document to generate from.'); }
      const text = doc.getText();
      if (!text.trim()) { throw new UserError(`${doc.fileName.split(/[\\/]/).pop()} is empty: there is nothing to generate from.`); }
      if (text.includes('\u0000')) { throw new UserError('This looks like a binary file. Open a text, Markdown or LaTeX document.'); }
      const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder || folder.uri.scheme !== 'file') { throw new UserError('Open a folder first: Autodata writes its dataset inside the workspace.'); }
      const settings = this.settings(doc.uri);
      let targets: Target[];
      if (kind === 'selection') {
        const sel = editor?.selection;
        if (!sel || sel.isEmpty) { throw new UserError('Select the passage to generate from first.'); }
        targets = [selectionTarget(text, doc.offsetAt(sel.start), doc.offsetAt(sel.end), `Selection (lines ${sel.start.line + 1}–${sel.end.line + 1})`)];
      } else {
        targets = splitSections(text, { maxChars: settings.sectionMaxChars, minChars: Math.min(400, settings.sectionMaxChars / 4), numberedHeadings: doc.languageId === 'plaintext' });
      }
      if (opts.goal !== undefined) { settings.itemsPerRun = opts.goal; }
      const dataset = await this.dataset(folder.uri.fsPath, settings);
      const keys = await this.keysFor(settings);
      const prompts = await this.prompts(folder.uri.fsPath);
      const runId = newRunId();
      const session = new Session({
        runId, folder: folder.uri.fsPath, document: { path: vscode.workspace.asRelativePath(doc.uri, false), text }, targets, settings, keys, dataset,
        log: this.log, mode: opts.mode, prompts, recipe: await readRecipe(folder.uri.fsPath),
      });
      const source: RunSource = {
        folder: folder.uri.fsPath, documentUri: doc.uri, journalFile: session.journal.file,
        run: { runId, title: doc.uri.path.split('/').pop() ?? 'document', documentPath: vscode.workspace.asRelativePath(doc.uri, false),
          thresholds: settings.engine.policy, solveOrder: settings.engine.solveOrder, mode: opts.mode ?? 'run', goal: settings.itemsPerRun || undefined, live: true },
      };
      return await this.runWithProgress(session, targets.length, opts, source);
    } catch (e) {
      this.report(e);
      return undefined;
    } finally {
      this.claimed = false;
    }
  }

  stop(): void { this.current?.stop(); }

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

  /**
   * A file as a text document. A PDF's text is extracted once into .autodata/sources/<name>.pdf.txt, which is what
   * the run reads and what items link back to (a PDF has no text offsets of its own).
   */
  private async openSource(uri: vscode.Uri): Promise<vscode.TextDocument> {
    if (!/\.pdf$/i.test(uri.path)) { return vscode.workspace.openTextDocument(uri); }
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) { throw new UserError('Open the folder that holds the PDF: Autodata writes its text and dataset inside the workspace.'); }
    let extracted: { text: string; pages: number };
    try { extracted = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Autodata: reading PDF' }, () => pdfText(uri.fsPath)); } catch (e) {
      throw new UserError(`${uri.path.split('/').pop()}: ${(e as Error).message}`);
    }
    const rel = vscode.workspace.asRelativePath(uri, false).replace(/[\\/]/g, '__');
    const out = await resolveInside(folder.uri.fsPath, `.autodata/sources/${rel}.txt`);
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, extracted.text, 'utf8');
    this.log.info(`extracted ${extracted.pages} page(s) of ${uri.fsPath} to ${out}`);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(out));
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true });
    return doc;
  }

  /** Autodata: Resume Run — rebuilds an interrupted run from its journal and goes on with it. */
  async resumeRun(runId?: string, opts: GenerateOptions = {}): Promise<SessionResult | undefined> {
    if (this.busy()) { return undefined; }
    try {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder || folder.uri.scheme !== 'file') { throw new UserError('Open the folder the run was made in.'); }
      const root = folder.uri.fsPath;
      const candidates: Array<{ runId: string; point: ResumePoint; events: EngineEvent[] }> = [];
      for (const id of runId ? [runId] : await listRuns(root)) {
        const { events } = await readJournal(journalFile(root, id));
        try {
          const point = resumePoint(events);
          if (!point.finished) { candidates.push({ runId: id, point, events }); }
        } catch (e) { if (!(e instanceof NotResumableError)) { throw e; } }
      }
      if (candidates.length === 0) { throw new UserError(runId ? `Run ${runId} has nothing left to do.` : 'No interrupted run to resume in this workspace.'); }
      const pick = candidates.length === 1 ? candidates[0] : await vscode.window.showQuickPick(
        candidates.map((c) => ({ label: c.runId, description: `${c.point.accepted.length} accepted · ${c.point.done.size}/${c.point.targets.length} sections done`, c })),
        { title: 'Autodata: Resume Run', placeHolder: 'Which run?' }).then((x) => x?.c);
      if (!pick) { return undefined; }
      const source = await sourceFromJournal(root, pick.runId);
      if (!source) { throw new UserError(`The journal of ${pick.runId} cannot be read.`); }
      const doc = await vscode.workspace.openTextDocument(source.documentUri).then(undefined, () => undefined);
      if (!doc) { throw new UserError(`${source.run.documentPath} is gone: the run cannot go on without its document.`); }
      const text = doc.getText();
      if (sha256(text) !== pick.point.documentSha256) { throw new UserError(`${source.run.documentPath} changed since run ${pick.runId}: its ranges would no longer match. Start a new run instead.`); }
      const settings = this.settings(doc.uri);
      settings.itemsPerRun = source.run.goal ?? 0;
      // A run keeps the rule it started with: its items are all judged the same way.
      settings.engine.policy = source.run.thresholds;
      settings.engine.solveOrder = source.run.solveOrder;
      const dataset = await this.dataset(root, settings);
      // Items accepted before the interruption but not yet in the dataset are written now, once each.
      for (const r of pick.point.accepted) { await dataset.append(r); }
      const keys = await this.keysFor(settings);
      const targets = pick.point.targets.map((t) => ({ ...t, text: text.slice(t.range.start, t.range.end) }));
      const session = new Session({ runId: pick.runId, folder: root, document: { path: source.run.documentPath, text }, targets, settings, keys, dataset,
        log: this.log, mode: opts.mode, resume: pick.point, prompts: await this.prompts(root), recipe: pick.point.recipe ?? await readRecipe(root) });
      this.log.info(`resuming ${pick.runId}: ${pick.point.done.size}/${targets.length} sections done, ${pick.point.pending.size} attempt(s) taken up where they stopped`);
      return await this.runWithProgress(session, targets.length, opts, { ...source, run: { ...source.run, live: true, restored: false } }, pick.events);
    } catch (e) {
      this.report(e);
      return undefined;
    } finally {
      this.claimed = false;
    }
  }

  async setApiKey(args?: { baseUrl?: string; key?: string }): Promise<void> {
    const settings = this.settings();
    const origins = [...new Set(Object.values(settings.engine.roles).map((r) => originOf(r.baseURL)))];
    const origin = args?.baseUrl ? originOf(args.baseUrl)
      : origins.length === 1 ? origins[0]
        : (await vscode.window.showQuickPick(origins, { title: 'Autodata: Set API Key', placeHolder: 'Which endpoint is the key for?' }));
    if (!origin) { return; }
    const key = args?.key ?? await vscode.window.showInputBox({ title: `API key for ${origin}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code\'s secret storage, never in settings.' });
    if (!key) { return; }
    await this.keys.set(origin, key);
    if (!args?.key) { void vscode.window.showInformationMessage(`Autodata: API key for ${origin} saved in secret storage.`); }
  }

  async clearApiKey(args?: { baseUrl?: string }): Promise<void> {
    const origin = args?.baseUrl ? originOf(args.baseUrl) : originOf(this.settings().engine.roles.challenger.baseURL);
    await this.keys.clear(origin);
  }

  async openDataset(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) { return this.report(new UserError('Open a folder first: the dataset lives in the workspace.')); }
    try {
      const file = await resolveInside(folder.uri.fsPath, this.settings(folder.uri).datasetPath);
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    } catch (e) { this.report(e); }
  }

  private settings(scope?: vscode.Uri): HostSettings {
    try { return readSettings(scope); } catch (e) {
      if (e instanceof SettingsError) { throw new UserError(e.message, ['Open Settings']); }
      throw e;
    }
  }

  /** The dataset of a workspace folder, checked (inside the folder, valid JSONL, torn tail repaired). */
  async datasetFor(root: string): Promise<Dataset> {
    return this.dataset(root, this.settings(vscode.Uri.file(root)));
  }

  private async dataset(root: string, settings: HostSettings): Promise<Dataset> {
    try {
      const dataset = new Dataset(await resolveInside(root, settings.datasetPath));
      const repair = await dataset.open();
      if (repair.savedTo) { this.log.warn(`the dataset's last line was torn by an earlier crash: ${repair.tornBytes} bytes moved to ${repair.savedTo}`); }
      return dataset;
    } catch (e) {
      if (e instanceof PathOutsideWorkspaceError || e instanceof DatasetFileError) { throw new UserError(e.message, ['Open Settings']); }
      throw e;
    }
  }

  private async prompts(root: string): Promise<PromptSet> {
    try {
      const { prompts, overridden } = await loadPrompts(root);
      if (overridden.length) { this.log.info(`prompt templates from the workspace: ${overridden.join(', ')}`); }
      return prompts;
    } catch (e) {
      if (e instanceof PromptFileError) { throw new UserError(e.message); }
      throw e;
    }
  }

  private async keysFor(settings: HostSettings): Promise<Map<string, string | undefined>> {
    const keys = new Map<string, string | undefined>();
    for (const r of Object.values(settings.engine.roles)) {
      const origin = originOf(r.baseURL);
      // Keyless roles (VS Code language models) need no key for the endpoint they do not use.
      if (keys.has(origin) || isLmModel(r.model)) { continue; }
      const key = await this.keys.get(origin);
      if (!key && !isLocal(r.baseURL)) { throw new UserError(`No API key for ${origin}. Set one with "Autodata: Set API Key".`, ['Set API Key', 'Open Settings']); }
      keys.set(origin, key);
    }
    return keys;
  }

  private async runWithProgress(session: Session, sections: number, opts: GenerateOptions, source: RunSource, history?: EngineEvent[]): Promise<SessionResult> {
    this.current = session;
    await vscode.commands.executeCommand('setContext', 'autodata.running', true);
    this.started.fire({ session, source, reuse: opts.panel, history });
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Autodata', cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => session.stop());
        let accepted = 0; let attempts = 0; let done = 0;
        const sub = session.subscribe((e) => {
          if (e.type === 'attempt_started') { attempts++; progress.report({ message: `${e.targetId} · attempt ${e.iteration} · ${accepted} accepted` }); }
          if (e.type === 'item_accepted') { accepted++; }
          if (e.type === 'target_finished') { done++; progress.report({ increment: 100 / Math.max(1, sections), message: `${done}/${sections} sections · ${accepted} accepted · ${attempts} attempts` }); }
          if (e.type === 'state' && e.state === 'paused') { progress.report({ message: 'paused' }); }
        });
        return session.run().finally(() => sub.dispose());
      });
      if (!opts.silent) { void this.announce(result); }
      return result;
    } finally {
      session.dispose();
      this.current = undefined;
      await vscode.commands.executeCommand('setContext', 'autodata.running', false);
    }
  }

  private async announce(r: SessionResult): Promise<void> {
    const what = `${r.accepted.length} item(s) accepted${r.review.length ? `, ${r.review.length} borderline for review` : ''} in ${r.attempts} attempt(s)`;
    if (r.outcome === 'error') { return this.report(new UserError(`Autodata run failed: ${r.message}`, errorActions(r.message ?? ''))); }
    const pick = await vscode.window.showInformationMessage(`Autodata: ${what}${r.outcome === 'stopped' ? ' (stopped)' : ''}.`, 'Open Dataset');
    if (pick === 'Open Dataset') { await this.openDataset(); }
  }

  /** Shows the error without waiting for the person to dismiss it; the buttons do the fix. */
  private report(e: unknown): void {
    const err = e instanceof UserError ? e : new UserError(`Autodata: ${(e as Error)?.message ?? String(e)}`, ['Show Log']);
    this.lastError = err.message;
    this.log.error(err.message);
    void vscode.window.showErrorMessage(err.message, ...err.actions).then(async (pick) => {
      if (pick === 'Set API Key') { await vscode.commands.executeCommand('autodata.setApiKey'); }
      if (pick === 'Open Settings') { await vscode.commands.executeCommand('workbench.action.openSettings', 'autodata'); }
      if (pick === 'Show Log') { this.log.show(); }
    });
  }
}

function errorActions(message: string): UserError['actions'] {
  if (/API key|401|403/.test(message)) { return ['Set API Key', 'Show Log']; }
  if (/model|thresholds|reach/i.test(message)) { return ['Open Settings', 'Show Log']; }
  return ['Show Log'];
}


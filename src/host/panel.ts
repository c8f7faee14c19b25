// The Autodata panel: one webview per run, fed with the run's events, answering the person's intents.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { sha256 } from '../core/chunks';
import type { EngineEvent } from '../shared/events';
import { HostMessage, WebviewMessage, type PanelRun } from '../protocol';
import type { Dataset } from '../run/dataset';
import { readJournal } from '../run/journal';
import { PacedOutbox } from './paced-outbox';
import { JsonlWriter } from '../run/jsonl';
import { pendingReview, Review } from '../run/review';
import type { Session } from './session';

export const VIEW_TYPE = 'autodata.panel';
const REPLAY_SLICE = 500;

/** What a panel needs from the rest of the host. */
export interface PanelHost {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  datasetFor(folder: string): Promise<Dataset>;
  startRun(documentUri: vscode.Uri, mode: 'run' | 'step', goal: number, panel: RunPanel): Promise<unknown>;
  /** Goes on with an interrupted run (from its journal) in this panel. */
  resumeRun(runId: string, mode: 'run' | 'step', panel: RunPanel): Promise<unknown>;
  openDataset(): Promise<void>;
  /** The decoration that marks a source quote in the editor (one for all panels, owned by Panels). */
  readonly highlight: vscode.TextEditorDecorationType;
  /** The tab title for a run, unlike any other open panel's. */
  titleFor(panel: RunPanel, title: string, startedAt?: string): string;
}

export interface RunSource {
  run: PanelRun;
  folder: string;
  documentUri: vscode.Uri;
  journalFile: string;
}

export class RunPanel implements vscode.Disposable {
  private source: RunSource | undefined;
  private session: Session | undefined;
  private events: EngineEvent[] = [];
  /** Requests in flight (their events are transient: kept only until they end, replayed to a reloaded webview). */
  private readonly inflight = new Map<string, EngineEvent>();
  private outbox: EngineEvent[] = [];
  /** Everything posted to the webview goes through here, in order; replayed history is paced by the webview. */
  private readonly toWebview = new PacedOutbox<HostMessage>((m) => void this.panel.webview.postMessage(HostMessage.parse(m)));
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private sessionSub: vscode.Disposable | undefined;
  private ready = false;
  private markReady: () => void = () => undefined;
  /** Resolves once the webview has said it listens (messages posted before that are lost). */
  private readonly whenReady = new Promise<void>((r) => {
    this.markReady = r;
  });
  private readonly probes = new Map<number, (r: { count: number; texts: string[] }) => void>();
  private probeSeq = 0;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
  ) {
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    panel.webview.html = html(panel.webview, host.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.handle(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get runId(): string | undefined {
    return this.source?.run.runId;
  }
  get live(): boolean {
    return this.session !== undefined;
  }

  /** Shows a live run: its earlier events (a resumed run's journal), then each new one. */
  attach(session: Session, source: RunSource, history: EngineEvent[] = []): void {
    this.detach();
    this.source = source;
    this.session = session;
    this.events = [...history];
    this.panel.title = this.host.titleFor(this, `Autodata: ${source.run.title}`, startedAt(history) ?? new Date().toISOString());
    this.post({ type: 'reset', run: source.run });
    this.postEvents(history);
    this.sessionSub = vscode.Disposable.from(
      session.onEvent((e) => this.push(e)),
      session.onDelta((d) => {
        if (this.ready) {
          this.post({ type: 'delta', attemptId: d.attemptId, solver: d.solver, index: d.index, text: d.text });
        }
      }),
      session.onDidEnd(() => this.detach(true)),
    );
  }

  /** Shows a run from its journal (after a reload, or an earlier run). */
  async restore(source: RunSource): Promise<void> {
    this.detach();
    this.source = source;
    const { events, skipped } = await readJournal(source.journalFile);
    if (skipped) {
      this.host.log.warn(`${source.journalFile}: ${skipped} line(s) skipped`);
    }
    this.events = events;
    this.panel.title = this.host.titleFor(this, `Autodata: ${source.run.title}`, startedAt(events));
    this.post({ type: 'reset', run: source.run });
    this.postEvents(events);
  }

  /**
   * A long history goes in slices, so the webview never decodes one huge message, and a few slices at a time (each
   * sent once the webview has folded an earlier one), so it paints the first while the rest are on their way.
   */
  private postEvents(events: EngineEvent[]): void {
    for (let i = 0; i < events.length; i += REPLAY_SLICE) {
      this.toWebview.push({ type: 'events', events: events.slice(i, i + REPLAY_SLICE) }, true);
    }
  }

  private detach(ended = false): void {
    this.flush();
    this.sessionSub?.dispose();
    this.sessionSub = undefined;
    this.session = undefined;
    this.inflight.clear();
    if (ended && this.source) {
      this.source = { ...this.source, run: { ...this.source.run, live: false } };
      this.post({ type: 'run', run: this.source.run });
    }
  }

  private push(e: EngineEvent): void {
    if (e.type === 'call_started') {
      this.inflight.set(e.callId, e);
    } else if (e.type === 'call_finished') {
      this.inflight.delete(e.callId);
    } else {
      this.events.push(e);
    }
    this.outbox.push(e);
    // Events arrive in bursts (usage, grades, verdict): one message per burst keeps the webview fast.
    this.flushTimer ??= setTimeout(() => this.flush(), 30);
  }

  private flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.outbox.length === 0) {
      return;
    }
    const events = this.outbox.splice(0);
    this.post({ type: 'events', events });
  }

  post(msg: HostMessage): void {
    this.toWebview.push(msg);
  }

  /** Asks the webview what it shows for a CSS selector (tests and diagnostics). */
  async probe(selector: string, timeoutMs = 10_000): Promise<{ count: number; texts: string[] }> {
    await Promise.race([this.whenReady, new Promise((r) => setTimeout(r, timeoutMs))]);
    const id = ++this.probeSeq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        reject(new Error(`the panel did not answer probe ${selector}`));
      }, timeoutMs);
      this.probes.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.post({ type: 'probe', id, selector });
    });
  }

  /** Every message from the webview: validated, then routed; anything else is dropped and logged. */
  async handle(raw: unknown): Promise<void> {
    const parsed = WebviewMessage.safeParse(raw);
    if (!parsed.success) {
      this.host.log.warn(`dropped a panel message that fails the protocol: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return;
    }
    const m = parsed.data;
    try {
      await this.route(m);
    } catch (e) {
      this.host.log.error(`panel ${m.type}: ${(e as Error).message}`);
      this.post({ type: 'notice', level: 'error', text: (e as Error).message });
    }
  }

  private async route(m: WebviewMessage): Promise<void> {
    const run = this.session?.handle;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.markReady();
        // A webview that (re)loaded has nothing of what was sent before: all of it goes again, below.
        this.outbox = [];
        this.toWebview.restart();
        this.post({ type: 'reset', run: this.source?.run ?? null });
        this.postEvents([...this.events, ...this.inflight.values()]);
        return;
      case 'control':
        if (
          !run &&
          this.source &&
          (m.action === 'resume' || m.action === 'run' || m.action === 'step') &&
          !this.events.some((e) => e.type === 'run_finished' && e.outcome === 'completed')
        ) {
          // A run restored after a reload or crash: go on with it from its journal.
          void this.host.resumeRun(this.source.run.runId, m.action === 'step' ? 'step' : 'run', this);
          return;
        }
        if (!run) {
          throw new Error('This run is not in progress. Start a new run with Run or Step.');
        }
        run.control(m.action);
        return;
      case 'start': {
        if (this.session) {
          throw new Error('A run is already in progress in this panel.');
        }
        const uri = this.source?.documentUri ?? vscode.window.visibleTextEditors[0]?.document.uri;
        if (!uri) {
          throw new Error('Open the document to generate from, then press Run.');
        }
        void this.host.startRun(uri, m.mode, m.goal, this);
        return;
      }
      case 'editChallenge':
        if (!run?.editChallenge(m.attemptId, m.challenge)) {
          throw new Error('Too late to edit this question: its solvers have started.');
        }
        return;
      case 'addNote':
        if (!run) {
          throw new Error('Notes go to the next question of a run in progress.');
        }
        run.addNote(m.text, m.targetId);
        this.post({
          type: 'notice',
          level: 'info',
          text: `Note added${m.targetId ? ` for ${m.targetId}` : ''}: the Challenger reads it when it writes the next question${m.targetId ? ' for this section' : ''}.`,
        });
        return;
      case 'approve':
      case 'reject':
        return this.decide(m);
      case 'revealSource':
        return this.reveal(m.start, m.end);
      case 'openDataset':
        return this.host.openDataset();
      case 'folded':
        this.toWebview.folded(m.slice);
        return;
      case 'probeResult':
        this.probes.get(m.id)?.({ count: m.count, texts: m.texts });
        this.probes.delete(m.id);
        return;
      case 'webviewError':
        this.host.log.warn(`panel: ${m.message}`);
        return;
    }
  }

  private async decide(m: Extract<WebviewMessage, { type: 'approve' | 'reject' }>): Promise<void> {
    const src = this.source;
    if (!src) {
      throw new Error('No run in this panel.');
    }
    const pending = pendingReview(this.events);
    // A live run's own journal and dataset; a restored run's are opened from the workspace.
    const live = this.session?.handle;
    const review =
      live?.review ??
      new Review(
        src.run.runId,
        new JsonlWriter(src.journalFile, { workspace: src.folder, closeWhenIdle: true }),
        await this.host.datasetFor(src.folder),
        src.folder,
      );
    const decided: EngineEvent[] = [];
    for (const id of m.attemptIds) {
      const item = pending.get(id);
      if (!item) {
        continue;
      }
      if (m.type === 'approve') {
        decided.push(await review.approve(item.targetId, item.record, m.attemptIds.length === 1 ? m.edit : undefined));
      } else {
        decided.push(await review.reject(item.targetId, id, m.reason, undefined, item.record));
        live?.requeue(item.targetId, m.reason);
      }
    }
    for (const e of decided) {
      this.events.push(e);
    }
    if (decided.length) {
      this.post({ type: 'events', events: decided });
    }
    if (decided.length < m.attemptIds.length) {
      this.post({ type: 'notice', level: 'info', text: `${m.attemptIds.length - decided.length} item(s) were already decided.` });
    }
  }

  private async reveal(start: number, end: number): Promise<void> {
    const src = this.source;
    if (!src) {
      return;
    }
    const doc = await vscode.workspace.openTextDocument(src.documentUri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const range = new vscode.Range(doc.positionAt(start), doc.positionAt(Math.min(end, doc.getText().length)));
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.setDecorations(this.host.highlight, [range]);
    const started = this.events.find((e) => e.type === 'run_started');
    if (started?.type === 'run_started' && started.document.sha256 !== sha256(doc.getText())) {
      void vscode.window.showWarningMessage('The document changed since this run: the highlighted range may be off.');
    }
  }

  dispose(): void {
    this.detach();
    for (const d of this.disposables.splice(0)) {
      d.dispose();
    }
    this.closed.fire();
    this.closed.dispose();
    this.panel.dispose();
  }
}

function startedAt(events: readonly EngineEvent[]): string | undefined {
  return events.find((e) => e.type === 'run_started')?.at;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out', 'webview')], enableCommandUris: false };
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webview', f));
  // The toolkit inserts one <style> element (its :focus-visible check); it carries the nonce from the csp-nonce meta.
  const csp = [
    `default-src 'none'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('main.css')}">
<title>Autodata</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}

// The set of open Autodata panels: one per run, opened for new runs, restored after a reload, listed by Show Panel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent } from '../shared/events';
import type { PanelRun } from '../protocol';
import { journalFile, listRuns, readJournal } from '../run/journal';
import { RunPanel, VIEW_TYPE, webviewOptions, type PanelHost, type RunSource } from './panel';
import type { Session } from './session';

/** A source quote shown in the editor: marked like a find match, and in the overview ruler. */
const QUOTE_HIGHLIGHT: vscode.DecorationRenderOptions = {
  backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
  borderColor: new vscode.ThemeColor('editor.findMatchHighlightBorder'),
  borderStyle: 'solid',
  borderWidth: '1px',
  overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.findMatchForeground'),
  overviewRulerLane: vscode.OverviewRulerLane.Center,
};

export class Panels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly open = new Set<RunPanel>();
  private last: RunPanel | undefined;
  private readonly host: PanelHost;

  constructor(host: Omit<PanelHost, 'highlight' | 'titleFor'>) {
    this.host = {
      ...host,
      highlight: vscode.window.createTextEditorDecorationType(QUOTE_HIGHLIGHT),
      titleFor: (panel, title, startedAt) => this.uniqueTitle(panel, title, startedAt),
    };
  }

  all(): RunPanel[] {
    return [...this.open];
  }
  latest(): RunPanel | undefined {
    return this.last;
  }
  forRun(runId: string): RunPanel | undefined {
    return this.all().find((p) => p.runId === runId);
  }

  /** Shows a live run, in the given panel (a run started from it) or in a new one. */
  showSession(session: Session, source: RunSource, reuse?: RunPanel, history?: EngineEvent[]): RunPanel {
    const panel = reuse && this.open.has(reuse) ? reuse : this.create();
    panel.attach(session, source, history);
    panel.panel.reveal(panel.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    return panel;
  }

  /**
   * Autodata: Show Panel — a picker of the workspace's runs (document, date, counts; open ones marked), most recent
   * first; the picked run's panel is revealed, or opened from its journal. Without any run, the latest panel or an
   * empty one.
   */
  async show(runId?: string): Promise<RunPanel | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (runId && folder) {
      return this.showRun(folder, runId);
    }
    const runs = folder ? (await listRuns(folder)).slice(0, MAX_PICKED) : [];
    if (!folder || runs.length === 0) {
      if (this.last && this.open.has(this.last)) {
        this.last.panel.reveal();
        return this.last;
      }
      return this.create();
    }
    const items = await Promise.all(
      runs.map(async (runId) => {
        const s = await runSummary(folder, runId).catch(() => undefined);
        const open = this.forRun(runId);
        return {
          runId,
          label: `${open ? '$(eye) ' : ''}${s?.document ?? runId}`,
          description: s ? s.date : undefined,
          detail: s ? `${s.counts} · ${runId}${open ? ' · open' : ''}` : `${runId} (journal unreadable)`,
        };
      }),
    );
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Autodata: Show Panel',
      placeHolder: 'Which run? (most recent first)',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return pick ? this.showRun(folder, pick.runId) : undefined;
  }

  /** The run's open panel, or a new one with the run from its journal. */
  private async showRun(folder: string, runId: string): Promise<RunPanel> {
    const open = this.forRun(runId);
    if (open) {
      open.panel.reveal();
      return open;
    }
    const source = await sourceFromJournal(folder, runId);
    const panel = this.create();
    if (source) {
      await panel.restore(source);
    }
    return panel;
  }

  /** A tab title no other open panel has: the same document's runs are told apart by when they started. */
  uniqueTitle(panel: RunPanel, title: string, startedAt?: string): string {
    const taken = new Set(
      this.all()
        .filter((p) => p !== panel)
        .map((p) => p.panel.title),
    );
    if (!taken.has(title)) {
      return title;
    }
    const when = startedAt ? new Date(startedAt) : undefined;
    const stamp =
      when && !Number.isNaN(when.getTime()) ? `${when.toLocaleDateString()} ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : undefined;
    for (let n = 2; ; n++) {
      const t = stamp && n === 2 ? `${title} (${stamp})` : `${title} (${stamp ? `${stamp}, ` : ''}${n})`;
      if (!taken.has(t)) {
        return t;
      }
    }
  }

  /** Restores a panel after the window reloads: its run comes back from the journal. */
  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    webviewPanel.webview.options = webviewOptions(this.host.extensionUri);
    const panel = this.track(new RunPanel(webviewPanel, this.host));
    const runId = typeof (state as { runId?: unknown })?.runId === 'string' ? (state as { runId: string }).runId : undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (runId && folder) {
      const source = await sourceFromJournal(folder, runId).catch(() => undefined);
      if (source) {
        await panel.restore(source);
      }
    }
  }

  private create(): RunPanel {
    const webviewPanel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'Autodata',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(this.host.extensionUri),
    );
    return this.track(new RunPanel(webviewPanel, this.host));
  }

  private track(panel: RunPanel): RunPanel {
    this.open.add(panel);
    this.last = panel;
    panel.onDidDispose(() => {
      this.open.delete(panel);
      if (this.last === panel) {
        this.last = this.all().at(-1);
      }
    });
    return panel;
  }

  dispose(): void {
    for (const p of this.all()) {
      p.dispose();
    }
    this.host.highlight.dispose();
  }
}

const MAX_PICKED = 50;

/** What Show Panel's picker says of a run: its document, when it started, and its counts. */
export async function runSummary(folder: string, runId: string): Promise<{ document: string; date: string; counts: string }> {
  const { events } = await readJournal(journalFile(folder, runId));
  const started = events.find((e) => e.type === 'run_started');
  let accepted = 0;
  let review = 0;
  let attempts = 0;
  let outcome: string | undefined;
  for (const e of events) {
    if (e.type === 'item_accepted') {
      accepted++;
    } else if (e.type === 'review_needed') {
      review++;
    } else if (e.type === 'attempt_started') {
      attempts++;
    } else if (e.type === 'review_decision') {
      review--;
      if (e.decision === 'approved') {
        accepted++;
      }
    } else if (e.type === 'run_finished') {
      outcome = e.outcome;
    }
  }
  const at = started ? new Date(started.at) : undefined;
  return {
    document: started?.type === 'run_started' ? path.basename(started.document.path) : runId,
    date: at && !Number.isNaN(at.getTime()) ? `${at.toLocaleDateString()} ${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : '',
    counts: `${accepted} accepted · ${Math.max(0, review)} in review · ${attempts} attempt${attempts === 1 ? '' : 's'} · ${outcome ?? 'not finished'}`,
  };
}

/** Rebuilds what a panel shows of a run from the run's journal (its first event names the document and policy). */
export async function sourceFromJournal(folder: string, runId: string): Promise<RunSource | undefined> {
  const file = journalFile(folder, runId);
  const { events } = await readJournal(file);
  const started = events.find((e) => e.type === 'run_started');
  if (!started || started.type !== 'run_started') {
    return undefined;
  }
  const run: PanelRun = {
    runId,
    title: path.basename(started.document.path),
    documentPath: started.document.path,
    thresholds: started.policy,
    solveOrder: started.solveOrder,
    mode: started.mode,
    goal: started.goal,
    live: false,
    restored: true,
  };
  const documentUri = path.isAbsolute(started.document.path)
    ? vscode.Uri.file(started.document.path)
    : vscode.Uri.file(path.join(folder, started.document.path));
  return { run, folder, documentUri, journalFile: file };
}

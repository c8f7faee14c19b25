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

  constructor(host: Omit<PanelHost, 'highlight'>) {
    this.host = { ...host, highlight: vscode.window.createTextEditorDecorationType(QUOTE_HIGHLIGHT) };
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

  /** Autodata: Show Panel — the latest panel, else a run picked from the workspace's journals, else an empty panel. */
  async show(): Promise<RunPanel | undefined> {
    if (this.last && this.open.has(this.last)) {
      this.last.panel.reveal();
      return this.last;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const runs = folder ? await listRuns(folder) : [];
    if (!folder || runs.length === 0) {
      return this.create();
    }
    const runId =
      runs.length === 1 ? runs[0] : await vscode.window.showQuickPick(runs, { title: 'Autodata: Show Panel', placeHolder: 'Which run? (most recent first)' });
    if (!runId) {
      return undefined;
    }
    const source = await sourceFromJournal(folder, runId);
    const panel = this.create();
    if (source) {
      await panel.restore(source);
    }
    return panel;
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

// The status bar item of a run in progress: attempts, accepted items and tokens; a click shows the panel.
import * as vscode from 'vscode';
import type { Session } from './session';

export class RunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('autodata.run', vscode.StatusBarAlignment.Left, 10);
  private sub: vscode.Disposable | undefined;

  constructor() {
    this.item.name = 'Autodata run';
    this.item.command = 'autodata.showPanel';
  }

  track(session: Session): void {
    this.sub?.dispose();
    this.item.command = { command: 'autodata.showPanel', title: 'Show the run', arguments: [session.runId] };
    let attempts = 0;
    let accepted = 0;
    let review = 0;
    let tokens = 0;
    let cost: number | undefined;
    let state = 'running';
    const tokensByRole = new Map<string, number>();
    const show = () => {
      const icon = state === 'paused' ? '$(debug-pause)' : state === 'stepping' ? '$(debug-step-over)' : '$(sync~spin)';
      const money = cost === undefined ? '' : ` · ${cost.toFixed(cost < 1 ? 4 : 2)}`;
      this.item.text = `${icon} Autodata ${accepted}✓ ${attempts} tries${money}`;
      this.item.tooltip = new vscode.MarkdownString(
        `**Autodata run ${session.runId}** (${state})\n\n${attempts} attempts · ${accepted} accepted · ${review} for review · ${compact(tokens)} tokens${money ? ` · cost ${money.slice(3)}` : ''}${accepted ? ` · ${compact(Math.round(tokens / accepted))} tokens per accepted item` : ''}\n\nClick to show the panel.`,
      );
      this.item.show();
    };
    this.sub = vscode.Disposable.from(
      session.onEvent((e) => {
        if (e.type === 'attempt_started') {
          attempts++;
        } else if (e.type === 'item_accepted') {
          accepted++;
        } else if (e.type === 'review_needed') {
          review++;
        } else if (e.type === 'state') {
          state = e.state;
        } else if (e.type === 'usage') {
          tokensByRole.set(e.role, e.totals.promptTokens + e.totals.completionTokens);
          tokens = [...tokensByRole.values()].reduce((a, b) => a + b, 0);
          cost = e.cost;
        } else if (e.type === 'run_finished') {
          this.item.hide();
          return;
        } else {
          return;
        }
        show();
      }),
      session.onDidEnd(() => this.item.hide()),
    );
    show();
  }

  dispose(): void {
    this.sub?.dispose();
    this.item.dispose();
  }
}

function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

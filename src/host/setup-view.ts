// The Models view (a webview tab "Autodata: Models"): the roles with their endpoints, models and keys, the last Test
// Connection's results per role, and what Configure Models, Set API Key and Test Connection last did, kept on screen.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isLocal, originOf } from '../core/endpoint';
import type { ConnectionReport } from '../core/connection';
import type { Role } from '../shared/schemas';
import { configuredRoles } from '../core/role-endpoints';
import { isLmModel } from './lm-model';
import type { ApiKeys } from './secrets';
import { checkView, setupHtml, type KeyState, type RoleCheckView, type RoleRow, type SetupNotice } from './setup-html';
import { readSettings } from './settings';

export const SETUP_VIEW_TYPE = 'autodata.models';
const MAX_NOTICES = 4;
const VIEW_OPTIONS: vscode.WebviewPanelOptions & vscode.WebviewOptions = { enableScripts: false, enableCommandUris: true, localResourceRoots: [] };

export class SetupView implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private notices: SetupNotice[] = [];
  private checks = new Map<Role, { key: string; view: RoleCheckView }>();
  private testedAt: Date | undefined;
  private lastRows: RoleRow[] = [];

  constructor(private readonly keys: ApiKeys) {}

  /** Adds a notice that stays on the view (the newest first). */
  note(level: SetupNotice['level'], text: string): void {
    this.notices = [{ level, text, at: new Date() }, ...this.notices].slice(0, MAX_NOTICES);
  }

  /** Keeps Test Connection's results; a role's result is dropped once its endpoint or model changes. */
  setChecks(results: Array<{ role: Role; baseURL: string; model: string; report: ConnectionReport; key: KeyState }>): void {
    this.testedAt = new Date();
    for (const r of results) {
      this.checks.set(r.role, { key: `${r.baseURL} ${r.model}`, view: checkView(r.report, r.key) });
    }
  }

  /** The rows as shown now (tests and the UI check read them). */
  get rows(): RoleRow[] {
    return this.lastRows;
  }
  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or refreshes) the view; with `ifOpen`, only refreshes a view that is already open. */
  async show(opts: { preserveFocus?: boolean; ifOpen?: boolean } = {}): Promise<void> {
    if (opts.ifOpen && !this.panel) {
      return;
    }
    const rows = await this.roleRows();
    this.lastRows = rows;
    if (!this.panel) {
      this.adopt(
        vscode.window.createWebviewPanel(
          SETUP_VIEW_TYPE,
          'Autodata: Models',
          { viewColumn: vscode.ViewColumn.Active, preserveFocus: opts.preserveFocus ?? false },
          VIEW_OPTIONS,
        ),
      );
    } else {
      this.panel!.reveal(undefined, opts.preserveFocus ?? false);
    }
    const panel = this.panel!;
    panel.webview.html = setupHtml({
      rows,
      notices: this.notices,
      testedAt: this.testedAt,
      cspSource: panel.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
    });
  }

  /** After a reload the view comes back with the current roles (Test Connection's results are not kept). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    if (this.panel && this.panel !== panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = VIEW_OPTIONS;
    this.adopt(panel);
    await this.show({ preserveFocus: true, ifOpen: true });
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
      }
    });
  }

  /** What the key column shows for an endpoint (never the key). */
  async keyState(baseURL: string, model = ''): Promise<KeyState> {
    if (isLmModel(model)) {
      return 'not-needed';
    }
    const stored = await this.keys.stored(baseURL);
    if (stored) {
      return 'stored';
    }
    if (await this.keys.get(baseURL)) {
      return 'environment';
    }
    return isLocal(baseURL) ? 'local' : 'missing';
  }

  private async roleRows(): Promise<RoleRow[]> {
    const settings = readSettings();
    const cfg = vscode.workspace.getConfiguration('autodata');
    return Promise.all(
      configuredRoles(settings.engine).map(async (role): Promise<RoleRow> => {
        const ep = settings.engine.roles[role]!;
        const own = (cfg.inspect<Record<string, unknown>>(`roles.${role}`)?.globalValue ?? {}) as { baseUrl?: string; model?: string };
        const check = this.checks.get(role);
        return {
          role,
          baseURL: ep.baseURL,
          model: ep.model,
          ownBaseUrl: Boolean(own.baseUrl?.trim()),
          ownModel: Boolean(own.model?.trim()),
          key: await this.keyState(ep.baseURL, ep.model),
          origin: originOf(ep.baseURL),
          replicas: await Promise.all((ep.replicas ?? []).map(async (u) => ({ baseURL: u, key: await this.keyState(u, ep.model) }))),
          check: check && check.key === `${ep.baseURL} ${ep.model}` ? check.view : undefined,
        };
      }),
    );
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

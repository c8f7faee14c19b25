// What the commands work with: the extension's services, created once in activate and disposed with the extension.
import * as vscode from 'vscode';
import { endpointProfiles } from '../core/endpoints/profiles';
import { ModelSetup } from './model-setup';
import { Panels } from './panels';
import { RunService } from './run-service';
import { ApiKeys } from './secrets';
import { RunStatus } from './status';
import { SETUP_VIEW_TYPE, SetupView } from './setup-view';
import { readSettings } from './settings';
import { ROLES } from '../shared/schemas';

const PROFILES_KEY = 'autodata.endpointProfiles';

export class Ctx implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Autodata', { log: true });
  readonly keys: ApiKeys;
  readonly runs: RunService;
  readonly models: ModelSetup;
  readonly panels: Panels;
  readonly setup: SetupView;
  readonly status = new RunStatus();
  private readonly owned: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.keys = new ApiKeys(extension.secrets);
    this.runs = new RunService(this.keys, this.log);
    this.setup = new SetupView(this.keys);
    this.models = new ModelSetup(this.keys, this.log, this.setup);
    this.panels = new Panels({
      extensionUri: extension.extensionUri,
      log: this.log,
      datasetFor: (folder) => this.runs.datasetFor(folder),
      startRun: (uri, mode, goal, panel) => this.runs.generate('document', { uri, mode, goal, panel, silent: true }),
      openDataset: async () => {
        await vscode.commands.executeCommand('autodata.openDataset');
      },
      resumeRun: (runId, mode, panel) => this.runs.resume(runId, { mode, panel, silent: true }),
    });
    // What endpoints turned out to accept is remembered across sessions, and each lesson is logged.
    endpointProfiles.restore(extension.globalState.get(PROFILES_KEY));
    const unlearn = endpointProfiles.onLearn((p, note) => {
      this.log.info(`endpoint ${p.model} at ${p.host}: ${note}`);
      void extension.globalState.update(PROFILES_KEY, endpointProfiles.snapshot());
    });
    this.owned.push(
      { dispose: unlearn },
      this.panels,
      this.setup,
      this.status,
      this.runs,
      this.log,
      this.runs.onDidStartSession(({ session, source, reuse, history }) => {
        this.panels.showSession(session, source, reuse, history);
        this.status.track(session);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('autodata')) {
          this.logRoles('settings changed');
          void this.setup.show({ ifOpen: true, preserveFocus: true });
        }
      }),
      vscode.window.registerWebviewPanelSerializer('autodata.panel', this.panels),
      vscode.window.registerWebviewPanelSerializer(SETUP_VIEW_TYPE, this.setup),
    );
  }

  /** One log line with every role's model and endpoint as the settings now say (what a run would use). */
  logRoles(why: string): void {
    try {
      const roles = readSettings().engine.roles;
      this.log.info(`${why}: ${ROLES.map((r) => `${r} ${roles[r].model} at ${roles[r].baseURL}`).join(', ')}`);
    } catch (e) {
      this.log.warn(`${why}: ${(e as Error).message}`);
    }
  }

  /** Registers a disposable for the extension's lifetime. */
  own(d: vscode.Disposable): void {
    this.owned.push(d);
  }

  dispose(): void {
    for (const d of this.owned.splice(0).reverse()) {
      d.dispose();
    }
  }
}

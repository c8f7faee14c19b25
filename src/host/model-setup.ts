// Autodata: Configure Models and Test Connection: endpoint presets, the endpoint's model list per role, a check per role.
import * as vscode from 'vscode';
import { listModels, testChatModel, testConnection, type ConnectionReport } from '../core/connection';
import { isLmModel, lmSpec, VscodeLmModel } from './lm-model';
import { ROLES, type Role } from '../shared/schemas';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';

export const ENDPOINT_PRESETS = [
  { label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', detail: 'Needs an API key' },
  { label: 'Ollama', baseUrl: 'http://localhost:11434/v1', detail: 'Local; no key. `ollama serve`, then `ollama pull <model>`' },
  { label: 'vLLM', baseUrl: 'http://localhost:8000/v1', detail: 'Local; `vllm serve <model>`' },
  { label: 'LM Studio', baseUrl: 'http://localhost:1234/v1', detail: 'Local; start the server in LM Studio' },
] as const;

const ROLE_LABEL: Record<Role, string> = { challenger: 'Challenger', quality: 'Quality check', weak: 'Weak solver', strong: 'Strong solver', judge: 'Judge' };

export interface RoleCheck {
  role: Role;
  model: string;
  baseURL: string;
  report: ConnectionReport;
}

export class ModelSetup {
  constructor(
    private readonly keys: ApiKeys,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Sets a role's (or the shared) endpoint and model; interactive unless all arguments are given. */
  async configure(args?: { role?: Role | 'all'; baseUrl?: string; model?: string }): Promise<boolean> {
    const cfg = vscode.workspace.getConfiguration('autodata');
    const role =
      args?.role ??
      (
        await vscode.window.showQuickPick(
          [
            { label: 'All roles', description: 'the shared endpoint and model', value: 'all' as const },
            ...ROLES.map((r) => ({ label: ROLE_LABEL[r], value: r })),
          ],
          { title: 'Autodata: Configure Models', placeHolder: 'Which role?' },
        )
      )?.value;
    if (!role) {
      return false;
    }
    const current = readSettings().engine.roles[role === 'all' ? 'challenger' : role].baseURL;
    let baseUrl = args?.baseUrl;
    if (!baseUrl) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: `Keep ${current}`, baseUrl: current, detail: undefined as string | undefined },
          ...ENDPOINT_PRESETS.map((p) => ({ label: p.label, baseUrl: p.baseUrl as string, detail: `${p.baseUrl} — ${p.detail}` })),
          { label: 'VS Code language models', baseUrl: 'vscode-lm', detail: 'Models other extensions provide to VS Code (e.g. GitHub Copilot); no key' },
          { label: 'Other OpenAI-compatible endpoint…', baseUrl: '', detail: undefined },
        ],
        { title: `Endpoint for ${role === 'all' ? 'all roles' : ROLE_LABEL[role]}` },
      );
      if (!pick) {
        return false;
      }
      baseUrl =
        pick.baseUrl ||
        (await vscode.window.showInputBox({
          title: 'Base URL',
          value: 'http://localhost:8000/v1',
          validateInput: (v) => (/^https?:\/\/.+/.test(v) ? undefined : 'An http(s) URL, e.g. http://localhost:8000/v1'),
        }));
      if (!baseUrl) {
        return false;
      }
    }
    let model = args?.model;
    if (!model && baseUrl === 'vscode-lm') {
      const models = await vscode.lm.selectChatModels({});
      if (models.length === 0) {
        void vscode.window.showWarningMessage(
          'No VS Code language model is available. Install and sign in to an extension that provides one, such as GitHub Copilot Chat.',
        );
        return false;
      }
      const pick = await vscode.window.showQuickPick(
        models.map((m) => ({ label: m.name, description: `${m.vendor} · ${m.family}`, spec: lmSpec(m) })),
        { title: 'VS Code language model' },
      );
      if (!pick) {
        return false;
      }
      model = pick.spec;
      baseUrl = current;
    }
    if (baseUrl === 'vscode-lm') {
      baseUrl = current;
    }
    if (!model) {
      let listed: string[] = [];
      try {
        listed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Listing models at ${baseUrl}` }, async () =>
          listModels(baseUrl!, (await this.keys.get(baseUrl!)) ?? ''),
        );
      } catch (e) {
        void vscode.window.showWarningMessage(`Could not list the models at ${baseUrl}: ${(e as Error).message}. Type a model name instead.`);
      }
      const typed = '$(edit) Type a model name…';
      const pick = listed.length
        ? await vscode.window.showQuickPick([...listed, typed], {
            title: `Model for ${role === 'all' ? 'all roles' : ROLE_LABEL[role]}`,
            matchOnDescription: true,
          })
        : typed;
      if (!pick) {
        return false;
      }
      model = pick === typed ? await vscode.window.showInputBox({ title: 'Model name' }) : pick;
      if (!model) {
        return false;
      }
    }
    const G = vscode.ConfigurationTarget.Global;
    if (role === 'all') {
      await cfg.update('baseUrl', baseUrl, G);
      await cfg.update('model', model, G);
    } else {
      const prev = (cfg.inspect<Record<string, unknown>>(`roles.${role}`)?.globalValue ?? {}) as Record<string, unknown>;
      await cfg.update(`roles.${role}`, { ...prev, baseUrl, model }, G);
    }
    this.log.info(`${role === 'all' ? 'all roles' : role}: ${model} at ${baseUrl}`);
    if (!args?.model) {
      const next = await vscode.window.showInformationMessage(
        `Autodata: ${role === 'all' ? 'all roles' : ROLE_LABEL[role]} now use ${model}.`,
        'Test Connection',
      );
      if (next === 'Test Connection') {
        await this.test();
      }
    }
    return true;
  }

  /** One tiny request per distinct (endpoint, model) of the configured roles; a clear message per failure. */
  async test(opts: { silent?: boolean } = {}): Promise<RoleCheck[]> {
    const settings = readSettings();
    const seen = new Map<string, Promise<ConnectionReport>>();
    const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Autodata: testing the model endpoints' }, () =>
      Promise.all(
        ROLES.map(async (role) => {
          const ep = settings.engine.roles[role];
          const key = `${ep.baseURL} ${ep.model}`;
          if (!seen.has(key)) {
            seen.set(
              key,
              isLmModel(ep.model) ? testChatModel(new VscodeLmModel(ep.model)) : this.keys.get(ep.baseURL).then((k) => testConnection(ep, k ?? '')),
            );
          }
          return { role, model: ep.model, baseURL: ep.baseURL, report: await seen.get(key)! };
        }),
      ),
    );
    for (const c of checks) {
      (c.report.ok ? this.log.info : this.log.warn).call(this.log, `test connection ${c.role}: ${c.report.message} (${c.report.ms} ms)`);
    }
    if (!opts.silent) {
      const failed = checks.filter((c) => !c.report.ok);
      if (failed.length === 0) {
        void vscode.window.showInformationMessage(`Autodata: every role answers (${[...new Set(checks.map((c) => c.model))].join(', ')}).`);
      } else {
        const buttons = failed.some((c) => c.report.kind === 'auth') ? ['Set API Key', 'Show Log'] : ['Configure Models', 'Show Log'];
        void vscode.window
          .showErrorMessage(`Autodata: ${failed.map((c) => `${ROLE_LABEL[c.role]}: ${c.report.message}`).join(' · ')}`, ...buttons)
          .then((b) => {
            if (b === 'Set API Key') {
              void vscode.commands.executeCommand('autodata.setApiKey');
            }
            if (b === 'Configure Models') {
              void vscode.commands.executeCommand('autodata.configureModels');
            }
            if (b === 'Show Log') {
              this.log.show();
            }
          });
      }
    }
    return checks;
  }
}

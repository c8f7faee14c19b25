// Autodata: Configure Models and Test Connection: endpoint presets, the endpoint's model list per role, a check per role.
import * as vscode from 'vscode';
import { listModels, testChatModel, testConnection, type ConnectionReport } from '../core/connection';
import { isLmModel, lmSpec, VscodeLmModel } from './lm-model';
import { configuredRoles } from '../core/role-endpoints';
import { Role, ROLES } from '../shared/schemas';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';
import { sentences } from '../shared/text';
import { ROLE_LABEL } from './setup-html';
import type { SetupView } from './setup-view';
import { pairFor, pairRoles, type ModelPair } from '../core/model-pairs';

export const ENDPOINT_PRESETS = [
  { label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', detail: 'Needs an API key' },
  { label: 'Ollama', baseUrl: 'http://localhost:11434/v1', detail: 'Local; no key. `ollama serve`, then `ollama pull <model>`' },
  { label: 'vLLM', baseUrl: 'http://localhost:8000/v1', detail: 'Local; `vllm serve <model>`' },
  { label: 'LM Studio', baseUrl: 'http://localhost:1234/v1', detail: 'Local; start the server in LM Studio' },
] as const;

export interface RoleCheck {
  role: Role;
  model: string;
  baseURL: string;
  report: ConnectionReport;
}

/** What "All roles" does to roles that set their own endpoint or model: clear those, or leave those roles as they are. */
export type RoleOverrides = 'clear' | 'keep';

interface OwnSettings {
  baseUrl?: string;
  model?: string;
  [k: string]: unknown;
}

export class ModelSetup {
  constructor(
    private readonly keys: ApiKeys,
    private readonly log: vscode.LogOutputChannel,
    private readonly view: SetupView,
  ) {}

  /** The roles that set their own endpoint or model in user settings. */
  private ownSettings(): Array<{ role: Role; own: OwnSettings }> {
    const cfg = vscode.workspace.getConfiguration('autodata');
    return Role.options
      .map((role) => ({ role, own: (cfg.inspect<OwnSettings>(`roles.${role}`)?.globalValue ?? {}) as OwnSettings }))
      .filter(({ own }) => Boolean(own.baseUrl?.trim() || own.model?.trim()));
  }

  /**
   * Sets a role's (or the shared) endpoint and model; interactive unless all arguments are given. For "All roles",
   * roles with their own endpoint or model are either cleared (they follow the shared one) or kept as they are, as the
   * person chooses (`roleOverrides`; without a choice, kept). The Models view then shows every role's endpoint and model.
   */
  async configure(args?: { role?: Role | 'all'; baseUrl?: string; model?: string; roleOverrides?: RoleOverrides; pair?: boolean }): Promise<boolean> {
    const cfg = vscode.workspace.getConfiguration('autodata');
    const interactive = !args?.model;
    const owners = this.ownSettings();
    const ownText = (o: OwnSettings) =>
      [o.model?.trim() && `model ${o.model.trim()}`, o.baseUrl?.trim() && `endpoint ${o.baseUrl.trim()}`].filter(Boolean).join(', ');
    const role =
      args?.role ??
      (
        await vscode.window.showQuickPick(
          [
            {
              label: 'All roles',
              description: 'the shared endpoint and model',
              detail: owners.length
                ? `${owners.map((o) => `${ROLE_LABEL[o.role]} has its own ${ownText(o.own)}`).join('; ')}: you choose next whether those change too.`
                : 'Every role follows the shared endpoint and model.',
              value: 'all' as const,
            },
            ...Role.options.map((r) => {
              const own = owners.find((o) => o.role === r);
              const shared = r === 'judge2' ? 'off: grades nothing until it has its own model' : 'follows the shared one';
              return { label: ROLE_LABEL[r], description: own ? `own: ${ownText(own.own)}` : shared, value: r };
            }),
          ],
          { title: 'Autodata: Configure Models', placeHolder: 'Which role?', ignoreFocusOut: true },
        )
      )?.value;
    if (!role) {
      return false;
    }
    const roleName = role === 'all' ? 'all roles' : ROLE_LABEL[role];
    const current = readSettings().engine.roles[role === 'all' ? 'challenger' : role]?.baseURL ?? readSettings().engine.roles.judge.baseURL;
    let baseUrl = args?.baseUrl;
    if (!baseUrl) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: `Keep ${current}`, baseUrl: current, detail: undefined as string | undefined },
          ...ENDPOINT_PRESETS.map((p) => ({ label: p.label, baseUrl: p.baseUrl as string, detail: `${p.baseUrl} — ${p.detail}` })),
          { label: 'VS Code language models', baseUrl: 'vscode-lm', detail: 'Models other extensions provide to VS Code (e.g. GitHub Copilot); no key' },
          { label: 'Other OpenAI-compatible endpoint…', baseUrl: '', detail: undefined },
        ],
        { title: `Endpoint for ${roleName}`, ignoreFocusOut: true },
      );
      if (!pick) {
        return false;
      }
      baseUrl =
        pick.baseUrl ||
        (await vscode.window.showInputBox({
          title: 'Base URL',
          value: 'http://localhost:8000/v1',
          ignoreFocusOut: true,
          validateInput: (v) => (/^https?:\/\/.+/.test(v) ? undefined : 'An http(s) URL, e.g. http://localhost:8000/v1'),
        }));
      if (!baseUrl) {
        return false;
      }
    }
    // A known endpoint for all roles: propose the weak/strong pair that can separate there (one model for every role
    // leaves no gap between the solvers, so no item could be accepted).
    const pair = role === 'all' && !args?.model ? pairFor(baseUrl) : undefined;
    if (args?.pair && !pair) {
      void vscode.window.showWarningMessage(`Autodata has no proposed weak/strong pair for ${baseUrl}: choose the models yourself.`);
      return false;
    }
    if (pair && (args?.pair || interactive)) {
      const use =
        args?.pair ??
        (
          await vscode.window.showQuickPick(
            [
              {
                label: `Weak/strong pair: ${pair.weak} and ${pair.strong}`,
                description: 'recommended',
                detail: `Sets every role: the weak solver ${pair.weak}${pair.weakBaseURL ? ` at ${pair.weakBaseURL}` : ''}; the strong solver ${pair.strong}; the Challenger, quality check and judge ${pair.judge}.${pair.note ? ` ${pair.note.replace(/`/g, '')}.` : ''}`,
                value: true,
              },
              {
                label: 'One model for every role',
                description: 'choose it next',
                detail: 'The weak and strong solvers must still differ before a run can find a gap.',
                value: false,
              },
            ],
            { title: `Autodata: models for ${pair.label}`, ignoreFocusOut: true },
          )
        )?.value;
      if (use === undefined) {
        return false;
      }
      if (use) {
        return this.applyPair(pair);
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
        { title: 'VS Code language model', ignoreFocusOut: true },
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
      const list = async (): Promise<string[]> =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Listing models at ${baseUrl}` }, async () =>
          listModels(baseUrl!, (await this.keys.get(baseUrl!)) ?? ''),
        );
      let listed: string[] = [];
      try {
        listed = await list();
      } catch (e) {
        const message = sentences(`Could not list the models at ${baseUrl}: ${(e as Error).message}`);
        // A 401 here is what a person meets who picked the endpoint before setting its key: set it, then list again.
        if ((e as { kind?: string }).kind === 'auth' && (await vscode.window.showWarningMessage(message, 'Set API Key')) === 'Set API Key') {
          await vscode.commands.executeCommand('autodata.setApiKey', { baseUrl });
          listed = await list().catch((again: Error) => {
            void vscode.window.showWarningMessage(sentences(`Still cannot list the models at ${baseUrl}: ${again.message}`, 'Type a model name instead'));
            return [];
          });
        } else if ((e as { kind?: string }).kind !== 'auth') {
          void vscode.window.showWarningMessage(sentences(message, 'Type a model name instead'));
        }
      }
      const typed = '$(edit) Type a model name…';
      const pick = listed.length
        ? await vscode.window.showQuickPick([...listed, typed], { title: `Model for ${roleName}`, matchOnDescription: true, ignoreFocusOut: true })
        : typed;
      if (!pick) {
        return false;
      }
      model = pick === typed ? await vscode.window.showInputBox({ title: 'Model name', ignoreFocusOut: true }) : pick;
      if (!model) {
        return false;
      }
    }
    let roleOverrides: RoleOverrides = args?.roleOverrides ?? 'keep';
    if (role === 'all' && owners.length && interactive && !args?.roleOverrides) {
      const names = owners.map((o) => `${ROLE_LABEL[o.role]} (${ownText(o.own)})`).join(', ');
      const pick = await vscode.window.showQuickPick(
        [
          {
            label: 'Every role',
            description: `all five use ${model} at ${baseUrl}`,
            detail: `Clears the own settings of: ${names}.`,
            value: 'clear' as const,
          },
          {
            label: "Keep the roles' own settings",
            description: 'everything else follows the shared endpoint and model',
            detail: `Keeps: ${names}.`,
            value: 'keep' as const,
          },
        ],
        {
          title: `Autodata: ${owners.length === 1 ? 'one role has' : `${owners.length} roles have`} their own endpoint or model`,
          placeHolder: 'Change them too?',
          // Every step of this picker stays open when focus moves (a view refreshing, a click to copy a URL).
          ignoreFocusOut: true,
        },
      );
      if (!pick) {
        return false;
      }
      roleOverrides = pick.value;
    }
    const G = vscode.ConfigurationTarget.Global;
    let outcome: string;
    if (role === 'all') {
      await dropReplicasOnMove(cfg, baseUrl);
      await cfg.update('baseUrl', baseUrl, G);
      await cfg.update('model', model, G);
      if (roleOverrides === 'clear') {
        for (const { role: r, own } of owners) {
          const { baseUrl: _b, model: _m, replicas: _r, ...rest } = own;
          await cfg.update(`roles.${r}`, Object.keys(rest).length ? rest : undefined, G);
        }
      }
      const kept = roleOverrides === 'keep' ? owners : [];
      outcome =
        `All roles: ${model} at ${baseUrl}.` +
        (owners.length === 0
          ? ''
          : kept.length
            ? ` Kept their own settings: ${kept.map((o) => `${ROLE_LABEL[o.role]} (${ownText(o.own)})`).join(', ')}.`
            : ` Cleared the own settings of ${owners.map((o) => ROLE_LABEL[o.role]).join(', ')}: every role uses it.`);
    } else {
      const prev = (cfg.inspect<Record<string, unknown>>(`roles.${role}`)?.globalValue ?? {}) as Record<string, unknown>;
      // Replicas serve the base URL they were listed with: a new base URL keeps none of them.
      const { replicas, ...rest } = prev;
      await cfg.update(`roles.${role}`, { ...(prev.baseUrl === baseUrl && replicas !== undefined ? { replicas } : {}), ...rest, baseUrl, model }, G);
      outcome = `${ROLE_LABEL[role]}: ${model} at ${baseUrl} (its own; the other roles are unchanged).`;
    }
    this.log.info(`Configure Models: ${outcome}`);
    this.view.note('info', outcome);
    await this.view.show({ ifOpen: !interactive });
    return true;
  }

  /** Sets every role to a proposed pair: the shared endpoint and model are the strong one's, the weak solver its own. */
  private async applyPair(pair: ModelPair): Promise<boolean> {
    const cfg = vscode.workspace.getConfiguration('autodata');
    const G = vscode.ConfigurationTarget.Global;
    const roles = pairRoles(pair);
    await dropReplicasOnMove(cfg, pair.baseURL);
    await cfg.update('baseUrl', pair.baseURL, G);
    await cfg.update('model', pair.judge, G);
    for (const r of ROLES) {
      const prev = (cfg.inspect<OwnSettings>(`roles.${r}`)?.globalValue ?? {}) as OwnSettings;
      const { baseUrl: _b, model: _m, replicas, ...rest } = prev;
      const want = roles[r];
      // A role's replicas stay only while it keeps the base URL they were listed with.
      const keepReplicas = replicas !== undefined && want.baseURL !== pair.baseURL && prev.baseUrl === want.baseURL;
      const own = {
        ...rest,
        ...(keepReplicas ? { replicas } : {}),
        ...(want.baseURL !== pair.baseURL ? { baseUrl: want.baseURL } : {}),
        ...(want.model !== pair.judge ? { model: want.model } : {}),
      };
      await cfg.update(`roles.${r}`, Object.keys(own).length ? own : undefined, G);
    }
    const outcome =
      `${pair.label}: the weak solver ${pair.weak}${pair.weakBaseURL ? ` at ${pair.weakBaseURL}` : ''}, the strong solver ${pair.strong}, ` +
      `the Challenger, quality check and judge ${pair.judge}, at ${pair.baseURL}.${pair.note ? ` ${pair.note.replace(/`/g, '')}.` : ''}`;
    this.log.info(`Configure Models: ${outcome}`);
    this.view.note('info', outcome);
    await this.view.show({ ifOpen: true });
    return true;
  }

  /** One tiny request per distinct (endpoint, model) of the configured roles; a clear message per failure. */
  async test(opts: { silent?: boolean } = {}): Promise<RoleCheck[]> {
    const settings = readSettings();
    const seen = new Map<string, Promise<ConnectionReport>>();
    const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Autodata: testing the model endpoints' }, () =>
      Promise.all(
        configuredRoles(settings.engine).map(async (role) => {
          const ep = settings.engine.roles[role]!;
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
    this.view.setChecks(await Promise.all(checks.map(async (c) => ({ ...c, key: await this.view.keyState(c.baseURL, c.model) }))));
    const failed = checks.filter((c) => !c.report.ok);
    this.view.note(
      failed.length ? 'error' : 'info',
      failed.length === 0
        ? `Test Connection: every role answers (${[...new Set(checks.map((c) => c.model))].join(', ')}).`
        : `Test Connection: ${failed.length} of ${checks.length} roles fail: ${failed.map((c) => ROLE_LABEL[c.role]).join(', ')}. Each row below says why and what to do.`,
    );
    await this.view.show({ ifOpen: opts.silent });
    return checks;
  }
}

/** The shared replicas serve the shared base URL: moving it to another endpoint clears them. */
async function dropReplicasOnMove(cfg: vscode.WorkspaceConfiguration, baseUrl: string): Promise<void> {
  const G = vscode.ConfigurationTarget.Global;
  if (cfg.inspect<string>('baseUrl')?.globalValue?.trim() !== baseUrl.trim() && cfg.inspect<unknown[]>('replicas')?.globalValue !== undefined) {
    await cfg.update('replicas', undefined, G);
  }
}

// Reads the `autodata.*` settings once, validates them with zod and turns them into the engine's config.
import * as vscode from 'vscode';
import { z } from 'zod';
import { EngineConfig, type EndpointConfig } from '../core/config';
import { POLICY_PRESETS, PolicyThresholds, type PolicyPreset } from '../shared/thresholds';
import { byRole, type Role } from '../shared/schemas';
import { roleEndpoints, type RoleOverride } from '../core/role-endpoints';
import type { RunSettings } from '../run/settings';
import { EndpointOverrides } from '../core/endpoints/capabilities';
import { applyDomainPreset } from '../core/presets';
import type { DomainPreset } from '../shared/thresholds';
import { baseURLsOf, hasCredentials, redactUrl } from '../core/endpoint';

export type HostSettings = RunSettings;

const RoleOverrideSetting = z
  .object({
    baseUrl: z.string().optional(),
    replicas: z.array(z.string()).optional(),
    model: z.string().optional(),
    temperature: z.number().optional(),
    maxTokens: z.number().int().optional(),
  })
  .partial();

/** The value from user (global) settings only: workspace settings must not redirect requests or keys. */
function userValue<T>(cfg: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const i = cfg.inspect<T>(key);
  return (i?.globalValue ?? i?.defaultValue ?? fallback) as T;
}

export class SettingsError extends Error {}

/** A replicas setting as a list of trimmed base URLs (empty entries dropped); anything else is left for zod to refuse. */
function replicasOf(v: unknown): string[] | undefined {
  return Array.isArray(v) ? (v.map((u) => (typeof u === 'string' ? u.trim() : u)).filter((u) => u !== '') as string[]) : undefined;
}

export function readSettings(scope?: vscode.Uri): HostSettings {
  const cfg = vscode.workspace.getConfiguration('autodata', scope);
  const shared = {
    baseURL: userValue(cfg, 'baseUrl', 'https://api.openai.com/v1').trim(),
    replicas: replicasOf(userValue<unknown>(cfg, 'replicas', [])),
    model: userValue(cfg, 'model', 'gpt-4o-mini').trim(),
    temperature: cfg.get<number>('temperature', 1),
    maxTokens: cfg.get<number>('maxTokens', 2048),
    structuredOutput: cfg.get<EndpointConfig['structuredOutput']>('structuredOutput', 'auto'),
  };
  const override = (r: Role): RoleOverride => {
    const o = RoleOverrideSetting.safeParse(userValue(cfg, `roles.${r}`, {})).data ?? {};
    return {
      baseURL: o.baseUrl?.trim(),
      replicas: o.replicas && replicasOf(o.replicas),
      model: o.model?.trim(),
      temperature: o.temperature,
      maxTokens: o.maxTokens,
    };
  };
  // The second judge is on only when autodata.roles.judge2 names its own model or endpoint.
  const overrides = { ...byRole(override), judge2: override('judge2') };
  const preset = cfg.get<PolicyPreset>('policy.preset', 'paperAppendix');
  const policy = PolicyThresholds.safeParse({ ...(POLICY_PRESETS[preset] ?? POLICY_PRESETS.paperAppendix), ...cfg.get<object>('policy.overrides', {}) });
  if (!policy.success) {
    throw new SettingsError(`autodata.policy.overrides is not valid: ${z.prettifyError(policy.error)}`);
  }
  const set = (key: string) => {
    const i = cfg.inspect(key);
    return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  };
  const domain = cfg.get<DomainPreset>('domain', 'cs');
  const base = EngineConfig.safeParse({
    roles: roleEndpoints(shared, overrides),
    rollouts: { weak: cfg.get('rollouts.weak', 3), strong: cfg.get('rollouts.strong', 3) },
    policy: policy.data,
    maxIterations: cfg.get('maxIterations', 10),
    solveOrder: cfg.get('solveOrder', 'cost'),
    judgeMode: cfg.get('judgeMode', 'perRollout'),
    earlyDecisions: cfg.get('earlyDecisions', true),
    useN: cfg.get('useN', true),
    qualityCheck: cfg.get('qualityCheck', true),
    targetConcurrency: cfg.get('targetConcurrency', 1),
    truncationRetries: 1,
    budget: { tokens: cfg.get('budget.tokens', 0), money: cfg.get('budget.money', 0) },
    recipeEvery: cfg.get('recipeEvery', 0),
    recipeHeldOut: cfg.get('recipeHeldOut', 3),
    recipeTrials: cfg.get('recipeTrials', 4),
    recipeTemperature: cfg.get('recipeTemperature', 0.1),
    recipeAlpha: cfg.get('recipeAlpha', 0.2),
    dedupeThreshold: cfg.get('dedupeThreshold', 0.6),
    prices: cfg.get('prices', {}),
    preset: domain,
    rubricShape: cfg.get('rubricShape', 'paper'),
    rolloutSeeds: cfg.get('rolloutSeeds', false),
    finalVerification: cfg.get('finalVerification', true),
    closedBook: cfg.get('closedBook', 'off'),
  });
  if (!base.success) {
    throw new SettingsError(`Autodata settings are not valid: ${z.prettifyError(base.error)}`);
  }
  // The domain decides rollouts, rounds and the rule; what the person set explicitly still wins.
  const withDomain = applyDomainPreset(base.data, domain);
  const engine = EngineConfig.safeParse({
    ...withDomain,
    rollouts: {
      weak: set('rollouts.weak') ? base.data.rollouts.weak : withDomain.rollouts.weak,
      strong: set('rollouts.strong') ? base.data.rollouts.strong : withDomain.rollouts.strong,
    },
    maxIterations: set('maxIterations') ? base.data.maxIterations : withDomain.maxIterations,
    earlyDecisions: set('earlyDecisions') ? base.data.earlyDecisions : withDomain.earlyDecisions,
    policy: { ...withDomain.policy, ...cfg.get<object>('policy.overrides', {}) },
  });
  if (!engine.success) {
    throw new SettingsError(`Autodata settings are not valid: ${z.prettifyError(engine.error)}`);
  }
  const endpoints = EndpointOverrides.safeParse(userValue(cfg, 'endpoints', {}));
  if (!endpoints.success) {
    throw new SettingsError(`autodata.endpoints is not valid: ${z.prettifyError(endpoints.error)}`);
  }
  const credentials = Object.values(engine.data.roles)
    .flatMap((r) => baseURLsOf(r))
    .find((u) => hasCredentials(u));
  if (credentials) {
    throw new SettingsError(
      `The base URL ${redactUrl(credentials)} holds a user name or password. Remove it from the URL and store the key with "Autodata: Set API Key".`,
    );
  }
  return {
    engine: engine.data,
    requestConcurrency: cfg.get('requestConcurrency', 8),
    maxRetries: cfg.get('maxRetries', 4),
    timeoutMs: cfg.get('requestTimeoutSeconds', 180) * 1000,
    idleTimeoutMs: cfg.get('requestIdleSeconds', 120) * 1000,
    endpoints: endpoints.data,
    itemsPerRun: cfg.get('itemsPerRun', 0),
    sectionMaxChars: cfg.get('sectionMaxChars', 12000),
    datasetPath: cfg.get('datasetPath', '.autodata/dataset.jsonl'),
    streamAnswers: cfg.get('streamAnswers', true),
    outageLimitSeconds: cfg.get('outageLimitSeconds', 300),
    benchmarkFiles: cfg.get<string[]>('benchmarkFiles', []),
  };
}

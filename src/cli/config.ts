// The CLI's configuration: a JSON file of engine settings over the defaults, checked strictly; keys only from the environment.
import { baseURLsOf, isLocal, originOf } from '../core/endpoint';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { defaultEngineConfig, EndpointConfig, EngineConfig } from '../core/config';
import { POLICY_PRESETS, type PolicyPreset } from '../shared/thresholds';
import { Role } from '../shared/schemas';

/** Every role a config file may set, the optional second judge (`judge2`) too. */
const ROLES = Role.options;
import { roleEndpoints, type RoleOverride } from '../core/role-endpoints';
import { RUN_DEFAULTS, type RunSettings } from '../run/settings';
import { EndpointOverrides } from '../core/endpoints/capabilities';
import { applyDomainPreset } from '../core/presets';
import { DomainPreset, PolicyThresholds } from '../shared/thresholds';

export class ConfigError extends Error {}

export interface CliSettings extends RunSettings {
  /** Absolute path of the workspace folder: the dataset, journals and prompt templates live under it. */
  workspace: string;
}

/** Settings the file may hold besides the engine's own, with their defaults (the extension's setting defaults). */
const CliFields = z.strictObject({
  workspace: z.string().min(1).optional(),
  datasetPath: z.string().min(1).default(RUN_DEFAULTS.datasetPath),
  requestConcurrency: z.number().int().min(1).max(256).default(RUN_DEFAULTS.requestConcurrency),
  maxRetries: z.number().int().min(0).max(10).default(RUN_DEFAULTS.maxRetries),
  requestTimeoutSeconds: z
    .number()
    .int()
    .min(5)
    .default(RUN_DEFAULTS.timeoutMs / 1000),
  requestIdleSeconds: z
    .number()
    .int()
    .min(5)
    .default(RUN_DEFAULTS.idleTimeoutMs / 1000),
  /** Seconds an endpoint may stay down (the run waits and asks again) before the run stops as interrupted, resumable. */
  outageLimitSeconds: z.number().int().min(0).max(86_400).default(RUN_DEFAULTS.outageLimitSeconds),
  /** Benchmark files (relative to the workspace, or absolute) whose text a question must not repeat. */
  benchmarkFiles: z.array(z.string().min(1)).default([]),
  /** What endpoints accept, pinned (by model, host or host/model); otherwise learned from their replies. */
  endpoints: EndpointOverrides.default({}),
  itemsPerRun: z.number().int().min(0).default(RUN_DEFAULTS.itemsPerRun),
  sectionMaxChars: z.number().int().min(1000).default(RUN_DEFAULTS.sectionMaxChars),
  /** Endpoint fields shared by every role (each role's own entry under `roles` wins). */
  endpoint: EndpointConfig.partial().strict().optional(),
  policyPreset: z.enum(Object.keys(POLICY_PRESETS) as [PolicyPreset, ...PolicyPreset[]]).optional(),
});
const CLI_KEYS = new Set(Object.keys(CliFields.shape));

/** Key names (compared without case, `-` or `_`) that hold a credential. */
const SECRET_NAMES =
  /^(?:(?:openai|autodata|x)?apikey|key|secret|clientsecret|password|passwd|token|accesstoken|authtoken|bearertoken|auth|authorization|bearer|credentials?)$/;
const SECRET_VALUE = /^(?:Bearer\s+\S+|(?:sk|pk|rk)-[A-Za-z0-9_-]{16,})$/;

/** Refuses anything in the file that looks like a credential: a config file gets shared and committed; keys do not. */
export function findSecret(value: unknown, where = ''): string | undefined {
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim())) {
      return `${where || 'a value'} looks like an API key`;
    }
    try {
      if (/^https?:/i.test(value) && (new URL(value).username || new URL(value).password)) {
        return `${where} has a user name or password in the URL`;
      }
    } catch {
      /* not a URL */
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const s = findSecret(v, `${where}[${i}]`);
      if (s) {
        return s;
      }
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = where ? `${where}.${k}` : k;
      if (SECRET_NAMES.test(k.toLowerCase().replace(/[-_\s]/g, ''))) {
        return `"${at}" is a credential field`;
      }
      const s = findSecret(v, at);
      if (s) {
        return s;
      }
    }
  }
  return undefined;
}

/** Keys the engine config does not know, as dotted paths (zod's plain objects would drop them silently: a typo would go unnoticed). */
function unknownKeys(input: Record<string, unknown>): string[] {
  const d = defaultEngineConfig();
  const shape: Record<string, unknown> = d;
  const out: string[] = [];
  const check = (obj: unknown, known: object, at: string) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      return;
    }
    for (const k of Object.keys(obj)) {
      if (!(k in known)) {
        out.push(`${at}.${k}`);
      }
    }
  };
  for (const [k, v] of Object.entries(input)) {
    if (CLI_KEYS.has(k)) {
      continue;
    }
    if (!(k in shape)) {
      out.push(k);
      continue;
    }
    if (k === 'roles') {
      check(v, { ...d.roles, judge2: d.roles.judge }, 'roles');
      for (const r of ROLES) {
        check((v as Record<string, unknown>)?.[r], EndpointConfig.shape, `roles.${r}`);
      }
    } else if (k === 'policy') {
      check(v, PolicyThresholds.shape, k);
    } else if (k === 'rollouts' || k === 'budget') {
      check(v, d[k], k);
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The settings from a parsed config file (`base` resolves a relative `workspace`). */
export function settingsFrom(raw: unknown, base: string, label = 'the config file'): CliSettings {
  if (!isObject(raw)) {
    throw new ConfigError(`${label} must hold a JSON object`);
  }
  const secret = findSecret(raw);
  if (secret) {
    throw new ConfigError(
      `${label}: ${secret}. API keys are never read from the config file (it may be shared or committed): ` +
        'set AUTODATA_API_KEY in the environment (OPENAI_API_KEY is used for api.openai.com only), and remove the field.',
    );
  }
  const unknown = unknownKeys(raw);
  if (unknown.length) {
    throw new ConfigError(`${label}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  }
  const notObjects = ['roles', 'rollouts', 'policy', 'budget', 'prices']
    .filter((k) => raw[k] !== undefined && !isObject(raw[k]))
    .concat(
      isObject(raw.roles)
        ? ROLES.filter((r) => (raw.roles as Record<string, unknown>)[r] !== undefined && !isObject((raw.roles as Record<string, unknown>)[r])).map(
            (r) => `roles.${r}`,
          )
        : [],
    );
  if (notObjects.length) {
    throw new ConfigError(`${label}: ${notObjects.join(', ')} must be ${notObjects.length > 1 ? 'objects' : 'an object'}`);
  }
  const engineKeys = new Set(Object.keys(defaultEngineConfig()));
  const cliPart = CliFields.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => !engineKeys.has(k))));
  if (!cliPart.success) {
    throw new ConfigError(`${label} is not valid:\n${z.prettifyError(cliPart.error)}`);
  }
  const cli = cliPart.data;
  // A domain preset decides rollouts, rounds and the rule first; the file's own values then win.
  const domain = DomainPreset.safeParse(raw.preset ?? 'cs');
  if (!domain.success) {
    throw new ConfigError(`${label}: preset must be one of ${DomainPreset.options.join(', ')}`);
  }
  const d0 = defaultEngineConfig();
  const d = applyDomainPreset({ ...d0, answerMatch: { ...d0.answerMatch, ...(isObject(raw.answerMatch) ? raw.answerMatch : {}) } }, domain.data);
  const roles = isObject(raw.roles) ? raw.roles : {};
  const merged = {
    ...d,
    ...raw,
    roles: roleEndpoints({ ...d.roles.weak, ...cli.endpoint }, Object.fromEntries(ROLES.map((r) => [r, isObject(roles[r]) ? (roles[r] as RoleOverride) : {}]))),
    rollouts: { ...d.rollouts, ...(isObject(raw.rollouts) ? raw.rollouts : {}) },
    policy: { ...(cli.policyPreset ? POLICY_PRESETS[cli.policyPreset] : d.policy), ...(isObject(raw.policy) ? raw.policy : {}) },
    budget: { ...d.budget, ...(isObject(raw.budget) ? raw.budget : {}) },
  };
  for (const k of CLI_KEYS) {
    delete (merged as Record<string, unknown>)[k];
  }
  const engine = EngineConfig.safeParse(merged);
  if (!engine.success) {
    throw new ConfigError(`${label} is not valid:\n${z.prettifyError(engine.error)}`);
  }
  return {
    engine: engine.data,
    workspace: path.resolve(base, cli.workspace ?? '.'),
    datasetPath: cli.datasetPath,
    requestConcurrency: cli.requestConcurrency,
    maxRetries: cli.maxRetries,
    timeoutMs: cli.requestTimeoutSeconds * 1000,
    idleTimeoutMs: cli.requestIdleSeconds * 1000,
    endpoints: cli.endpoints,
    itemsPerRun: cli.itemsPerRun,
    sectionMaxChars: cli.sectionMaxChars,
    streamAnswers: false,
    outageLimitSeconds: cli.outageLimitSeconds,
    benchmarkFiles: cli.benchmarkFiles,
  };
}

/** Reads and checks a config file; `workspace` in it is relative to the file's folder. */
export async function loadSettings(file: string): Promise<CliSettings> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the config file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not JSON: ${(e as Error).message}`);
  }
  return settingsFrom(raw, path.dirname(path.resolve(file)), file);
}

export { isLocal, originOf };

/**
 * The API key for each endpoint origin: AUTODATA_API_KEY for any endpoint; OPENAI_API_KEY only for api.openai.com,
 * so a key meant for OpenAI is never sent to another host (the extension's rule too). A remote endpoint without a key
 * is an error before anything runs. Every replica's host is asked for too.
 */
export function keysFor(engine: EngineConfig, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const keys = new Map<string, string>();
  // Every role's hosts, replicas included (the second judge only when it is on).
  for (const [r, baseURL] of ROLES.flatMap((r) => (engine.roles[r] ? baseURLsOf(engine.roles[r]) : []).map((u) => [r, u] as const))) {
    const origin = originOf(baseURL);
    if (keys.has(origin)) {
      continue;
    }
    const key = env.AUTODATA_API_KEY?.trim() || (origin === 'https://api.openai.com' ? env.OPENAI_API_KEY?.trim() : undefined) || '';
    if (!key && !isLocal(baseURL)) {
      throw new ConfigError(
        `no API key for ${origin} (role ${r}): set AUTODATA_API_KEY in the environment${origin === 'https://api.openai.com' ? ' (or OPENAI_API_KEY)' : ''}`,
      );
    }
    keys.set(origin, key);
  }
  return keys;
}

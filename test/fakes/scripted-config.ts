// Engine configuration and models pointed at a scripted server, one model name per role.
import { defaultEngineConfig, defaultEndpoint, type EngineConfig } from '../../src/core/config';
import type { EndpointOverrides } from '../../src/core/endpoints/capabilities';
import type { EndpointProfiles } from '../../src/core/endpoints/profiles';
import { Limiter } from '../../src/core/limiter';
import { OpenAICompatibleModel, type ChatModel } from '../../src/core/models';
import { ROLES, type Role, type WithSecondJudge } from '../../src/shared/schemas';
import { MODELS } from './scripted-roles';

export function scriptedConfig(baseURL: string, patch: Partial<EngineConfig> = {}): EngineConfig {
  const cfg = defaultEngineConfig();
  for (const role of ROLES) {
    cfg.roles[role] = defaultEndpoint({ ...cfg.roles[role], baseURL, model: MODELS[role], maxTokens: 512 });
  }
  return { ...cfg, ...patch };
}

export interface ScriptedModelOptions {
  maxRetries?: number;
  limit?: number;
  useN?: boolean;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** A store of learned capabilities of its own, so a test starts from the family's defaults. */
  profiles?: EndpointProfiles;
  overrides?: EndpointOverrides;
}

export function scriptedModels(cfg: EngineConfig, opts: ScriptedModelOptions = {}): WithSecondJudge<ChatModel> {
  const limiter = new Limiter(opts.limit ?? 16);
  const make = (role: Role) =>
    new OpenAICompatibleModel(cfg.roles[role]!, {
      apiKey: 'test-key',
      maxRetries: opts.maxRetries ?? 2,
      limiter,
      useN: opts.useN ?? cfg.useN,
      timeoutMs: opts.timeoutMs ?? 10_000,
      idleTimeoutMs: opts.idleTimeoutMs,
      role,
      profiles: opts.profiles,
      overrides: opts.overrides,
    });
  return {
    challenger: make('challenger'),
    quality: make('quality'),
    weak: make('weak'),
    strong: make('strong'),
    judge: make('judge'),
    ...(cfg.roles.judge2 ? { judge2: make('judge2') } : {}),
  };
}

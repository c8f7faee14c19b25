// The paper's domains as presets: what each changes in the engine's configuration.
import { answerMatchPolicy } from './answer-match';
import type { EngineConfig } from './config';
import type { DomainPreset } from '../shared/thresholds';

export interface DomainPresetSpec {
  label: string;
  detail: string;
  /** The settings the preset decides, from the configuration it is applied to. */
  patch: (cfg: EngineConfig) => Partial<EngineConfig>;
}

export const DOMAIN_PRESET_SPECS: Record<DomainPreset, DomainPresetSpec> = {
  cs: {
    label: 'Research questions (CS)',
    detail: 'A rubric per question; accepted by the acceptance thresholds; 3 weak and 3 strong rollouts',
    patch: () => ({ rollouts: { weak: 3, strong: 3 } }),
  },
  legal: {
    label: 'Legal reasoning',
    detail:
      '5 weak and 3 strong rollouts; a loop judge decides (weak pattern, gap, GRPO suitability) instead of thresholds; case recaps never pass; at most 15 rounds',
    // Every rollout goes to the loop judge, so the strong solver always runs.
    patch: () => ({ rollouts: { weak: 5, strong: 3 }, maxIterations: 15, earlyDecisions: false }),
  },
  verifiable: {
    label: 'Verifiable answers',
    detail:
      '4 rollouts each, no rubric; accepted when the weak solver is right at most 1 of 4 times and the strong at least 3 of 4, by normalised answer match',
    patch: (cfg) => ({ rollouts: { weak: cfg.answerMatch.of, strong: cfg.answerMatch.of }, policy: answerMatchPolicy(cfg.answerMatch) }),
  },
};

/** The configuration with a preset applied; apply it before a person's own overrides, which then win. */
export function applyDomainPreset(cfg: EngineConfig, preset: DomainPreset): EngineConfig {
  return { ...cfg, ...DOMAIN_PRESET_SPECS[preset].patch(cfg), preset };
}

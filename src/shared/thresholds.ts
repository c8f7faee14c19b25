// The acceptance thresholds and the paper's two presets: shared by the engine, the host and the panel.
import { z } from 'zod';

export const PolicyThresholds = z.object({
  /** Weak mean must be at most this (inclusive). */
  weakMeanMax: z.number().min(0).max(1),
  /** Strict variant of weakMeanMax (the "main text" rule says weak mean < 0.50). */
  weakMeanStrict: z.boolean(),
  /** Best single weak rollout must be at most this; 1 disables the check. */
  weakBestMax: z.number().min(0).max(1),
  /** No weak rollout may score exactly 0 (keeps variance for GRPO). */
  weakNoZero: z.boolean(),
  strongMeanMin: z.number().min(0).max(1),
  /** Strong mean must be below this; 1 (with strongMeanMaxExclusive false) disables the check. */
  strongMeanMax: z.number().min(0).max(1),
  strongNoZero: z.boolean(),
  minGap: z.number().min(0).max(1),
  /** Within this distance of a threshold that failed, a person decides. 0 disables the band. */
  borderlineMargin: z.number().min(0).max(0.5),
  /** Learnability filter: the weak rollouts' standard deviation must be at least this (0 or absent: off). */
  weakMinStd: z.number().min(0).max(0.5).optional(),
});
export type PolicyThresholds = z.infer<typeof PolicyThresholds>;

export const POLICY_PRESETS = {
  /** The rule as run, from the prompt in the paper's appendix (the default). */
  paperAppendix: {
    weakMeanMax: 0.65,
    weakMeanStrict: false,
    weakBestMax: 0.75,
    weakNoZero: true,
    strongMeanMin: 0.6,
    strongMeanMax: 0.95,
    strongNoZero: true,
    minGap: 0.2,
    borderlineMargin: 0.05,
  },
  /** The rule stated in the paper's main text. */
  paperMainText: {
    weakMeanMax: 0.5,
    weakMeanStrict: true,
    weakBestMax: 1,
    weakNoZero: false,
    strongMeanMin: 0.65,
    strongMeanMax: 1,
    strongNoZero: false,
    minGap: 0.2,
    borderlineMargin: 0.05,
  },
} satisfies Record<string, PolicyThresholds>;
export type PolicyPreset = keyof typeof POLICY_PRESETS;

/** Answer-match thresholds as counts (verifiable answers: weak right at most 1 of 4, strong right at least 3 of 4). */
export const AnswerMatchThresholds = z.object({
  weakRightMax: z.number().int().min(0),
  strongRightMin: z.number().int().min(1),
  /** Rollouts per solver the counts are out of. */
  of: z.number().int().min(1),
});
export type AnswerMatchThresholds = z.infer<typeof AnswerMatchThresholds>;

/** The paper's domains: CS research questions with rubrics and thresholds, legal with a loop judge, verifiable answers. */
export const DOMAIN_PRESETS = ['cs', 'legal', 'verifiable'] as const;
export const DomainPreset = z.enum(DOMAIN_PRESETS);
export type DomainPreset = z.infer<typeof DomainPreset>;

/** The rubric the Challenger must write: the paper's as run, or the meta-optimised positive-only variant. */
export const RubricShapeName = z.enum(['paper', 'positiveOnly']);
export type RubricShapeName = z.infer<typeof RubricShapeName>;

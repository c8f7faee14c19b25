// The engine's configuration: endpoints per role, the acceptance policy (with the paper's two presets) and loop limits.
import { z } from 'zod';
import { Budget, PriceTable } from './budget';
import { byRole, type Role } from '../shared/schemas';
import { AnswerMatchThresholds, DomainPreset, POLICY_PRESETS, PolicyThresholds, RubricShapeName } from '../shared/thresholds';

export const EndpointConfig = z.object({
  baseURL: z.string().url(),
  /**
   * More base URLs serving the same model (replicas): requests are spread over `baseURL` and these by each one's free
   * capacity, and one that stops answering is set aside and asked again later.
   */
  replicas: z.array(z.string().url()).max(64).optional(),
  model: z.string().min(1),
  temperature: z.number().min(0).max(2),
  maxTokens: z.number().int().min(16),
  /** How structured output is asked for; 'auto' tries json_schema and falls back on a 400. */
  structuredOutput: z.enum(['auto', 'json_schema', 'json_object', 'none']),
});
export type EndpointConfig = z.infer<typeof EndpointConfig>;

export const EngineConfig = z.object({
  /** `judge2`: the optional second judge, absent when it is off. */
  roles: z.object({ ...byRole(() => EndpointConfig), judge2: EndpointConfig.optional() }),
  rollouts: z.object({ weak: z.number().int().min(1).max(16), strong: z.number().int().min(1).max(16) }),
  policy: PolicyThresholds,
  maxIterations: z.number().int().min(1).max(100),
  /** 'cost': strong rollouts only when the weak result can still pass (the paper's order); 'latency': both at once. */
  solveOrder: z.enum(['cost', 'latency']),
  /**
   * 'perRollout' (default): each rollout graded in its own call, all at once, so no grade depends on the other answers
   * in the batch; 'batch': one call per solver's rollouts (weak and strong answers never share a call).
   */
  judgeMode: z.enum(['batch', 'perRollout']),
  /** In the cost order, skip the strong rollouts when the weak result alone already decides the verdict. */
  earlyDecisions: z.boolean(),
  /** Ask for all rollouts of a solver in one request with `n` (endpoints that ignore `n` are topped up). */
  useN: z.boolean(),
  qualityCheck: z.boolean(),
  /** Targets worked on at once. */
  targetConcurrency: z.number().int().min(1).max(32),
  /** Retries of a truncated or empty solver answer, each with twice the token budget. */
  truncationRetries: z.number().int().min(0).max(3),
  budget: Budget,
  /** A new question at least this similar (word 3-gram Jaccard) to one in the dataset or the run is rejected before any solver call; 0: off. */
  dedupeThreshold: z.number().min(0).max(1),
  /** Attempts per recipe generation (the outer loop); 0 turns recipe evolution off. */
  recipeEvery: z.number().int().min(0).max(1000),
  /** Sections held out of the run to measure recipes on (spread over the document; none when fewer than twice as many). */
  recipeHeldOut: z.number().int().min(1).max(20).default(3),
  /** Trials per held-out section for each of parent and child. */
  recipeTrials: z.number().int().min(1).max(10).default(4),
  /** Boltzmann temperature of parent selection (the paper's 0.1). */
  recipeTemperature: z.number().min(0.001).max(10).default(0.1),
  /** Level of the paired test: a child recipe is kept when it beats its parent with p below this. */
  recipeAlpha: z.number().min(0.001).max(0.5).default(0.2),
  prices: PriceTable,
  /** The paper's domain: 'cs' (rubric and thresholds), 'legal' (a loop judge decides), 'verifiable' (answer match). */
  preset: DomainPreset.default('cs'),
  /** The rubric shape the Challenger must write, checked before any solver runs. */
  rubricShape: RubricShapeName.default('paper'),
  /** Verifiable answers: how many rollouts may / must match the final answer. */
  answerMatch: AnswerMatchThresholds.default({ weakRightMax: 1, strongRightMin: 3, of: 4 }),
  /**
   * One request per rollout, each with its own seed (identical seeds make rollouts of separate requests identical). Off:
   * one request with `n` choices and no seed.
   */
  rolloutSeeds: z.boolean().default(false),
  /** Verify an accepted item once more before it is written. */
  finalVerification: z.boolean().default(true),
  /**
   * The closed-book probe before an item is written: the strong solver answers the question without its context; if it
   * still succeeds, the item does not need the document ('reject' it, or send it to 'review'). 'off': no probe.
   */
  closedBook: z.enum(['off', 'reject', 'review']).default('off'),
});
export type EngineConfig = z.infer<typeof EngineConfig>;

/** Explains why no item could ever pass these thresholds, or returns undefined. */
export function impossiblePolicy(p: PolicyThresholds): string | undefined {
  if (p.strongMeanMin >= p.strongMeanMax && p.strongMeanMax < 1) {
    return `the strong mean must be at least ${p.strongMeanMin} and below ${p.strongMeanMax}`;
  }
  if (p.strongMeanMin > 1) {
    return 'the strong mean can never reach its minimum';
  }
  const bestGap = Math.min(p.strongMeanMax, 1) - 0;
  if (p.minGap > bestGap) {
    return `a gap of ${p.minGap} cannot be reached when the strong mean stays below ${p.strongMeanMax}`;
  }
  if (p.weakMeanStrict && p.weakMeanMax === 0) {
    return 'the weak mean must be below 0';
  }
  if (p.weakNoZero && p.weakMeanMax === 0) {
    return 'the weak mean must be 0 while no weak rollout may score 0';
  }
  return undefined;
}

export function defaultEndpoint(partial: Partial<EndpointConfig> = {}): EndpointConfig {
  return { baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini', temperature: 1, maxTokens: 2048, structuredOutput: 'auto', ...partial };
}

/** Default temperatures of the roles that are not plain samplers: a varied Challenger, deterministic checking and grading. */
export const ROLE_TEMPERATURE: Readonly<Partial<Record<Role, number>>> = { challenger: 0.8, quality: 0, judge: 0, judge2: 0 };

export function defaultEngineConfig(): EngineConfig {
  const e = defaultEndpoint();
  return {
    roles: byRole((r) => ({ ...e, temperature: ROLE_TEMPERATURE[r] ?? e.temperature })),
    rollouts: { weak: 3, strong: 3 },
    policy: { ...POLICY_PRESETS.paperAppendix },
    maxIterations: 10,
    solveOrder: 'cost',
    judgeMode: 'perRollout',
    earlyDecisions: true,
    useN: true,
    qualityCheck: true,
    targetConcurrency: 1,
    truncationRetries: 1,
    budget: { tokens: 0, money: 0 },
    recipeEvery: 0,
    recipeHeldOut: 3,
    recipeTrials: 4,
    recipeTemperature: 0.1,
    recipeAlpha: 0.2,
    dedupeThreshold: 0.6,
    prices: {},
    preset: 'cs',
    rubricShape: 'paper',
    answerMatch: { weakRightMax: 1, strongRightMin: 3, of: 4 },
    rolloutSeeds: false,
    finalVerification: true,
    closedBook: 'off',
  };
}

// zod schemas for every record the engine reads from a model, keeps, emits or writes.
import { z } from 'zod';

export const ROLES = ['challenger', 'quality', 'weak', 'strong', 'judge'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
export type SolverRole = 'weak' | 'strong';

/** One value per role, in the order of ROLES: the one place a role-keyed object is built, so a new role cannot be missed. */
export function byRole<T>(make: (role: Role) => T): Record<Role, T> {
  return Object.fromEntries(ROLES.map((r) => [r, make(r)])) as Record<Role, T>;
}

// ---- What models return (strict objects: their JSON Schema goes on the wire as response_format) ----

export const RubricItem = z.strictObject({
  criterion: z.string().min(1).describe('One observable property of a good (or, if negative, a bad) answer'),
  weight: z.number().int().min(1).max(10).describe('Importance, 1 (minor) to 10 (essential)'),
  negative: z.boolean().describe('true when meeting this criterion is a fault that lowers the score'),
});
export type RubricItem = z.infer<typeof RubricItem>;

export const Challenge = z.strictObject({
  question: z.string().min(1).describe('A self-contained question; includes any context a solver needs'),
  questionType: z.string().min(1).describe('e.g. explanation, derivation, comparison, application, critique'),
  skills: z.array(z.string().min(1)).describe('Reasoning skills the question tests'),
  angle: z.string().min(1).describe('The angle of this question, in a few words, distinct from earlier attempts'),
  referenceAnswer: z.string().min(1),
  rubric: z.array(RubricItem).min(1),
  sourceQuote: z.string().min(1).describe('A verbatim passage of the source that grounds the question'),
});
export type Challenge = z.infer<typeof Challenge>;

/** A person's edit of a challenge before approving its item. */
export const ChallengeEdit = z.object({ question: z.string().min(1).max(20_000), referenceAnswer: z.string().max(50_000), rubric: z.array(RubricItem).min(1).max(40) });
export type ChallengeEdit = z.infer<typeof ChallengeEdit>;

export const QualityReport = z.strictObject({
  pass: z.boolean(),
  reason: z.string().describe('Why the question passes or fails: self-contained, answerable, not trivia'),
});
export type QualityReport = z.infer<typeof QualityReport>;

export const CriterionMark = z.strictObject({
  criterion: z.number().int().min(1).describe('1-based index of the rubric criterion'),
  met: z.boolean(),
  reason: z.string().describe('One short sentence'),
});
export type CriterionMark = z.infer<typeof CriterionMark>;

export const JudgeReport = z.strictObject({
  grades: z.array(z.strictObject({
    answer: z.string().min(1).describe('The label of the graded answer, e.g. "A"'),
    marks: z.array(CriterionMark),
  })).min(1),
});
export type JudgeReport = z.infer<typeof JudgeReport>;

// ---- What the engine keeps ----

export const Usage = z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number() });
export type Usage = z.infer<typeof Usage>;
export const UsageByRole = z.record(Role, Usage);
export type UsageByRole = Partial<Record<Role, Usage>>;

export const Rollout = z.object({
  solver: z.enum(['weak', 'strong']),
  index: z.number().int(),
  answer: z.string(),
  /** A failed measurement (empty or cut-off answer, or no grade) is excluded, never scored as zero. */
  failure: z.string().optional(),
  score: z.number().min(0).max(1).optional(),
  marks: z.array(CriterionMark).optional(),
});
export type Rollout = z.infer<typeof Rollout>;

export const VerdictKind = z.enum(['accepted', 'borderline', 'too_easy', 'too_hard', 'gap_too_small', 'quality_failed', 'failed']);
export type VerdictKind = z.infer<typeof VerdictKind>;

export const Verdict = z.object({
  kind: VerdictKind,
  reasons: z.array(z.string()),
  weakMean: z.number().optional(),
  strongMean: z.number().optional(),
  gap: z.number().optional(),
  /** For borderline: what the policy would have said without the margin. */
  nearest: VerdictKind.optional(),
});
export type Verdict = z.infer<typeof Verdict>;

export const SourceRange = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });
export type SourceRange = z.infer<typeof SourceRange>;

export const SourceDocument = z.object({
  path: z.string(),
  text: z.string(),
  languageId: z.string().optional(),
});
export type SourceDocument = z.infer<typeof SourceDocument>;

export const Target = z.object({
  id: z.string(),
  title: z.string(),
  /** Offsets into the source document's text. */
  range: SourceRange,
  text: z.string(),
});
export type Target = z.infer<typeof Target>;

export const ModelNames = z.object(byRole(() => z.string()));
export type ModelNames = z.infer<typeof ModelNames>;

export const SolverScores = z.object({ mean: z.number(), rollouts: z.array(z.number()) });

export const DatasetRecord = z.object({
  id: z.string().min(1),
  createdAt: z.string(),
  question: z.string().min(1),
  questionType: z.string(),
  skills: z.array(z.string()),
  rubric: z.array(z.object({ criterion: z.string(), weight: z.number(), negative: z.boolean() })).min(1),
  referenceAnswer: z.string(),
  source: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), range: SourceRange, quote: z.string() }),
  scores: z.object({ weak: SolverScores, strong: SolverScores, gap: z.number() }),
  decision: z.object({ by: z.enum(['policy', 'human']), borderline: z.boolean(), note: z.string().optional() }),
  iterations: z.number().int().min(1),
  models: ModelNames,
  runId: z.string(),
  promptVersion: z.string(),
  /** Tokens and calls spent on this item's section until it was accepted (every attempt, all roles). */
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number() }).optional(),
});
export type DatasetRecord = z.infer<typeof DatasetRecord>;

// zod schemas for every record the engine reads from a model, keeps, emits or writes.
import { z } from 'zod';
import { AnswerMatchThresholds, DomainPreset, PolicyThresholds, RubricShapeName } from './thresholds';

/** The roles every run has. */
export const ROLES = ['challenger', 'quality', 'weak', 'strong', 'judge'] as const;
export type CoreRole = (typeof ROLES)[number];
/** The optional second judge: grades the same rollouts as the Judge when configured, off otherwise. */
export const SECOND_JUDGE = 'judge2';
export const Role = z.enum([...ROLES, SECOND_JUDGE]);
export type Role = z.infer<typeof Role>;
export type SolverRole = 'weak' | 'strong';
/** The two graders. */
export type JudgeRole = 'judge' | typeof SECOND_JUDGE;

/** One value per role of every run, in the order of ROLES: the one place a role-keyed object is built, so a new role cannot be missed. */
export function byRole<T>(make: (role: CoreRole) => T): Record<CoreRole, T> {
  return Object.fromEntries(ROLES.map((r) => [r, make(r)])) as Record<CoreRole, T>;
}
/** Every role's value, and the second judge's when there is one. */
export type WithSecondJudge<T> = Record<CoreRole, T> & { judge2?: T };

// ---- What models return (strict objects: their JSON Schema goes on the wire as response_format) ----

export const RubricItem = z.strictObject({
  criterion: z.string().min(1).describe('One observable property of a good (or, if negative, a bad) answer'),
  weight: z.number().int().min(1).max(10).describe('Importance, 1 (minor) to 10 (essential)'),
  negative: z.boolean().describe('true when meeting this criterion is a fault that lowers the score'),
});
export type RubricItem = z.infer<typeof RubricItem>;

/** The Challenger's scratchpad, written before the question so the question can aim at the weak model's failures. */
export const ChallengeAnalysis = z.strictObject({
  weakFailures: z.string().min(1).describe('How a small model will likely fail on this material: the shortcut it takes, the step it skips'),
  strongNeeds: z.string().min(1).describe('What a strong answer needs that the small model lacks'),
});
export type ChallengeAnalysis = z.infer<typeof ChallengeAnalysis>;

const draftHead = {
  analysis: ChallengeAnalysis,
  sourceQuote: z.string().min(1).describe('A verbatim passage of the source that grounds the question'),
  angle: z.string().min(1).describe('The angle of this question, in a few words, distinct from earlier attempts'),
  questionType: z.string().min(1).describe('e.g. explanation, derivation, comparison, application, critique'),
  skills: z.array(z.string().min(1)).describe('Reasoning skills the question tests'),
  context: z.string().describe('Background the solver needs (may be empty); it must not give away the answer'),
  question: z.string().min(1).describe('One question, answerable from the context and general knowledge of the field'),
};

/** What the Challenger returns, in the order it should think: analysis first, the rubric last. */
export const ChallengeDraft = z.strictObject({
  ...draftHead,
  referenceAnswer: z.string().min(1),
  rubric: z.array(RubricItem).min(1),
});
export type ChallengeDraft = z.infer<typeof ChallengeDraft>;

/** What the Challenger returns for verifiable answers: a short final answer instead of a rubric. */
export const VerifiableDraft = z.strictObject({
  ...draftHead,
  referenceAnswer: z.string().min(1).describe('A worked solution'),
  finalAnswer: z.string().min(1).describe('The final answer alone, in simplest form: a number, a fraction, an expression or a short phrase'),
});
export type VerifiableDraft = z.infer<typeof VerifiableDraft>;

/** A question as the engine keeps it: `question` is everything a solver sees (context included). */
export const Challenge = z.strictObject({
  question: z.string().min(1).describe('A self-contained question; includes any context a solver needs'),
  /** The Challenger's context, as it opens `question`: what the closed-book probe leaves out. */
  context: z.string().optional(),
  questionType: z.string().min(1).describe('e.g. explanation, derivation, comparison, application, critique'),
  skills: z.array(z.string().min(1)).describe('Reasoning skills the question tests'),
  angle: z.string().min(1).describe('The angle of this question, in a few words, distinct from earlier attempts'),
  referenceAnswer: z.string().min(1),
  rubric: z.array(RubricItem).min(1),
  sourceQuote: z.string().min(1).describe('A verbatim passage of the source that grounds the question'),
  analysis: ChallengeAnalysis.optional(),
  /** Verifiable answers: the answer a rollout's final answer must match. */
  finalAnswer: z.string().min(1).optional(),
});
export type Challenge = z.infer<typeof Challenge>;

/** A person's edit of a challenge before approving its item. */
export const ChallengeEdit = z.object({
  question: z.string().min(1).max(20_000),
  referenceAnswer: z.string().max(50_000),
  rubric: z.array(RubricItem).min(1).max(40),
});
export type ChallengeEdit = z.infer<typeof ChallengeEdit>;

/** One check of the verification, with its reason before its verdict. */
const VerificationCheck = z.strictObject({ reason: z.string(), pass: z.boolean() });

/** What the verifier returns: one structured verdict per check. */
export const VerificationReply = z.strictObject({
  selfContained: VerificationCheck.describe('A solver who never saw the source has every fact it needs beyond general knowledge of the field'),
  answerable: VerificationCheck.describe('A capable expert could write an answer that meets the rubric'),
  notTrivia: VerificationCheck.describe("It does not hinge on the source's exact numbers, names or wording"),
  noAnswerLeak: VerificationCheck.describe('Neither the question nor its context states the reference answer or its key conclusions'),
  rubricGradesQuestion: VerificationCheck.describe('Every criterion grades the question actually asked'),
  newAngle: VerificationCheck.describe('A new angle, not a rephrasing of an earlier question on this section'),
});
export type VerificationReply = z.infer<typeof VerificationReply>;

export const QualityCheck = z.object({ check: z.string(), pass: z.boolean(), reason: z.string() });
export type QualityCheck = z.infer<typeof QualityCheck>;

export const QualityReport = z.strictObject({
  pass: z.boolean(),
  reason: z.string().describe('Why the question passes or fails: self-contained, answerable, not trivia'),
  /** Each check's verdict: the local rubric-shape check and the verifier's. */
  checks: z.array(QualityCheck).optional(),
});
export type QualityReport = z.infer<typeof QualityReport>;

export const CriterionMark = z.strictObject({
  criterion: z.number().int().min(1).describe('1-based index of the rubric criterion'),
  met: z.boolean(),
  reason: z.string().describe('One short sentence'),
});
export type CriterionMark = z.infer<typeof CriterionMark>;

export const JudgeReport = z.strictObject({
  grades: z
    .array(
      z.strictObject({
        answer: z.string().min(1).describe('The label of the graded answer, e.g. "A"'),
        marks: z.array(CriterionMark),
      }),
    )
    .min(1),
});
export type JudgeReport = z.infer<typeof JudgeReport>;

/** The legal domain's loop judge: a structured verdict on all rollouts instead of thresholds. */
export const LoopVerdict = z.strictObject({
  weak_pattern: z.string().min(1).describe('How the weak rollouts fail or succeed, as a pattern across them'),
  gap_interpretation: z.string().min(1).describe('What separates the strong rollouts from the weak ones, and whether that gap reflects legal skill'),
  case_recap: z.boolean().describe('true when the question only asks to restate the facts or holding of a case'),
  grpo_suitability: z.enum(['high', 'medium', 'low']).describe('How much a small model can learn from this item by GRPO: varied weak scores, a real gap'),
  problem: z
    .enum(['none', 'too_easy', 'too_hard', 'no_separation', 'case_recap', 'flawed'])
    .describe(
      'The main problem when the item should be improved: the weak model already succeeds, the strong one fails too, the two are not separated, a case recap, or a flawed question',
    ),
  decision: z.enum(['accept', 'improve']),
  advice: z.string().describe('For improve: what the next question should do differently'),
});
export type LoopVerdict = z.infer<typeof LoopVerdict>;

// ---- What the engine keeps ----

export const Usage = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  calls: z.number(),
  /** Of the prompt tokens, those the endpoint read from its prompt cache (absent: none reported). */
  cachedTokens: z.number().optional(),
});
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
  /** The sampling seed sent with this rollout's request (distinct per rollout), when seeds are on. */
  seed: z.number().int().optional(),
  /** The model's reasoning before its answer, when it returned any: journaled, never graded or exported. */
  reasoning: z.string().optional(),
  /** Tokens the model spent reasoning for this rollout, when the endpoint reports them per rollout. */
  reasoningTokens: z.number().int().min(0).optional(),
  /** The second judge's grade of the same answer, when a second judge is configured (it never changes `score`). */
  judge2: z.object({ score: z.number().min(0).max(1), marks: z.array(CriterionMark) }).optional(),
});
export type Rollout = z.infer<typeof Rollout>;

/** low_spread: the weak rollouts' scores vary too little for GRPO to learn from (the optional learnability filter). */
export const VerdictKind = z.enum(['accepted', 'borderline', 'too_easy', 'too_hard', 'gap_too_small', 'quality_failed', 'failed', 'low_spread']);
export type VerdictKind = z.infer<typeof VerdictKind>;

/** Each judge's verdict on one item; `disagree` when they differ (accepted, borderline or rejected), which sends it to review. */
export const JudgesVerdicts = z.object({
  first: VerdictKind,
  second: VerdictKind,
  secondReasons: z.array(z.string()),
  secondWeakMean: z.number().optional(),
  secondStrongMean: z.number().optional(),
  disagree: z.boolean(),
});
export type JudgesVerdicts = z.infer<typeof JudgesVerdicts>;

export const Verdict = z.object({
  kind: VerdictKind,
  reasons: z.array(z.string()),
  weakMean: z.number().optional(),
  strongMean: z.number().optional(),
  gap: z.number().optional(),
  /** For borderline: what the policy would have said without the margin. */
  nearest: VerdictKind.optional(),
  /** The attempt does not count against its section (the grader failed, not the question): it is tried again. */
  uncounted: z.literal(true).optional(),
  /** The legal loop judge's verdict, when it decided. */
  loop: LoopVerdict.optional(),
  /** With a second judge: the verdict the same policy gives on its grades, and whether the two verdicts differ. */
  judges: JudgesVerdicts.optional(),
});
export type Verdict = z.infer<typeof Verdict>;

/** Offsets into the document's text in UTF-16 code units (as VS Code and `String.prototype.slice` count). */
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

export const ModelNames = z.object({ ...byRole(() => z.string()), judge2: z.string().optional() });
export type ModelNames = z.infer<typeof ModelNames>;

export const SolverScores = z.object({
  mean: z.number(),
  rollouts: z.array(z.number()),
  /** Seeds of the scored rollouts, in the same order, when seeds were sent. */
  seeds: z.array(z.number().int()).optional(),
});

/** How much a policy-gradient learner can learn from an item: the spread of the weak rollouts' scores. */
export const Learnability = z.object({
  weakStd: z.number().min(0),
  weakRange: z.number().min(0),
  /** Every weak rollout scored the same: GRPO gets no signal from this item. */
  flat: z.boolean(),
});
export type Learnability = z.infer<typeof Learnability>;

/** The recipe an item was made by: enough to tell items made under different rules apart. */
export const RecordMethod = z.object({
  preset: DomainPreset,
  recipeVersion: z.number().int().min(0),
  policy: PolicyThresholds,
  answerMatch: AnswerMatchThresholds.optional(),
  rubricShape: RubricShapeName.optional(),
  judgeMode: z.enum(['batch', 'perRollout']),
  rollouts: z.object({ weak: z.number().int(), strong: z.number().int() }),
});
export type RecordMethod = z.infer<typeof RecordMethod>;

export const DatasetRecord = z.object({
  id: z.string().min(1),
  createdAt: z.string(),
  question: z.string().min(1),
  questionType: z.string(),
  skills: z.array(z.string()),
  rubric: z.array(z.object({ criterion: z.string(), weight: z.number(), negative: z.boolean() })).min(1),
  referenceAnswer: z.string(),
  /**
   * `quote` is the document's own text at `range`; `modelQuote` the Challenger's, when it differs (e.g. emphasis dropped).
   * `sha256` hashes the document's text as UTF-8 (a UTF-8 file's bytes without its byte-order mark; a PDF's extracted text).
   */
  source: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), range: SourceRange, quote: z.string(), modelQuote: z.string().optional() }),
  scores: z.object({ weak: SolverScores, strong: SolverScores, gap: z.number() }),
  decision: z.object({ by: z.enum(['policy', 'human']), borderline: z.boolean(), note: z.string().optional() }),
  iterations: z.number().int().min(1),
  models: ModelNames,
  runId: z.string(),
  promptVersion: z.string(),
  /** Tokens and calls spent on this item's section until it was accepted (every attempt, all roles). */
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number() }).optional(),
  learnability: Learnability.optional(),
  method: RecordMethod.optional(),
  /** Verifiable answers: the answer rollouts were matched against. */
  finalAnswer: z.string().optional(),
  /** The Challenger's analysis of how the weak model would fail. */
  analysis: ChallengeAnalysis.optional(),
  /** The legal loop judge's verdict. */
  loop: LoopVerdict.optional(),
  /** The final verification of the accepted item, check by check. */
  verification: z.array(QualityCheck).optional(),
  /** With a second judge: each judge's verdict on the item. */
  judges: JudgesVerdicts.optional(),
  /** The closed-book probe: the strong solver's score on the question without its context; `solved` flags closed_book_solved. */
  closedBook: z.object({ score: z.number().min(0).max(1), solved: z.boolean() }).optional(),
});
export type DatasetRecord = z.infer<typeof DatasetRecord>;

// Builds the dataset record of an accepted (or borderline) attempt.
import type { EngineConfig } from './config';
import { learnability } from './learnability';
import { rubricShapeOf } from './local-checks';
import { mean } from './policy';
import type { Challenge, DatasetRecord, ModelNames, QualityReport, RecordMethod, Rollout, SourceRange, Verdict } from '../shared/schemas';

export interface RecordInput {
  runId: string;
  attemptId: string;
  createdAt: string;
  challenge: Challenge;
  /** With the document's text, the record quotes the document itself at the quote's range. */
  document: { path: string; sha256: string; text?: string };
  quoteRange: SourceRange;
  weak: readonly Rollout[];
  strong: readonly Rollout[];
  verdict: Verdict;
  iterations: number;
  models: ModelNames;
  promptVersion: string;
  usage?: { promptTokens: number; completionTokens: number; calls: number };
  /** The run's configuration and recipe version: recorded as the method the item was made by. */
  config?: EngineConfig;
  recipeVersion?: number;
  /** The final verification, when it ran. */
  verification?: QualityReport;
  /** The closed-book probe, when it ran. */
  closedBook?: { score: number; solved: boolean };
}

/** Scores of the rollouts that could be measured (failed measurements are left out, never counted as 0). */
export const measuredScores = (rs: readonly Rollout[]) => rs.filter((r) => !r.failure && r.score !== undefined).map((r) => r.score!);

function solverScores(rs: readonly Rollout[]) {
  const measured = rs.filter((r) => !r.failure && r.score !== undefined);
  const s = measured.map((r) => r.score!);
  const seeds = measured.map((r) => r.seed);
  return { mean: mean(s), rollouts: s, ...(seeds.length && seeds.every((x) => x !== undefined) ? { seeds: seeds as number[] } : {}) };
}

export function methodOf(cfg: EngineConfig, recipeVersion: number): RecordMethod {
  const shape = rubricShapeOf(cfg);
  return {
    preset: cfg.preset,
    recipeVersion,
    policy: cfg.policy,
    ...(cfg.preset === 'verifiable' ? { answerMatch: cfg.answerMatch } : {}),
    ...(shape ? { rubricShape: shape } : {}),
    judgeMode: cfg.judgeMode,
    rollouts: { ...cfg.rollouts },
  };
}

/** The id of the item an attempt of a run yields. */
export function itemId(runId: string, attemptId: string): string {
  return `${runId}:${attemptId}`;
}

export function buildRecord(i: RecordInput): DatasetRecord {
  const weak = solverScores(i.weak);
  const strong = solverScores(i.strong);
  const c = i.challenge;
  // The quote is the document's own text at the range (the Challenger's may differ in emphasis or line breaks).
  const docQuote = i.document.text?.slice(i.quoteRange.start, i.quoteRange.end);
  const quote = docQuote ?? c.sourceQuote;
  const learn = learnability(weak.rollouts);
  return {
    id: itemId(i.runId, i.attemptId),
    createdAt: i.createdAt,
    question: c.question,
    questionType: c.questionType,
    skills: c.skills,
    rubric: c.rubric.map((r) => ({ criterion: r.criterion, weight: r.weight, negative: r.negative })),
    referenceAnswer: c.referenceAnswer,
    source: {
      path: i.document.path,
      sha256: i.document.sha256,
      range: { start: i.quoteRange.start, end: i.quoteRange.end },
      quote,
      ...(quote !== c.sourceQuote ? { modelQuote: c.sourceQuote } : {}),
    },
    scores: { weak, strong, gap: strong.mean - weak.mean },
    decision: { by: 'policy', borderline: i.verdict.kind === 'borderline' },
    iterations: i.iterations,
    models: i.models,
    runId: i.runId,
    promptVersion: i.promptVersion,
    ...(i.usage ? { usage: i.usage } : {}),
    ...(learn ? { learnability: learn } : {}),
    ...(i.config ? { method: methodOf(i.config, i.recipeVersion ?? 0) } : {}),
    ...(c.finalAnswer !== undefined ? { finalAnswer: c.finalAnswer } : {}),
    ...(c.analysis ? { analysis: c.analysis } : {}),
    ...(i.verdict.loop ? { loop: i.verdict.loop } : {}),
    ...(i.verdict.judges ? { judges: i.verdict.judges } : {}),
    ...(i.verification?.checks ? { verification: i.verification.checks } : {}),
    ...(i.closedBook ? { closedBook: { score: i.closedBook.score, solved: i.closedBook.solved } } : {}),
  };
}

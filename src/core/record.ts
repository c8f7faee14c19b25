// Builds the dataset record of an accepted (or borderline) attempt.
import { mean } from './policy';
import type { Challenge, DatasetRecord, ModelNames, Rollout, SourceRange, Verdict } from '../shared/schemas';

export interface RecordInput {
  runId: string;
  attemptId: string;
  createdAt: string;
  challenge: Challenge;
  document: { path: string; sha256: string };
  quoteRange: SourceRange;
  weak: readonly Rollout[];
  strong: readonly Rollout[];
  verdict: Verdict;
  iterations: number;
  models: ModelNames;
  promptVersion: string;
  usage?: { promptTokens: number; completionTokens: number; calls: number };
}

/** Scores of the rollouts that could be measured (failed measurements are left out, never counted as 0). */
export const measuredScores = (rs: readonly Rollout[]) => rs.filter((r) => !r.failure && r.score !== undefined).map((r) => r.score!);

export function buildRecord(i: RecordInput): DatasetRecord {
  const weak = measuredScores(i.weak);
  const strong = measuredScores(i.strong);
  const c = i.challenge;
  return {
    id: `${i.runId}:${i.attemptId}`,
    createdAt: i.createdAt,
    question: c.question,
    questionType: c.questionType,
    skills: c.skills,
    rubric: c.rubric.map((r) => ({ criterion: r.criterion, weight: r.weight, negative: r.negative })),
    referenceAnswer: c.referenceAnswer,
    source: { path: i.document.path, sha256: i.document.sha256, range: i.quoteRange, quote: c.sourceQuote },
    scores: { weak: { mean: mean(weak), rollouts: weak }, strong: { mean: mean(strong), rollouts: strong }, gap: mean(strong) - mean(weak) },
    decision: { by: 'policy', borderline: i.verdict.kind === 'borderline' },
    iterations: i.iterations,
    models: i.models,
    runId: i.runId,
    promptVersion: i.promptVersion,
    ...(i.usage ? { usage: i.usage } : {}),
  };
}


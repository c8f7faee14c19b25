// The rubric shape a Challenger must write (the paper's, or the meta-optimised variant) and its local check.
import type { RubricShapeName } from '../shared/thresholds';
import type { RubricItem } from '../shared/schemas';

export interface RubricShape {
  minCriteria: number;
  maxCriteria: number;
  minPositive: number;
  /** Negative criteria wanted; 0 with `negatives: false` forbids them. */
  minNegative: number;
  negatives: boolean;
  maxWeight: number;
}

export const RUBRIC_SHAPES: Record<RubricShapeName, RubricShape> = {
  /** As the paper's verifier checked it: 10–20 criteria, at least 4 positive and 3 negative, integer weights 1–10. */
  paper: { minCriteria: 10, maxCriteria: 20, minPositive: 4, minNegative: 3, negatives: true, maxWeight: 10 },
  /** After meta-optimisation the paper's agent wrote positive criteria only, with weights capped at 7. */
  positiveOnly: { minCriteria: 10, maxCriteria: 20, minPositive: 10, minNegative: 0, negatives: false, maxWeight: 7 },
};

/** The instruction for the Challenger prompt, worded from the same numbers the check uses. */
export function rubricRule(name: RubricShapeName): string {
  const s = RUBRIC_SHAPES[name];
  if (!s.negatives) {
    return `Write a flat rubric of ${s.minCriteria} to 15 criteria, all positive (what a good answer does, "negative": false), each with an integer weight from 1 to ${s.maxWeight}. Never more than ${s.maxCriteria}.`;
  }
  return `Write a flat rubric of ${s.minCriteria} to 15 criteria: 7 to 10 positive (what a good answer does, "negative": false) and 3 to 5 negative (faults a bad answer shows, "negative": true), each with an integer weight from 1 to ${s.maxWeight}. Never fewer than ${s.minPositive} positive or ${s.minNegative} negative, never more than ${s.maxCriteria} criteria in all. The negative criteria name the errors your analysis predicts.`;
}

/** What is wrong with a rubric's shape, as one sentence the Challenger can act on; undefined when it fits. */
export function rubricShapeProblem(rubric: readonly RubricItem[], name: RubricShapeName): string | undefined {
  const s = RUBRIC_SHAPES[name];
  const positive = rubric.filter((r) => !r.negative).length;
  const negative = rubric.length - positive;
  const counts = s.negatives ? `${positive} positive, ${negative} negative` : `${positive} positive`;
  const want = s.negatives
    ? `write ${s.minCriteria}–${s.maxCriteria} criteria, at least ${s.minPositive} positive and at least ${s.minNegative} negative, integer weights 1–${s.maxWeight}`
    : `write ${s.minCriteria}–${s.maxCriteria} criteria, all positive, integer weights 1–${s.maxWeight}`;
  const problems: string[] = [];
  if (rubric.length < s.minCriteria || rubric.length > s.maxCriteria) {
    problems.push(`the rubric has ${rubric.length} criteria (${counts})`);
  } else {
    if (positive < s.minPositive) {
      problems.push(`the rubric has only ${positive} positive criteria`);
    }
    if (s.negatives && negative < s.minNegative) {
      problems.push(`the rubric has only ${negative} negative criteria`);
    }
    if (!s.negatives && negative > 0) {
      problems.push(`the rubric has ${negative} negative criteria where only positive ones are allowed`);
    }
  }
  const heavy = rubric.map((r, i) => ({ r, n: i + 1 })).filter(({ r }) => !Number.isInteger(r.weight) || r.weight < 1 || r.weight > s.maxWeight);
  if (heavy.length) {
    problems.push(`criteria ${heavy.map((h) => h.n).join(', ')} have weights outside 1–${s.maxWeight} (${heavy.map((h) => h.r.weight).join(', ')})`);
  }
  return problems.length ? `${problems.join('; ')}; ${want}` : undefined;
}

/** "13 criteria: 10 positive, 3 negative, weights 1–8", for a passing check's reason. */
export function describeRubric(rubric: readonly RubricItem[]): string {
  const positive = rubric.filter((r) => !r.negative).length;
  const weights = rubric.map((r) => r.weight);
  return `${rubric.length} criteria: ${positive} positive, ${rubric.length - positive} negative, weights ${Math.min(...weights)}–${Math.max(...weights)}`;
}

// The checks an attempt runs on a question before any model call: a rubric that can score, a quote that is in the
// source, the rubric shape. Pure, so a failure costs nothing and its feedback is exact.
import type { EngineConfig } from './config';
import { rubricShapeProblem } from './rubric-shape';
import type { Challenge, SourceRange } from '../shared/schemas';
import type { RubricShapeName } from '../shared/thresholds';

/** The rubric shape the run's preset asks for; none for verifiable answers, whose "rubric" is the final answer. */
export function rubricShapeOf(cfg: Pick<EngineConfig, 'preset' | 'rubricShape'>): RubricShapeName | undefined {
  return cfg.preset === 'verifiable' ? undefined : cfg.rubricShape;
}

/** The first problem found, as feedback for the Challenger, or undefined. */
export function localProblem(c: Challenge, quote: SourceRange | undefined, shape: RubricShapeName | undefined): string | undefined {
  if (!c.rubric.some((r) => !r.negative)) {
    return 'the rubric has no positive criterion, so no answer can score above 0';
  }
  if (!quote) {
    return 'the source quote does not appear in the section: quote it verbatim';
  }
  return shape ? rubricShapeProblem(c.rubric, shape) : undefined;
}

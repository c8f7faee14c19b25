// Agreement statistics: Cohen's kappa between two raters, and what a verdict decides for its item (the unit judges and
// people agree on). Pure functions. (A rate's interval: wilson.ts.)
import type { VerdictKind } from './schemas';

/** What a verdict means for the item: kept, left to a person, or not kept. */
export type VerdictCall = 'accept' | 'review' | 'reject';
export function callOf(kind: VerdictKind): VerdictCall {
  return kind === 'accepted' ? 'accept' : kind === 'borderline' ? 'review' : 'reject';
}

/**
 * Cohen's κ of paired categorical ratings: (pₒ − pₑ) / (1 − pₑ), where pₒ is the share of pairs that agree and pₑ the
 * agreement expected by chance from each rater's own category shares. Undefined with no pairs, and when chance
 * agreement is already 1 (both raters used one and the same category throughout: κ is 0/0).
 */
export function cohenKappa<T>(pairs: ReadonlyArray<readonly [T, T]>): number | undefined {
  const n = pairs.length;
  if (n === 0) {
    return undefined;
  }
  const first = new Map<T, number>();
  const second = new Map<T, number>();
  let agree = 0;
  for (const [a, b] of pairs) {
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
    if (a === b) {
      agree++;
    }
  }
  const observed = agree / n;
  let chance = 0;
  for (const [category, count] of first) {
    chance += (count / n) * ((second.get(category) ?? 0) / n);
  }
  if (1 - chance < 1e-12) {
    return undefined;
  }
  return (observed - chance) / (1 - chance);
}

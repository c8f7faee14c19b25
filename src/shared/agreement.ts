// Agreement statistics: Cohen's kappa between two raters, the Wilson score interval of a rate, and what a verdict
// decides for its item (the unit judges and people agree on). Pure functions.
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

/** A share with its Wilson score interval (95% by default: z = 1.96). */
export interface Rate {
  count: number;
  of: number;
  rate: number;
  low: number;
  high: number;
}

/** `count` of `of` with its Wilson score interval; undefined when `of` is 0 (no rate to speak of). */
export function wilson(count: number, of: number, z = 1.96): Rate | undefined {
  if (of <= 0) {
    return undefined;
  }
  const p = count / of;
  const z2 = z * z;
  const denominator = 1 + z2 / of;
  const centre = (p + z2 / (2 * of)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of))) / denominator;
  return { count, of, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

// A proportion with its 95% Wilson score interval: an acceptance rate measured on a few decisions is mostly noise.

/** The normal quantile of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface RateInterval {
  /** successes / n */
  rate: number;
  low: number;
  high: number;
}

/**
 * The Wilson score interval of `successes` out of `n` (E. B. Wilson, 1927): unlike the normal approximation it stays
 * inside 0..1 and is not zero-width at 0 or n successes. Undefined when nothing has been decided yet.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): RateInterval | undefined {
  if (!(n > 0) || successes < 0 || successes > n) {
    return undefined;
  }
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At 0 or n successes the bound is exactly 0 or 1; floating point would leave a hair's breadth.
  return { rate: p, low: successes === 0 ? 0 : Math.max(0, center - half), high: successes === n ? 1 : Math.min(1, center + half) };
}

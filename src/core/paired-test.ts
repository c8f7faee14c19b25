// Does a child recipe beat its parent on the same held-out trials? An exact one-sided McNemar test over the paired
// outcomes (trial i of the child against trial i of the parent: same section, same repeat). Only discordant pairs
// carry evidence; under "no better" the child wins each of them with probability 1/2 at most. The confidence interval
// of the difference in pass rates is the Clopper–Pearson interval of the child's share of discordant pairs (exact, and
// the dual of the test, so "kept" is exactly "the interval's lower bound is above 0"), scaled to all pairs; it is
// conditional on the number of discordant pairs. Chosen over a bootstrap because held-out sets are small (a bootstrap
// over 6 pairs is too narrow) and over a t-interval because outcomes are pass/fail.

export interface PairedComparison {
  /** Paired trials. */
  n: number;
  /** Pairs the child passed and the parent failed, and the other way round. */
  childWins: number;
  parentWins: number;
  /** Child pass rate minus parent pass rate. */
  diff: number;
  /** Confidence interval of `diff`, two-sided at 1 − 2·alpha (each bound one-sided at 1 − alpha). */
  ci: [number, number];
  /** One-sided p-value of "the child is no better". */
  p: number;
  /** The child is better: p < alpha, which is ci[0] > 0. */
  better: boolean;
}

/** P(X ≥ k) for X ~ Binomial(m, q). */
function upperTail(m: number, k: number, q: number): number {
  if (k <= 0) {
    return 1;
  }
  if (k > m || q <= 0) {
    return 0;
  }
  if (q >= 1) {
    return 1;
  }
  let term = Math.pow(1 - q, m);
  let cdf = 0;
  // P(X = i) term by term: 1 − P(X < k).
  for (let i = 0; i < k; i++) {
    cdf += term;
    term = (term * (m - i) * q) / ((i + 1) * (1 - q));
  }
  return Math.max(0, Math.min(1, 1 - cdf));
}

/** The q in [0, 1] where f (increasing in q) crosses target, by bisection. */
function solveIncreasing(f: (q: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

export function comparePaired(parent: readonly boolean[], child: readonly boolean[], alpha: number): PairedComparison {
  if (parent.length !== child.length) {
    throw new Error(`paired trials differ in number: ${parent.length} for the parent, ${child.length} for the child`);
  }
  const n = parent.length;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (child[i] && !parent[i]) {
      b++;
    } else if (parent[i] && !child[i]) {
      c++;
    }
  }
  const m = b + c;
  if (n === 0 || m === 0) {
    return { n, childWins: b, parentWins: c, diff: 0, ci: [0, 0], p: 1, better: false };
  }
  const p = upperTail(m, b, 0.5);
  // Clopper–Pearson bounds of θ = P(child wins a discordant pair).
  const lo = b === 0 ? 0 : solveIncreasing((q) => upperTail(m, b, q), alpha);
  const hi = b === m ? 1 : solveIncreasing((q) => upperTail(m, b + 1, q), 1 - alpha);
  const scale = m / n;
  const diff = (b - c) / n;
  return { n, childWins: b, parentWins: c, diff, ci: [scale * (2 * lo - 1), scale * (2 * hi - 1)], p, better: p < alpha };
}

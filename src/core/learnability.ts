// How much GRPO can learn from an item: the spread of the weak rollouts' scores. Equal scores give no advantage signal.
import type { Learnability } from '../shared/schemas';

/** Population standard deviation (the rollouts are the whole group GRPO normalises over). */
export function stdDev(xs: readonly number[]): number {
  if (xs.length === 0) {
    return NaN;
  }
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.round(Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length) * 1e9) / 1e9;
}

/** The weak rollouts' spread, and whether they all scored the same; undefined without a measured weak rollout. */
export function learnability(weak: readonly number[]): Learnability | undefined {
  if (weak.length === 0) {
    return undefined;
  }
  const range = Math.round((Math.max(...weak) - Math.min(...weak)) * 1e9) / 1e9;
  return { weakStd: stdDev(weak), weakRange: range, flat: range === 0 };
}

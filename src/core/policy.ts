// The acceptance rule: accept, borderline (a person decides), or reject as too easy / too hard / gap too small.
import type { PolicyThresholds } from '../shared/thresholds';
import type { CriterionMark, RubricItem, Verdict, VerdictKind } from '../shared/schemas';
import { stdDev } from './learnability';

/** Weighted share of criteria met, negatives subtracting, clamped to 0..1. */
export function rubricScore(rubric: readonly RubricItem[], marks: readonly CriterionMark[]): number {
  const positive = rubric.reduce((s, c) => s + (c.negative ? 0 : c.weight), 0);
  if (positive === 0) {
    return 0;
  }
  let got = 0;
  for (const m of marks) {
    const c = rubric[m.criterion - 1];
    if (!c || !m.met) {
      continue;
    }
    got += c.negative ? -c.weight : c.weight;
  }
  return Math.min(1, Math.max(0, got / positive));
}

/** Rounded to 1e-9 so that thresholds compare as written (0.95 * 3 / 3 is 0.9499999999999998 in floating point). */
const exact = (x: number) => Math.round(x * 1e9) / 1e9;

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : exact(xs.reduce((a, b) => a + b, 0) / xs.length);
}

interface Miss {
  kind: Exclude<VerdictKind, 'accepted' | 'borderline' | 'quality_failed' | 'failed'>;
  reason: string;
  by: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function weakMisses(p: PolicyThresholds, weak: readonly number[]): Miss[] {
  const out: Miss[] = [];
  const m = mean(weak);
  const best = Math.max(...weak);
  const over = p.weakMeanStrict ? m >= p.weakMeanMax : m > p.weakMeanMax;
  if (over) {
    out.push({ kind: 'too_easy', reason: `weak mean ${round(m)} ${p.weakMeanStrict ? '≥' : '>'} ${p.weakMeanMax}`, by: m - p.weakMeanMax });
  }
  if (p.weakBestMax < 1 && best > p.weakBestMax) {
    out.push({ kind: 'too_easy', reason: `best weak rollout ${round(best)} > ${p.weakBestMax}`, by: best - p.weakBestMax });
  }
  if (p.weakNoZero && weak.some((s) => s === 0)) {
    // A zero is exact, not a near miss: it is never borderline.
    out.push({ kind: 'too_hard', reason: 'a weak rollout scored 0 (no variance for training)', by: Infinity });
  }
  // The learnability filter: a spread is not a score, so no borderline band applies and no strong result can help.
  const std = stdDev(weak);
  if (p.weakMinStd && std < p.weakMinStd) {
    out.push({
      kind: 'low_spread',
      reason: `the weak rollouts' spread (std dev ${round(std)}) is below ${p.weakMinStd}: GRPO learns little from scores this uniform`,
      by: Infinity,
    });
  }
  return out;
}

function strongMisses(p: PolicyThresholds, weak: readonly number[], strong: readonly number[]): Miss[] {
  const out: Miss[] = [];
  const s = mean(strong);
  if (s < p.strongMeanMin) {
    out.push({ kind: 'too_hard', reason: `strong mean ${round(s)} < ${p.strongMeanMin}`, by: p.strongMeanMin - s });
  }
  if (p.strongMeanMax < 1 && s >= p.strongMeanMax) {
    out.push({ kind: 'too_easy', reason: `strong mean ${round(s)} ≥ ${p.strongMeanMax} (near-perfect: no variance)`, by: s - p.strongMeanMax });
  }
  if (p.strongNoZero && strong.some((x) => x === 0)) {
    out.push({ kind: 'too_hard', reason: 'a strong rollout scored 0', by: Infinity });
  }
  const gap = exact(s - mean(weak));
  if (gap < p.minGap) {
    out.push({ kind: 'gap_too_small', reason: `gap ${round(gap)} < ${p.minGap}`, by: p.minGap - gap });
  }
  return out;
}

function verdictFrom(p: PolicyThresholds, misses: Miss[], base: Omit<Verdict, 'kind' | 'reasons'>): Verdict {
  if (misses.length === 0) {
    return { kind: 'accepted', reasons: [], ...base };
  }
  const reasons = misses.map((m) => m.reason);
  // Borderline: every missed threshold is missed by no more than the margin.
  if (p.borderlineMargin > 0 && misses.every((m) => m.by <= p.borderlineMargin + 1e-9)) {
    return { kind: 'borderline', reasons, nearest: misses[0].kind, ...base };
  }
  return { kind: misses.find((m) => m.by > p.borderlineMargin)?.kind ?? misses[0].kind, reasons, ...base };
}

/** The verdict from valid (measured) scores of both solvers. */
export function decide(p: PolicyThresholds, weak: readonly number[], strong: readonly number[]): Verdict {
  if (weak.length === 0 || strong.length === 0) {
    return { kind: 'failed', reasons: [`no valid ${weak.length === 0 ? 'weak' : 'strong'} rollout to score`] };
  }
  const weakMean = mean(weak);
  const strongMean = mean(strong);
  return verdictFrom(p, [...weakMisses(p, weak), ...strongMisses(p, weak, strong)], { weakMean, strongMean, gap: exact(strongMean - weakMean) });
}

/**
 * An early verdict from the weak scores alone, when no strong result could change it (the paper's order: skip the
 * strong rollouts after a clearly too-easy weak result). Returns undefined when the strong solver must still run.
 */
export function decideFromWeak(p: PolicyThresholds, weak: readonly number[]): Verdict | undefined {
  if (weak.length === 0) {
    return { kind: 'failed', reasons: ['no valid weak rollout to score'] };
  }
  const weakMean = mean(weak);
  const misses = weakMisses(p, weak);
  // Even a perfect-but-allowed strong mean leaves too small a gap.
  const bestStrong = p.strongMeanMax < 1 ? p.strongMeanMax : 1;
  if (bestStrong - weakMean < p.minGap) {
    misses.push({
      kind: 'gap_too_small',
      reason: `weak mean ${round(weakMean)} leaves no room for a gap of ${p.minGap}`,
      by: p.minGap - (bestStrong - weakMean),
    });
  }
  const decisive = misses.filter((m) => m.by > p.borderlineMargin + 1e-9);
  if (decisive.length === 0) {
    return undefined;
  }
  return { kind: decisive[0].kind, reasons: misses.map((m) => m.reason), weakMean };
}

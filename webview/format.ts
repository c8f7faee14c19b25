// Words and numbers as the panel shows them: scores, token counts, verdict and phase labels.
import type { Phase } from '../src/shared/events';
import type { AttemptStatus, RunState, TargetOutcome, Waiting } from './store';

/** 0.4166 → "0.42"; undefined / NaN → "–". */
export function formatScore(x: number | null | undefined): string {
  return x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(2);
}

/** A signed difference: 0.31 → "+0.31", -0.05 → "−0.05". */
export function formatGap(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) {
    return '–';
  }
  const s = Math.abs(x).toFixed(2);
  return x < 0 && s !== '0.00' ? `−${s}` : `+${s}`;
}

/** 950 → "950", 12_345 → "12.3k", 1_250_000 → "1.25M". */
export function compactCount(n: number): string {
  if (!Number.isFinite(n)) {
    return '–';
  }
  const a = Math.abs(n);
  if (a < 1000) {
    return String(Math.round(n));
  }
  if (a < 999_950) {
    return `${trim((n / 1000).toFixed(a < 10_000 ? 2 : 1))}k`;
  }
  if (a < 999_950_000) {
    return `${trim((n / 1e6).toFixed(a < 1e7 ? 2 : 1))}M`;
  }
  return `${trim((n / 1e9).toFixed(2))}B`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Money in the price table's units: 0.00312 → "0.0031", 1.5 → "1.50", 1234.5 → "1,234.50". */
export function formatCost(x: number): string {
  if (!Number.isFinite(x)) {
    return '–';
  }
  return x !== 0 && Math.abs(x) < 0.01 ? x.toPrecision(2) : x.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export const STATUS_LABEL: Record<AttemptStatus, string> = {
  running: 'running',
  accepted: 'accepted',
  review: 'borderline',
  approved: 'approved',
  rejected_by_you: 'rejected by you',
  too_easy: 'too easy',
  too_hard: 'too hard',
  gap_too_small: 'gap too small',
  low_spread: 'weak scores too uniform',
  quality_failed: 'quality failed',
  failed: 'failed',
};

export const PHASE_LABEL: Record<Phase, string> = {
  challenge: 'challenge',
  quality: 'quality check',
  solve_weak: 'solve weak',
  solve_strong: 'solve strong',
  judge_weak: 'judge weak',
  judge_strong: 'judge strong',
  decide: 'decide',
};

export const OUTCOME_LABEL: Record<TargetOutcome, string> = {
  pending: 'pending',
  running: 'running',
  accepted: 'accepted',
  review: 'in review',
  approved: 'approved by you',
  rejected: 'rejected by you',
  exhausted: 'exhausted',
  stopped: 'stopped',
  error: 'error',
};

/** "Running", "Paused", "Waiting: solve weak for s2.3", "Finished", … */
export function stateLabel(state: RunState, waiting: Waiting | undefined, finished?: { outcome: string }, live = true): string {
  if ((state === 'stepping' || state === 'paused') && waiting) {
    const what = `${PHASE_LABEL[waiting.next]}${waiting.attemptId ? ` for ${waiting.attemptId}` : ''}`;
    // Stepping, the engine waits for the person: the badge says what Step does next.
    return state === 'paused' ? `Paused before ${what}` : `Your turn: Step runs ${what}`;
  }
  switch (state) {
    case 'idle':
      return 'Idle';
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
    case 'stepping':
      return 'Stepping';
    case 'interrupted':
      return finished?.outcome === 'stopped'
        ? 'Stopped · Resume continues it'
        : finished?.outcome === 'error'
          ? 'Ended with an error · Resume tries again'
          : 'Interrupted · Resume continues it';
    case 'finished':
      if (!finished) {
        return live ? 'Finished' : 'Not running';
      }
      return finished.outcome === 'completed' ? 'Finished' : finished.outcome === 'stopped' ? 'Stopped' : 'Ended with an error';
  }
}

/** Why the strong rollouts were not run, from the verdict reached on the weak result alone. */
export function strongSkipReason(kind: string | undefined): string {
  switch (kind) {
    case 'too_easy':
      return 'weak too easy';
    case 'gap_too_small':
      return 'no room left for the gap';
    case 'too_hard':
      return 'a weak rollout scored 0';
    case 'failed':
      return 'weak rollouts could not be measured';
    default:
      return 'decided on the weak result';
  }
}

/** "1 attempt", "3 attempts". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Character count for "show more" toggles: 12_345 → "12.3k characters". */
export function charCount(n: number): string {
  return `${compactCount(n)} characters`;
}

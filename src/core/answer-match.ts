// Verifiable answers: the final answer of a rollout, normalised and matched against the Challenger's, and the
// acceptance rule as counts (weak right at most 1 of 4, strong right at least 3 of 4) expressed as policy thresholds.
import type { Rollout } from '../shared/schemas';
import type { AnswerMatchThresholds, PolicyThresholds } from '../shared/thresholds';

/** The content of the last `\boxed{...}` in a text, braces balanced. */
function lastBoxed(text: string): string | undefined {
  const at = text.lastIndexOf('\\boxed{');
  if (at < 0) {
    return undefined;
  }
  let depth = 0;
  for (let i = at + 6; i < text.length; i++) {
    if (text[i] === '{') {
      depth++;
    } else if (text[i] === '}' && --depth === 0) {
      return text.slice(at + 7, i);
    }
  }
  return undefined;
}

/** The final answer of a rollout: its last "Final answer:" line, else its last \boxed{}; undefined when it gives none. */
export function extractFinalAnswer(text: string): string | undefined {
  const line = [...text.matchAll(/final answer\s*(?:is)?\s*[:：]\s*(.+)/gi)].at(-1)?.[1];
  const found = line !== undefined ? (lastBoxed(line) ?? line) : lastBoxed(text);
  const t = found
    ?.trim()
    .replace(/^\*+|\*+$/g, '')
    .trim();
  return t ? t : undefined;
}

/** Strips \cmd{x} to x, with nested braces. */
function unwrap(s: string, cmd: string): string {
  let out = s;
  for (let at = out.indexOf(`\\${cmd}{`); at >= 0; at = out.indexOf(`\\${cmd}{`)) {
    let depth = 0;
    let end = -1;
    for (let i = at + cmd.length + 1; i < out.length; i++) {
      if (out[i] === '{') {
        depth++;
      } else if (out[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      break;
    }
    out = out.slice(0, at) + out.slice(at + cmd.length + 2, end) + out.slice(end + 1);
  }
  return out;
}

/** A canonical form: no math delimiters, LaTeX wrappers, spacing, case, thousands separators or final full stop. */
export function normaliseAnswer(answer: string): string {
  let s = answer.trim().normalize('NFKC').replace(/\.$/, '').trim();
  s = s
    .replace(/^\$+|\$+$/g, '')
    .replace(/^\\\(|\\\)$/g, '')
    .replace(/^\\\[|\\\]$/g, '');
  for (const cmd of ['boxed', 'text', 'textbf', 'mathrm', 'mathbf', 'operatorname']) {
    s = unwrap(s, cmd);
  }
  s = s
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\\left|\\right/g, '')
    .replace(/\\[,;:! ]|~/g, '')
    .replace(/\\cdot|\\times/g, '*');
  s = s.toLowerCase().replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  // "x = 5" answers 5, but "x = y" stays an equation.
  const assigned = /^[a-z]\s*=\s*(.+)$/.exec(s);
  if (assigned && numberOf(assigned[1].replace(/\s/g, '')) !== undefined) {
    s = assigned[1];
  }
  s = s.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  return s.replace(/\s/g, '');
}

/** The value of a normalised answer that is a number, a fraction a/b or \frac{a}{b}, or a percentage; else undefined. */
export function numberOf(s: string): number | undefined {
  const num = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?%?$/;
  if (num.test(s)) {
    return Number(s.replace(/%$/, ''));
  }
  const frac = /^([-+]?)(?:\\frac\{([^{}]+)\}\{([^{}]+)\}|([-+]?\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?))$/.exec(s);
  if (!frac) {
    return undefined;
  }
  const [a, b] = frac[2] !== undefined ? [frac[2], frac[3]] : [frac[4], frac[5]];
  const x = numberOf(a);
  const y = numberOf(b);
  if (x === undefined || y === undefined || y === 0) {
    return undefined;
  }
  return ((frac[1] === '-' ? -1 : 1) * x) / y;
}

/** Equal after normalisation, or equal as numbers (0.5, 1/2 and \frac{1}{2} match). */
export function answersMatch(answer: string, reference: string): boolean {
  const a = normaliseAnswer(answer);
  const b = normaliseAnswer(reference);
  if (a === b) {
    return true;
  }
  const x = numberOf(a);
  const y = numberOf(b);
  return x !== undefined && y !== undefined && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

/** Grades rollouts by matching their final answers: one mark (the final answer) with its reason, score 1 or 0. */
export function gradeByAnswer(finalAnswer: string, rollouts: readonly Rollout[]): void {
  for (const r of rollouts) {
    const got = extractFinalAnswer(r.answer);
    const met = got !== undefined && answersMatch(got, finalAnswer);
    const reason =
      got === undefined ? 'The answer gives no final answer.' : met ? `"${got}" matches ${finalAnswer}.` : `"${got}" does not match ${finalAnswer}.`;
    r.marks = [{ criterion: 1, met, reason }];
    r.score = met ? 1 : 0;
  }
}

const exact = (x: number) => Math.round(x * 1e9) / 1e9;

/**
 * The counts rule as thresholds on the share of rollouts right (each scores 1 or 0): weak right at most `weakRightMax`
 * of `of` is a weak mean of at most weakRightMax/of; strong right at least `strongRightMin` of `of` a strong mean of at
 * least strongRightMin/of. No zero rules, no gap, no borderline band: the counts are the whole rule.
 */
export function answerMatchPolicy(t: AnswerMatchThresholds): PolicyThresholds {
  return {
    weakMeanMax: exact(t.weakRightMax / t.of),
    weakMeanStrict: false,
    weakBestMax: 1,
    weakNoZero: false,
    strongMeanMin: exact(t.strongRightMin / t.of),
    strongMeanMax: 1,
    strongNoZero: false,
    minGap: 0,
    borderlineMargin: 0,
  };
}

/** Rollouts right and measured, for feedback and records: "2 of 4". */
export function rightCount(rollouts: readonly Rollout[]): { right: number; measured: number } {
  const measured = rollouts.filter((r) => !r.failure && r.score !== undefined);
  return { right: measured.filter((r) => r.score === 1).length, measured: measured.length };
}

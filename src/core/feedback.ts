// The orchestrator's specific feedback to the Challenger after an attempt that was not accepted: the scores, the criteria
// met or missed with the judge's own reasons, and what the next question must do differently. One text per verdict path.
import { rightCount } from './answer-match';
import { learnability } from './learnability';
import { measuredScores } from './record';
import type { Challenge, Rollout, Verdict } from '../shared/schemas';

const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(2));
const NEW_ANGLE = 'Write an entirely new question from a different angle: do not rephrase an earlier question.';

function scores(rs: readonly Rollout[]): string {
  return rs.map((r) => (r.failure ? 'failed' : fmt(r.score))).join(', ');
}

const graded = (rs: readonly Rollout[]) => rs.filter((r) => r.marks && !r.failure);
const marked = (r: Rollout, n: number, met: boolean) => r.marks!.some((m) => m.criterion === n && m.met === met);

/** Criteria (1-based) of one sign whose mark is `met` in at least half of the graded rollouts. */
function criteriaWhere(c: Challenge, rs: readonly Rollout[], met: boolean, negative: boolean): number[] {
  const g = graded(rs);
  if (g.length === 0) {
    return [];
  }
  return c.rubric.map((_, i) => i + 1).filter((n) => !!c.rubric[n - 1].negative === negative && g.filter((r) => marked(r, n, met)).length * 2 >= g.length);
}

/** Each criterion with how often it was met or missed, quoting the judge's reason from one such rollout. */
function quoted(c: Challenge, rs: readonly Rollout[], ns: number[], met: boolean): string {
  if (ns.length === 0) {
    return '  (none)';
  }
  const g = graded(rs);
  return ns
    .map((n) => {
      const hits = g.filter((r) => marked(r, n, met));
      const reason = hits[0]
        ?.marks!.find((m) => m.criterion === n)
        ?.reason.trim()
        .slice(0, 240);
      return `  - ${c.rubric[n - 1].criterion} (${met ? 'met' : 'missed'} in ${hits.length} of ${g.length} rollouts${reason ? `; judge: "${reason}"` : ''})`;
    })
    .join('\n');
}

export interface FeedbackInput {
  challenge?: Challenge;
  verdict: Verdict;
  weak: readonly Rollout[];
  strong: readonly Rollout[];
  /** The quality check's reason, when it failed. */
  quality?: string;
  /** The near-duplicate the question repeats, when that is why it was rejected. */
  duplicate?: { id: string; question: string; similarity: number };
  /** The quality failure came from the final verification of an accepted item. */
  final?: boolean;
}

function verifiable(c: Challenge, solver: string, rs: readonly Rollout[]): string {
  const { right, measured } = rightCount(rs);
  const answers = graded(rs)
    .map((r) => r.marks![0]?.reason)
    .filter(Boolean)
    .slice(0, 4)
    .map((x) => `  - ${x}`)
    .join('\n');
  return `the ${solver} solver was right ${right} of ${measured} times (reference: ${c.finalAnswer})${answers ? `:\n${answers}` : ''}`;
}

function tooEasy(c: Challenge | undefined, f: FeedbackInput): string {
  const v = f.verdict;
  const skipped = f.strong.length === 0 ? ' (the strong solver was not run)' : `, the strong solver ${fmt(v.strongMean)}`;
  if (c?.finalAnswer !== undefined) {
    return `Too easy: ${verifiable(c, 'weak', f.weak)}\n${v.reasons.join('; ')}.\nThe next question must need more steps than a small model can carry, with a single checkable final answer.`;
  }
  return (
    `Too easy: the weak solver scored mean ${fmt(v.weakMean)} (rollouts: ${scores(f.weak)})${skipped}. ${v.reasons.join('; ')}.\n` +
    `Criteria the weak solver already meets, with the judge's reasons:\n${c ? quoted(c, f.weak, criteriaWhere(c, f.weak, true, false), true) : '  (none)'}\n` +
    'The next question must need reasoning a small model cannot shortcut: combine several ideas from the source, ask for a derivation, a counterfactual, or a judgement between alternatives.'
  );
}

function tooHard(c: Challenge | undefined, f: FeedbackInput): string {
  const v = f.verdict;
  const strongRan = measuredScores(f.strong).length > 0;
  // The policy's reasons name the solver that failed a rule; a weak zero alone is a weak-side failure.
  const strongFailed = strongRan && v.reasons.some((r) => /\bstrong\b/.test(r));
  if (!strongFailed) {
    const missed = c ? criteriaWhere(c, f.weak, false, false) : [];
    return (
      `Too hard for the weak solver: ${v.reasons.join('; ')} (weak rollouts: ${scores(f.weak)}, mean ${fmt(v.weakMean)})` +
      `${strongRan ? `; the strong solver scored mean ${fmt(v.strongMean)}` : '; the strong solver was not run'}.\n` +
      `Criteria most weak rollouts missed, with the judge's reasons:\n${c ? quoted(c, f.weak, missed, false) : '  (none)'}\n` +
      'A weak rollout scoring 0 leaves no variance to learn from: the next question should let a small model earn partial credit, with several steps each rewarded by its own criterion.'
    );
  }
  if (c?.finalAnswer !== undefined) {
    return `Failed on the strong solver: ${verifiable(c, 'strong', f.strong)}\n${v.reasons.join('; ')}.\nThe next question must have one unambiguous final answer that a capable expert reaches reliably.`;
  }
  const faults = c ? criteriaWhere(c, f.strong, true, true) : [];
  return (
    `Failed on the strong solver: strong mean ${fmt(v.strongMean)} (rollouts: ${scores(f.strong)}), weak mean ${fmt(v.weakMean)}, gap ${fmt(v.gap)}. ${v.reasons.join('; ')}.\n` +
    `Criteria the strong solver missed, with the judge's reasons:\n${c ? quoted(c, f.strong, criteriaWhere(c, f.strong, false, false), false) : '  (none)'}\n` +
    (faults.length && c ? `Faults the strong solver showed:\n${quoted(c, f.strong, faults, true)}\n` : '') +
    'The next question must be answerable from its own text by a capable expert; state the needed facts, and grade what the question actually asks.'
  );
}

function gapTooSmall(c: Challenge | undefined, f: FeedbackInput): string {
  const v = f.verdict;
  if (f.strong.length === 0) {
    return (
      `Too easy to separate: ${v.reasons.join('; ')} (weak rollouts: ${scores(f.weak)}); the strong solver was not run.\n` +
      `Criteria the weak solver already meets, with the judge's reasons:\n${c ? quoted(c, f.weak, criteriaWhere(c, f.weak, true, false), true) : '  (none)'}\n` +
      'The next question should hinge on a step that needs real expertise, with criteria that reward that step.'
    );
  }
  const both = c
    ? c.rubric
        .map((_, i) => i + 1)
        .filter((n) => !c.rubric[n - 1].negative && criteriaWhere(c, f.weak, true, false).includes(n) === criteriaWhere(c, f.strong, true, false).includes(n))
    : [];
  const weakMet = c ? both.filter((n) => criteriaWhere(c, f.weak, true, false).includes(n)) : [];
  const bothMissed = both.filter((n) => !weakMet.includes(n));
  return (
    `The solvers were not separated: weak mean ${fmt(v.weakMean)}, strong mean ${fmt(v.strongMean)}, gap ${fmt(v.gap)}. ${v.reasons.join('; ')}.\n` +
    `Criteria both solvers met, with the judge's reasons (weak rollouts):\n${c ? quoted(c, f.weak, weakMet, true) : '  (none)'}\n` +
    `Criteria both solvers missed, with the judge's reasons (strong rollouts):\n${c ? quoted(c, f.strong, bothMissed, false) : '  (none)'}\n` +
    'The next question should hinge on a step that needs real expertise, with criteria that reward that step.'
  );
}

function lowSpread(f: FeedbackInput): string {
  const l = learnability(measuredScores(f.weak));
  return (
    `The weak rollouts scored too alike to learn from (rollouts: ${scores(f.weak)}; std dev ${fmt(l?.weakStd)}). ${f.verdict.reasons.join('; ')}.\n` +
    "The next question should have several independent steps, each rewarded by its own criterion, so that a small model's attempts earn different partial credit."
  );
}

function loopJudged(v: Verdict): string {
  const l = v.loop!;
  return (
    `The loop judge asked for a better question: ${v.reasons.map((r) => r.replace(/\.$/, '')).join('; ')}.\n` +
    `Weak pattern: ${l.weak_pattern}\nGap: ${l.gap_interpretation}\nGRPO suitability: ${l.grpo_suitability}.`
  );
}

export function feedbackFor(f: FeedbackInput): string {
  const { challenge: c, verdict: v } = f;
  if (v.kind === 'accepted') {
    return 'Accepted.';
  }
  if (v.kind === 'borderline') {
    return `Borderline: sent to a person for review (${v.reasons.join('; ')}).`;
  }
  if (f.duplicate) {
    const reason = duplicateReason(f.duplicate);
    return `${reason[0].toUpperCase()}${reason.slice(1)}.\n${NEW_ANGLE}`;
  }
  let body: string;
  if (v.loop) {
    body = loopJudged(v);
  } else {
    switch (v.kind) {
      case 'too_easy':
        body = tooEasy(c, f);
        break;
      case 'too_hard':
        body = tooHard(c, f);
        break;
      case 'gap_too_small':
        body = gapTooSmall(c, f);
        break;
      case 'low_spread':
        body = lowSpread(f);
        break;
      case 'quality_failed':
        body = `${f.final ? 'The accepted item failed its final verification' : 'The question failed the quality check'}: ${f.quality ?? v.reasons.join('; ')}`;
        break;
      case 'failed':
        body = `The attempt could not be measured: ${v.reasons.join('; ')}. Prefer a question that can be answered fully in about 400 words.`;
        break;
    }
  }
  return `${body}\n${NEW_ANGLE}`;
}

/** Why a question was rejected as a near-duplicate (the verdict's reason, and the core of its feedback). */
export function duplicateReason(d: NonNullable<FeedbackInput['duplicate']>): string {
  return `the question is a near-duplicate (similarity ${d.similarity.toFixed(2)}) of ${d.id}: "${d.question.slice(0, 150)}". Ask about another mechanism, claim or consequence of the source, not a rewording`;
}

/** The note for the next Challenger prompt of a section whose borderline item a person rejected. */
export function personRejectedFeedback(reason: string): string {
  return `A person rejected the last question on this section: ${reason}`;
}

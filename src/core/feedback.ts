// The orchestrator's specific feedback to the Challenger after an attempt that was not accepted.
import type { Challenge, Rollout, Verdict } from '../shared/schemas';

const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(2));

/** Criteria (1-based) met by at least half of the graded rollouts. */
function mostlyMet(rollouts: readonly Rollout[], k: number): number[] {
  const graded = rollouts.filter((r) => r.marks);
  if (graded.length === 0) { return []; }
  return Array.from({ length: k }, (_, i) => i + 1)
    .filter((n) => graded.filter((r) => r.marks!.some((m) => m.criterion === n && m.met)).length * 2 >= graded.length);
}

function list(c: Challenge, ns: number[]): string {
  return ns.length ? ns.map((n) => `  - ${c.rubric[n - 1]?.criterion ?? `#${n}`}`).join('\n') : '  (none)';
}

function scores(rs: readonly Rollout[]): string {
  return rs.map((r) => (r.failure ? 'failed' : fmt(r.score))).join(', ');
}

export interface FeedbackInput { challenge?: Challenge; verdict: Verdict; weak: readonly Rollout[]; strong: readonly Rollout[]; quality?: string }

export function feedbackFor(f: FeedbackInput): string {
  const { challenge: c, verdict: v } = f;
  const k = c?.rubric.length ?? 0;
  const positives = (ns: number[]) => ns.filter((n) => c && !c.rubric[n - 1]?.negative);
  let body: string;
  switch (v.kind) {
    case 'too_easy': {
      const weakMet = c ? positives(mostlyMet(f.weak, k)) : [];
      body = `Too easy: the weak solver scored mean ${fmt(v.weakMean)} (rollouts: ${scores(f.weak)})${v.strongMean !== undefined ? `, the strong solver ${fmt(v.strongMean)}` : ''}. ${v.reasons.join('; ')}.\n`
        + `Criteria the weak solver already meets:\n${c ? list(c, weakMet) : ''}\n`
        + 'The next question must need reasoning a small model cannot shortcut: combine several ideas from the source, ask for a derivation, a counterfactual, or a judgement between alternatives.';
      break;
    }
    case 'too_hard': {
      const strongMet = c ? mostlyMet(f.strong, k) : [];
      const missed = c ? positives(Array.from({ length: k }, (_, i) => i + 1).filter((n) => !strongMet.includes(n))) : [];
      body = `Failed on the strong solver: strong mean ${fmt(v.strongMean)} (rollouts: ${scores(f.strong)}), weak mean ${fmt(v.weakMean)}, gap ${fmt(v.gap)}. ${v.reasons.join('; ')}.\n`
        + `Criteria the strong solver missed:\n${c ? list(c, missed) : ''}\n`
        + 'The next question must be answerable from its own text by a capable expert; state the needed facts, and grade what the question actually asks.';
      break;
    }
    case 'gap_too_small': {
      const weakMet = c ? mostlyMet(f.weak, k) : [];
      const strongMet = c ? mostlyMet(f.strong, k) : [];
      const same = c ? positives(Array.from({ length: k }, (_, i) => i + 1).filter((n) => weakMet.includes(n) === strongMet.includes(n))) : [];
      body = `The solvers were not separated: weak mean ${fmt(v.weakMean)}, strong mean ${fmt(v.strongMean)}, gap ${fmt(v.gap)}. ${v.reasons.join('; ')}.\n`
        + `Criteria that did not separate them (both met or both missed):\n${c ? list(c, same) : ''}\n`
        + 'The next question should hinge on a step that needs real expertise, with criteria that reward that step.';
      break;
    }
    case 'quality_failed':
      body = `The question failed the quality check: ${f.quality ?? v.reasons.join('; ')}`;
      break;
    case 'failed':
      body = `The attempt could not be measured: ${v.reasons.join('; ')}. Prefer a question that can be answered fully in about 400 words.`;
      break;
    default:
      body = v.reasons.join('; ');
  }
  return `${body}\nWrite an entirely new question from a different angle: do not rephrase an earlier question.`;
}

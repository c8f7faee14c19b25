// The calibration numbers, from the panel's state: how often each judge's verdict agrees with the person's review
// decisions (with a Wilson 95% interval), and Cohen's κ between the two judges' marks per criterion. No DOM.
import { callOf, cohenKappa } from '../src/shared/agreement';
import { wilsonInterval, type RateInterval } from '../src/shared/wilson';
import type { JudgeRole, VerdictKind } from '../src/shared/schemas';
import type { AttemptView, PanelState } from './view-model';

export interface JudgeAgreement {
  judge: JudgeRole;
  model: string | undefined;
  /** Labels where this judge accepted or rejected (not left to the person), and how many of them the person agreed with. */
  agree: (RateInterval & { count: number; of: number }) | undefined;
  /** Labels where this judge's verdict was borderline: it left the call to the person. */
  undecided: number;
}

export interface CriterionKappa {
  /** The criterion's number in its rubric (1-based), or 'all' for every criterion together. */
  criterion: number | 'all';
  /** Rollout-criterion pairs both judges marked, and how many they marked alike. */
  pairs: number;
  same: number;
  /** Undefined when chance agreement is 1 (both judges gave one same mark throughout). */
  kappa: number | undefined;
}

export interface Calibration {
  /** The person's decisions in review (approvals, edits, rejections). */
  labels: number;
  judges: JudgeAgreement[];
  /** Empty without a second judge. */
  kappa: CriterionKappa[];
}

/** What each judge said of a reviewed item: its verdict kind (the Judge's alone was borderline, else the item would not wait). */
function verdictsOf(a: AttemptView): Partial<Record<JudgeRole, VerdictKind>> {
  const judges = a.record?.judges ?? a.verdict?.judges;
  return judges ? { judge: judges.first, judge2: judges.second } : { judge: 'borderline' };
}

export function calibration(state: PanelState): Calibration {
  const tally = { judge: { decided: 0, agreed: 0, undecided: 0 }, judge2: { decided: 0, agreed: 0, undecided: 0 } };
  let labels = 0;
  let second = false;
  const byCriterion = new Map<number, Array<[boolean, boolean]>>();
  for (const a of state.attempts.values()) {
    for (const r of [...a.weak.rollouts, ...a.strong.rollouts]) {
      if (!r.marks || !r.judge2) {
        continue;
      }
      second = true;
      for (const m of r.marks) {
        const other = r.judge2.marks.find((x) => x.criterion === m.criterion);
        if (other) {
          const list = byCriterion.get(m.criterion) ?? [];
          list.push([m.met, other.met]);
          byCriterion.set(m.criterion, list);
        }
      }
    }
    if (!a.review) {
      continue;
    }
    labels++;
    const person = a.review.decision === 'approved' ? 'accept' : 'reject';
    for (const [judge, kind] of Object.entries(verdictsOf(a)) as Array<[JudgeRole, VerdictKind]>) {
      second ||= judge === 'judge2';
      const call = callOf(kind);
      const t = tally[judge];
      if (call === 'review') {
        t.undecided++;
      } else {
        t.decided++;
        t.agreed += call === person ? 1 : 0;
      }
    }
  }
  const models = state.started?.models;
  const judges: JudgeAgreement[] = (second ? (['judge', 'judge2'] as const) : (['judge'] as const)).map((judge) => {
    const { agreed, decided, undecided } = tally[judge];
    const interval = wilsonInterval(agreed, decided);
    return { judge, model: models?.[judge], agree: interval && { count: agreed, of: decided, ...interval }, undecided };
  });
  const row = (criterion: number | 'all', pairs: Array<[boolean, boolean]>): CriterionKappa => ({
    criterion,
    pairs: pairs.length,
    same: pairs.filter(([x, y]) => x === y).length,
    kappa: cohenKappa(pairs),
  });
  const numbers = [...byCriterion.keys()].sort((x, y) => x - y);
  const kappa = numbers.length
    ? [
        ...numbers.map((n) => row(n, byCriterion.get(n)!)),
        row(
          'all',
          numbers.flatMap((n) => byCriterion.get(n)!),
        ),
      ]
    : [];
  return { labels, judges, kappa };
}

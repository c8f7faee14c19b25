// Rebuilds a run's state from its journal, so it can go on after a crash or reload without redoing finished calls.
import type { EngineEvent } from '../shared/events';
import type { PoolEventBody } from './recipe-pool';
import type { Challenge, DatasetRecord, QualityReport, Rollout, SourceRange, Target, Usage, Verdict } from '../shared/schemas';

export interface AttemptMemory {
  question: string;
  angle: string;
  /** Only the verdict's kind: the Challenger's prompt names it, and a long run keeps one memory per attempt. */
  verdict: Pick<Verdict, 'kind'>;
  feedback: string;
}

/** An attempt that was interrupted after its challenge: what of it can be reused. */
export interface PendingAttempt {
  attemptId: string;
  iteration: number;
  challenge: Challenge;
  quoteRange?: SourceRange;
  quality?: QualityReport;
  /** The final verification of the measured question, when it ran before the interruption. */
  verified?: QualityReport;
  /** Graded rollouts (only those whose judging finished). */
  weak?: Rollout[];
  strong?: Rollout[];
  /** Solver answers journaled before their grades: judged on resume, never asked for again. */
  answers?: { weak?: Rollout[]; strong?: Rollout[] };
}

export interface ResumePoint {
  runId: string;
  lastSeq: number;
  documentSha256: string;
  targets: Array<Pick<Target, 'id' | 'title' | 'range'>>;
  /** Targets that need nothing more (accepted, handed to review, or out of attempts). */
  done: Set<string>;
  histories: Map<string, AttemptMemory[]>;
  /** Attempts started per target. */
  iterations: Map<string, number>;
  /** Every attempt id started, so new attempts take ids of their own. */
  attemptIds: Set<string>;
  pending: Map<string, PendingAttempt>;
  accepted: DatasetRecord[];
  review: DatasetRecord[];
  attempts: number;
  usage: Record<string, Usage>;
  finished: boolean;
  /** Reasons a person gave for rejecting borderline items, for the next Challenger prompt of their sections. */
  notes: Array<{ text: string; targetId: string }>;
  /** The latest recipe the run learned, if it learned one. */
  recipe?: { text: string; version: number };
  /** The recipe evolution's events, in order: the candidate pool is rebuilt from them. */
  recipePool?: PoolEventBody[];
}

export class NotResumableError extends Error {}

/** Every run's events before its journal ends: a resume point built one event at a time, so a journal can be streamed. */
export class ResumeFold {
  private p: ResumePoint | undefined;
  private readonly targetOf = new Map<string, string>();
  private readonly challenges = new Map<string, Challenge>();
  private readonly feedback = new Map<string, string>();
  private readonly verdicts = new Map<string, Verdict>();

  add(e: EngineEvent): void {
    if (!this.p) {
      if (e.type !== 'run_started') {
        return;
      }
      this.p = {
        runId: e.runId,
        lastSeq: 0,
        documentSha256: e.document.sha256,
        targets: e.targets,
        done: new Set(),
        histories: new Map(),
        iterations: new Map(),
        attemptIds: new Set(),
        pending: new Map(),
        accepted: [],
        review: [],
        attempts: 0,
        usage: {},
        finished: false,
        notes: [],
      };
    }
    const p = this.p;
    const { targetOf, challenges, feedback, verdicts } = this;
    const history = (t: string) => {
      const h = p.histories.get(t) ?? [];
      p.histories.set(t, h);
      return h;
    };
    /** An attempt's item is journaled: its section is done and nothing of it is pending. */
    const settle = (attemptId: string) => {
      const t = targetOf.get(attemptId) ?? '';
      p.done.add(t);
      p.pending.delete(t);
      return t;
    };
    p.lastSeq = Math.max(p.lastSeq, e.seq);
    switch (e.type) {
      case 'attempt_started':
        targetOf.set(e.attemptId, e.targetId);
        p.attemptIds.add(e.attemptId);
        p.iterations.set(e.targetId, Math.max(p.iterations.get(e.targetId) ?? 0, e.iteration));
        p.attempts++;
        p.pending.set(e.targetId, { attemptId: e.attemptId, iteration: e.iteration } as PendingAttempt);
        break;
      case 'challenge': {
        challenges.set(e.attemptId, e.challenge);
        const pend = p.pending.get(targetOf.get(e.attemptId) ?? '');
        if (pend?.attemptId === e.attemptId) {
          pend.challenge = e.challenge;
          pend.quoteRange = e.quoteRange ?? pend.quoteRange;
        }
        break;
      }
      case 'quality': {
        const pend = p.pending.get(targetOf.get(e.attemptId) ?? '');
        if (pend?.attemptId === e.attemptId) {
          // After the grades, a check is the final verification of the measured question.
          if (pend.weak) {
            pend.verified = e.report;
          } else {
            pend.quality = e.report;
          }
        }
        break;
      }
      case 'rollouts': {
        const pend = p.pending.get(targetOf.get(e.attemptId) ?? '');
        if (pend?.attemptId === e.attemptId) {
          pend.answers = { ...pend.answers, [e.solver]: e.rollouts };
        }
        break;
      }
      case 'grades': {
        const pend = p.pending.get(targetOf.get(e.attemptId) ?? '');
        if (pend?.attemptId === e.attemptId) {
          pend[e.solver] = e.rollouts;
        }
        break;
      }
      case 'verdict': {
        verdicts.set(e.attemptId, e.verdict);
        // An accepted or borderline verdict is done only once its item is journaled; until then it is taken up again.
        if (e.verdict.kind !== 'accepted' && e.verdict.kind !== 'borderline') {
          p.pending.delete(e.targetId);
        }
        break;
      }
      case 'feedback': {
        feedback.set(e.attemptId, e.text);
        const c = challenges.get(e.attemptId);
        history(e.targetId).push({
          question: c?.question ?? '(no valid question)',
          angle: c?.angle ?? '',
          verdict: { kind: verdicts.get(e.attemptId)!.kind },
          feedback: e.text,
        });
        break;
      }
      case 'item_accepted':
        p.accepted.push(e.record);
        settle(e.attemptId);
        break;
      case 'review_decision': {
        p.review = p.review.filter((r) => r.id !== `${p.runId}:${e.attemptId}`);
        if (e.decision === 'rejected') {
          // A person sent the section back: it is open again, with their reason for the Challenger.
          p.done.delete(e.targetId);
          p.notes.push({ targetId: e.targetId, text: `A person rejected the last question on this section: ${e.reason ?? ''}` });
        }
        break;
      }
      case 'review_needed': {
        p.review.push(e.record);
        const t = settle(e.attemptId);
        history(t).push({
          question: e.record.question,
          angle: challenges.get(e.attemptId)?.angle ?? '',
          verdict: { kind: verdicts.get(e.attemptId)!.kind },
          feedback: 'Borderline: sent to a person for review.',
        });
        break;
      }
      case 'target_finished':
        if (e.outcome === 'exhausted') {
          p.done.add(e.targetId);
        }
        break;
      case 'usage':
        p.usage[e.role] = e.totals;
        break;
      case 'recipe_updated':
        p.recipe = { text: e.recipe, version: e.version };
        break;
      case 'recipe_proposed':
      case 'recipe_evaluated':
      case 'recipe_refused':
        (p.recipePool ??= []).push(e);
        break;
      case 'run_finished':
        p.finished = e.outcome === 'completed';
        break;
      default:
        break;
    }
  }

  /** The resume point of the events added so far. */
  result(): ResumePoint {
    const p = this.p;
    if (!p) {
      throw new NotResumableError('the journal has no run_started event');
    }
    const out: ResumePoint = {
      ...p,
      pending: new Map([...p.pending].map(([t, pend]) => [t, { ...pend }])),
      iterations: new Map(p.iterations),
      recipePool: p.recipePool && [...p.recipePool],
    };
    // Interrupted attempts are taken up again under their own id; one that had no challenge yet is simply asked again.
    for (const [t, pend] of out.pending) {
      out.iterations.set(t, pend.iteration - 1);
      out.attempts--;
      if (!pend.challenge) {
        out.pending.delete(t);
      }
    }
    return out;
  }
}

export function resumePoint(events: readonly EngineEvent[]): ResumePoint {
  const fold = new ResumeFold();
  for (const e of events) {
    fold.add(e);
  }
  return fold.result();
}

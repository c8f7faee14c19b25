// What a run has done so far (events, attempts, histories, items, notes, usage, the recipe): fresh, or from a resume point.
import type { Challenge, DatasetRecord, Role } from '../shared/schemas';
import { AskedQuestions, type KnownQuestions } from './asked-questions';
import type { AttemptOutcome } from './recipe';
import { RecipePool } from './recipe-pool';
import type { AttemptMemory, ResumePoint } from './resume';
import { UsageMeter } from './usage';

export interface RunStateInput {
  dedupeThreshold: number;
  /** Whether the accepted items are kept for the summary (default true); a long CLI run counts them only. */
  keepItems?: boolean;
  /** Questions already in the dataset, for the near-duplicate check: a list, or an index kept outside the run. */
  knownQuestions?: ReadonlyArray<{ id: string; question: string }> | KnownQuestions;
  /** The recipe the run starts from, and its version. */
  recipe?: string;
  recipeVersion?: number;
  resume?: ResumePoint;
}

export class RunState {
  /** The last event's sequence number. */
  seq = 0;
  /** Attempts started (an interrupted one taken up again counts once). */
  attempts = 0;
  readonly usage = new UsageMeter();
  /** The accepted items, unless the run was told not to keep them (`keepItems: false`); `acceptedCount` counts them all. */
  readonly accepted: DatasetRecord[] = [];
  acceptedCount = 0;
  private readonly keepItems: boolean;
  readonly review: DatasetRecord[] = [];
  /** Notes for the next Challenger prompt: of one target, or (without a target) of whichever target asks next. */
  readonly notes: Array<{ text: string; targetId?: string }> = [];
  /** Every target's attempts so far, so a target sent back by a person continues with its history. */
  readonly histories = new Map<string, AttemptMemory[]>();
  /** Attempts started per target. */
  readonly iterations = new Map<string, number>();
  /** Every attempt id the run has used (an attempt that did not count leaves its iteration to a new id). */
  readonly attemptIds = new Set<string>();
  /** Challenges that may still be edited, by attempt, until the next step starts. */
  readonly editable = new Map<string, Challenge>();
  /** Questions of the dataset and of this run, for the near-duplicate check. */
  readonly asked: AskedQuestions;
  recipe: string;
  recipeVersion: number;
  /** Outcomes since the recipe was last learned from. */
  readonly batch: AttemptOutcome[] = [];
  /** The candidate recipes of the recipe evolution (kept across a resume). */
  readonly pool = new RecipePool();
  /** Tokens per target (all its attempts), the cost of the item it yields. */
  private readonly targetUsage = new Map<string, UsageMeter>();

  constructor(i: RunStateInput) {
    const known = i.knownQuestions;
    this.asked = new AskedQuestions(i.dedupeThreshold, known && 'similarTo' in known ? known : undefined);
    for (const q of known && !('similarTo' in known) ? known : []) {
      this.asked.add(q.id, q.question);
    }
    this.keepItems = i.keepItems ?? true;
    this.recipe = i.recipe ?? '';
    this.recipeVersion = i.recipeVersion ?? 0;
    const r = i.resume;
    if (!r) {
      return;
    }
    for (const [t, h] of r.histories) {
      // A finished section's questions are the dataset's (accepted) or let go, as in the run it resumes.
      if (!r.done.has(t)) {
        h.forEach((m, n) => this.asked.add(`${t}#${n + 1}`, m.question, t));
      }
    }
    this.seq = r.lastSeq;
    this.attempts = r.attempts;
    for (const item of r.accepted) {
      this.accept(item);
    }
    this.review.push(...r.review);
    for (const [t, h] of r.histories) {
      this.histories.set(t, [...h]);
    }
    for (const [t, n] of r.iterations) {
      this.iterations.set(t, n);
    }
    for (const id of r.attemptIds) {
      this.attemptIds.add(id);
    }
    for (const [role, u] of Object.entries(r.usage)) {
      this.usage.add(role as Role, u);
    }
    for (const n of r.notes) {
      this.notes.push(n);
    }
    for (const e of r.recipePool ?? []) {
      this.pool.apply(e);
    }
  }

  /** An item is accepted: counted, and kept for the summary unless the run keeps none. */
  accept(item: DatasetRecord): void {
    this.acceptedCount++;
    if (this.keepItems) {
      this.accepted.push(item);
    }
  }

  /** The target's history, kept in the state so later attempts (and a requeue) add to the same list. */
  historyOf(targetId: string): AttemptMemory[] {
    const h = this.histories.get(targetId) ?? [];
    this.histories.set(targetId, h);
    return h;
  }

  /** The target's usage meter; it counts into the run's. */
  usageOf(targetId: string): UsageMeter {
    const u = this.targetUsage.get(targetId) ?? new UsageMeter(this.usage);
    this.targetUsage.set(targetId, u);
    return u;
  }

  /**
   * A target that is done for good (its item accepted, or out of iterations) keeps nothing here but its attempt ids:
   * only a borderline item's target can be sent back, so a long run's memory does not grow with the targets it has
   * finished. Its questions leave the near-duplicate memory, the accepted one (`accepted`) once the dataset holds it.
   */
  forget(targetId: string, accepted?: { id: string; itemId: string }): void {
    this.histories.delete(targetId);
    this.targetUsage.delete(targetId);
    this.asked.finishTarget(targetId, accepted);
  }

  /** The notes for this target's next Challenger prompt, joined; they are used up. */
  takeNotes(targetId: string): string {
    const mine = this.notes.filter((n) => !n.targetId || n.targetId === targetId);
    for (const n of mine) {
      this.notes.splice(this.notes.indexOf(n), 1);
    }
    return mine.map((n) => n.text).join('\n');
  }
}

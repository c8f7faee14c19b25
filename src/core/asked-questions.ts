// The questions already asked (the dataset's and this run's), and why a new one is a near-duplicate of one of them.
import { QuestionIndex } from './similarity';

/** Questions asked before this run (the dataset's), kept and indexed outside it (src/run/near-duplicate-index.ts). */
export interface KnownQuestions {
  similarTo(question: string, threshold: number): { id: string; score: number; question: string } | undefined;
  /** Whether the dataset holds the item with this id: an accepted question is then checked there, not kept twice. */
  has?(id: string): boolean;
}

/**
 * What a new question is checked against: the dataset (the `known` questions, which take in this run's accepted items as
 * they are written) and the questions of this run's sections still in progress, rejected ones included, so a section
 * does not ask the same thing twice. A finished section's questions are let go (`finishTarget`): its accepted question
 * once the dataset holds it, the others at once, so a long run's memory is that of the sections it is working on.
 */
export class AskedQuestions {
  private readonly index: QuestionIndex | undefined;
  private readonly text = new Map<string, string>();
  /** The ids asked on each section in progress. */
  private readonly byTarget = new Map<string, string[]>();
  /** Accepted questions of finished sections, kept until the dataset holds their item (id → the item's id). */
  private readonly handingOver = new Map<string, string>();

  /** A threshold of 0 turns the check off: nothing is kept and nothing is a near-duplicate. */
  constructor(
    private readonly threshold: number,
    private readonly known?: KnownQuestions,
  ) {
    this.index = threshold > 0 ? new QuestionIndex(threshold) : undefined;
  }

  /** Questions held by this run (not the dataset's), for tests and benchmarks. */
  get size(): number {
    return this.index?.size ?? 0;
  }

  /** A question asked on `targetId` (kept until that section finishes), or one with no section (kept for the run). */
  add(id: string, question: string, targetId?: string): void {
    if (!this.index) {
      return;
    }
    this.index.add(id, question);
    this.text.set(id, question);
    if (targetId !== undefined) {
      const ids = this.byTarget.get(targetId) ?? [];
      ids.push(id);
      this.byTarget.set(targetId, ids);
    }
  }

  /**
   * The section is done for good. Its questions are let go, except the accepted one (`accepted`: its question's id and
   * its item's id), which stays until the dataset holds that item: until then only this run knows it. Without a
   * dataset that says which items it holds, the accepted question stays for the run.
   */
  finishTarget(targetId: string, accepted?: { id: string; itemId: string }): void {
    const ids = this.byTarget.get(targetId) ?? [];
    this.byTarget.delete(targetId);
    for (const id of ids) {
      if (id !== accepted?.id) {
        this.drop(id);
      }
    }
    if (accepted && this.known?.has && this.text.has(accepted.id)) {
      this.handingOver.set(accepted.id, accepted.itemId);
    }
    this.handOver();
  }

  /** Lets go of the accepted questions the dataset now holds. */
  private handOver(): void {
    for (const [id, itemId] of this.handingOver) {
      if (this.known!.has!(itemId)) {
        this.handingOver.delete(id);
        this.drop(id);
      }
    }
  }

  private drop(id: string): void {
    this.index?.remove(id);
    this.text.delete(id);
  }

  /** Why a question is a near-duplicate of one asked before, or undefined. No model call. */
  duplicateOf(question: string): string | undefined {
    if (!this.index) {
      return undefined;
    }
    const own = this.index.mostSimilar(question);
    const earlier = this.known?.similarTo(question, this.threshold);
    const hit = earlier && (!own || earlier.score >= own.score) ? earlier : own;
    if (!hit) {
      return undefined;
    }
    const other = (hit === earlier ? earlier.question : (this.text.get(hit.id) ?? '')).slice(0, 150);
    return `the question is a near-duplicate (similarity ${hit.score.toFixed(2)}) of ${hit.id}: "${other}". Ask about another mechanism, claim or consequence of the source, not a rewording`;
  }
}

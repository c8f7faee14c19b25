// The questions already asked (the dataset's and this run's), and why a new one is a near-duplicate of one of them.
import { QuestionIndex } from './similarity';

/** Questions asked before this run (the dataset's), kept and indexed outside it (src/run/near-duplicate-index.ts). */
export interface KnownQuestions {
  similarTo(question: string, threshold: number): { id: string; score: number; question: string } | undefined;
}

export class AskedQuestions {
  private readonly index: QuestionIndex | undefined;
  private readonly text = new Map<string, string>();

  /** A threshold of 0 turns the check off: nothing is kept and nothing is a near-duplicate. */
  constructor(
    private readonly threshold: number,
    private readonly known?: KnownQuestions,
  ) {
    this.index = threshold > 0 ? new QuestionIndex(threshold) : undefined;
  }

  add(id: string, question: string): void {
    if (!this.index) {
      return;
    }
    this.index.add(id, question);
    this.text.set(id, question);
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

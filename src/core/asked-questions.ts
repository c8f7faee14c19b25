// The questions already asked (the dataset's and this run's), and why a new one is a near-duplicate of one of them.
import { QuestionIndex } from './similarity';

export class AskedQuestions {
  private readonly index: QuestionIndex | undefined;
  private readonly text = new Map<string, string>();

  /** A threshold of 0 turns the check off: nothing is kept and nothing is a near-duplicate. */
  constructor(threshold: number) {
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
    const hit = this.index?.mostSimilar(question);
    if (!hit) {
      return undefined;
    }
    const other = (this.text.get(hit.id) ?? '').slice(0, 150);
    return `the question is a near-duplicate (similarity ${hit.score.toFixed(2)}) of ${hit.id}: "${other}". Ask about another mechanism, claim or consequence of the source, not a rewording`;
  }
}

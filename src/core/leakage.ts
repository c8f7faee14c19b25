// Leakage and contamination, checked locally before any solver call: a question whose text already holds its reference
// answer teaches nothing, and a question that repeats a benchmark's text would leak that benchmark into training.
//
// Text is compared as lower-case words (letters and digits in any script), so punctuation, case and line wrapping do
// not hide an overlap. Benchmark n-grams are kept as 52-bit hashes: a false match needs a collision among them, rare
// enough at millions of n-grams (about n²/2⁵³).

/** Word n-grams shared by a question and its reference answer: at or above this share of the answer's, it leaks. */
export const ANSWER_LEAK_SHARE = 0.4;
/** Word n-gram length for the answer-leak check. */
export const ANSWER_NGRAM = 8;
/** Word n-gram length for benchmark overlap (the length GPT-3's and later contamination studies use). */
export const BENCHMARK_NGRAM = 13;

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function ngrams(ws: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= ws.length; i++) {
    out.push(ws.slice(i, i + n).join(' '));
  }
  return out;
}

export interface AnswerLeak {
  /** Share of the reference answer's word n-grams that appear in the question. */
  share: number;
  /** The longest run of the answer's words that the question repeats verbatim. */
  longest: string;
}

/** How much of the reference answer the question already states; undefined for answers too short to compare. */
export function answerOverlap(question: string, reference: string, n = ANSWER_NGRAM): AnswerLeak | undefined {
  const ref = words(reference);
  const q = words(question);
  if (ref.length < n) {
    return undefined;
  }
  const inQuestion = new Set(ngrams(q, n));
  const refGrams = ngrams(ref, n);
  const shared = refGrams.map((g) => inQuestion.has(g));
  const share = shared.filter(Boolean).length / refGrams.length;
  // The longest run of consecutive shared n-grams spans (run + n - 1) words.
  let best = -1;
  let bestLen = 0;
  let start = 0;
  for (let i = 0; i <= shared.length; i++) {
    if (i === shared.length || !shared[i]) {
      if (i - start > bestLen) {
        bestLen = i - start;
        best = start;
      }
      start = i + 1;
    }
  }
  return { share, longest: best < 0 ? '' : ref.slice(best, best + bestLen + n - 1).join(' ') };
}

/** Feedback for the Challenger when the question gives its own answer away, or undefined. */
export function answerLeakProblem(question: string, reference: string, maxShare = ANSWER_LEAK_SHARE): string | undefined {
  const o = answerOverlap(question, reference);
  if (!o || o.share < maxShare) {
    return undefined;
  }
  const quoted = o.longest.split(' ').slice(0, 20).join(' ');
  return `the question already states ${Math.round(o.share * 100)}% of the reference answer word for word (e.g. "${quoted}${o.longest.split(' ').length > 20 ? '…' : ''}"): ask for what the context does not say`;
}

/** FNV-1a over the string, two 32-bit lanes combined into one 52-bit integer (exact in a double). */
function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 2 ** 20 + ((b >>> 0) & 0xfffff);
}

export interface BenchmarkHit {
  benchmark: string;
  ngram: string;
}

/** The word 13-grams of the benchmark files a person names, to refuse questions that repeat them. */
export class BenchmarkIndex {
  private readonly grams = new Map<number, number>();
  private readonly names: string[] = [];
  constructor(readonly n = BENCHMARK_NGRAM) {}

  get size(): number {
    return this.grams.size;
  }
  get benchmarks(): readonly string[] {
    return this.names;
  }

  /** Adds one benchmark's text (a whole file, or one line of it at a time under the same name). */
  add(name: string, text: string): void {
    let id = this.names.indexOf(name);
    if (id < 0) {
      id = this.names.push(name) - 1;
    }
    const ws = words(text);
    for (let i = 0; i + this.n <= ws.length; i++) {
      const h = hash52(ws.slice(i, i + this.n).join(' '));
      if (!this.grams.has(h)) {
        this.grams.set(h, id);
      }
    }
  }

  /** The first n-gram of the text found in a benchmark, or undefined. */
  find(text: string): BenchmarkHit | undefined {
    const ws = words(text);
    for (let i = 0; i + this.n <= ws.length; i++) {
      const g = ws.slice(i, i + this.n).join(' ');
      const id = this.grams.get(hash52(g));
      if (id !== undefined) {
        return { benchmark: this.names[id], ngram: g };
      }
    }
    return undefined;
  }
}

/** Feedback when a question, its reference answer or its rubric repeats a benchmark, or undefined. */
export function benchmarkProblem(index: BenchmarkIndex | undefined, question: string, reference: string): string | undefined {
  if (!index || index.size === 0) {
    return undefined;
  }
  const hit = index.find(question) ?? index.find(reference);
  return hit
    ? `the question or its answer repeats ${index.n} consecutive words of the benchmark ${hit.benchmark} ("${hit.ngram}"): write one that does not come from a benchmark`
    : undefined;
}

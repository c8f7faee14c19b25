// Near-duplicate questions: word n-gram Jaccard similarity on normalized text, and an inverted index to query it fast.
//
// Jaccard (shared n-grams over all n-grams of the two) rather than containment (shared over the smaller set): it is
// symmetric, so which question came first does not matter, and a short generic question ("Explain the method.") is
// not a "duplicate" of every long question that happens to contain its words. Two questions that repeat the same
// long context passage but ask different things also score lower than under containment. What n-gram similarity
// catches is near-copies (a relabelled, re-punctuated or lightly edited question, or one with a clause added); a
// paraphrase in other words scores low, which needs embeddings, not n-grams.

export interface SimilarityOptions {
  /** Words per n-gram (default 3). */
  n?: number;
}

export const DEFAULT_NGRAM = 3;

/** Leading labels that say nothing about the question: "Q12:", "Question 3.", "Task 2 -", and "12)", "3.", "(b)". */
const LABELS = [
  /^\s*(?:q|question|problem|exercise|task)\s*\d+[a-z]?\s*(?:[:.)\]–—-](?!\d))?\s*/iu,
  // A bare number is a label only with punctuation after it that does not start a decimal ("1.5 times" stays).
  /^\s*(?:\d+[a-z]?[:.)\]]|\(?[a-z]\))(?!\d)\s*/iu,
];

/** Lowercased words without punctuation and without a leading label ("Q12: What is X?" → "what is x"). */
export function normalizeQuestion(text: string): string {
  let t = text.normalize('NFKC');
  // Twice, for "Q3: (a) …".
  for (let i = 0; i < 2; i++) {
    const m = LABELS.map((r) => r.exec(t)).find((x) => x !== null);
    if (!m) {
      break;
    }
    t = t.slice(m[0].length);
  }
  return t
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The text's word n-grams, as 53-bit hashes. A text shorter than n words becomes one gram of all its words, so it
 * matches only the same short text (under Jaccard, a two-word text is never close to a long one anyway).
 */
export function ngramHashes(text: string, opts: SimilarityOptions = {}): Set<number> {
  const n = opts.n ?? DEFAULT_NGRAM;
  const words = normalizeQuestion(text).split(' ').filter(Boolean);
  const out = new Set<number>();
  if (words.length === 0) {
    return out;
  }
  const size = Math.min(n, words.length);
  // The size goes into the hash, so a short text's single gram cannot equal a full-size gram of another text.
  for (let i = 0; i + size <= words.length; i++) {
    out.add(hash53(`${size}\u0001${words.slice(i, i + size).join(' ')}`));
  }
  return out;
}

/** Jaccard similarity of two gram sets, 0..1 (two empty sets: 0, nothing to compare). */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (a.size === 0 || b.size === 0) {
    return 0;
  }
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const g of small) {
    if (large.has(g)) {
      shared++;
    }
  }
  return shared / (a.size + b.size - shared);
}

/** Jaccard similarity of two sorted arrays of distinct grams (the persisted index's form), 0..1. */
export function jaccardSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) {
    return 0;
  }
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i] < b[j]) {
      i++;
    } else {
      j++;
    }
  }
  return shared / (a.length + b.length - shared);
}

/** Similarity of two questions: Jaccard of their normalized word n-grams. */
export function questionSimilarity(a: string, b: string, opts: SimilarityOptions = {}): number {
  return jaccard(ngramHashes(a, opts), ngramHashes(b, opts));
}

export interface SimilarMatch {
  id: string;
  score: number;
}

/**
 * Questions seen so far, queried for the most similar one at or above a threshold. An inverted index from gram to
 * entries gives the candidates; with prefix filtering only the rarest |Q| − ⌈t·|Q|⌉ + 1 grams of a query need their
 * lists read (an entry sharing none of them shares fewer than t·|Q| grams, so its Jaccard is below t), and a length
 * filter drops entries whose size alone rules them out. Each candidate is then scored exactly. Entries can be removed,
 * so an index whose owner drops what it no longer needs stays the size of what it holds.
 */
export class QuestionIndex {
  /** Entry number (in the order added) → its id and grams, sorted: a typed array holds them in a tenth of a Set's memory. */
  private readonly entries = new Map<number, { id: string; grams: Float64Array }>();
  /** Id → its entry number. */
  private readonly byId = new Map<string, number>();
  /** Gram → the entries holding it: most grams belong to one entry, kept as the bare number (no array for it). */
  private readonly postings = new Map<number, number | number[]>();
  private next = 0;
  private candidates = 0;

  constructor(
    readonly threshold: number,
    private readonly opts: SimilarityOptions = {},
  ) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new RangeError(`the similarity threshold must be above 0 and at most 1, not ${threshold}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }
  /** Distinct grams held (for tests: it drops to 0 when every entry is removed). */
  get gramCount(): number {
    return this.postings.size;
  }
  /** Entries scored by the last query: how much work the index saved over a scan (for tests and benchmarks). */
  get lastCandidates(): number {
    return this.candidates;
  }

  /** Adds a question under `id`, in place of the one it held before. */
  add(id: string, text: string): void {
    this.remove(id);
    const set = ngramHashes(text, this.opts);
    const at = this.next++;
    this.entries.set(at, { id, grams: Float64Array.from(set).sort() });
    this.byId.set(id, at);
    for (const g of set) {
      const list = this.postings.get(g);
      if (list === undefined) {
        this.postings.set(g, at);
      } else if (typeof list === 'number') {
        this.postings.set(g, [list, at]);
      } else {
        list.push(at);
      }
    }
  }

  /** Removes the entry under `id` (nothing when there is none). */
  remove(id: string): void {
    const at = this.byId.get(id);
    const entry = at === undefined ? undefined : this.entries.get(at);
    if (at === undefined || !entry) {
      return;
    }
    this.byId.delete(id);
    this.entries.delete(at);
    for (const g of entry.grams) {
      const list = this.postings.get(g);
      if (list === at) {
        this.postings.delete(g);
      } else if (Array.isArray(list)) {
        const rest = list.filter((x) => x !== at);
        this.postings.set(g, rest.length === 1 ? rest[0] : rest);
      }
    }
  }

  private postingsOf(g: number): readonly number[] {
    const list = this.postings.get(g);
    return list === undefined ? [] : typeof list === 'number' ? [list] : list;
  }

  private postingCount(g: number): number {
    const list = this.postings.get(g);
    return list === undefined ? 0 : typeof list === 'number' ? 1 : list.length;
  }

  /** The most similar entry scoring at least the threshold (ties: the earliest added), or undefined. */
  mostSimilar(text: string): SimilarMatch | undefined {
    const q = ngramHashes(text, this.opts);
    this.candidates = 0;
    if (q.size === 0) {
      return undefined;
    }
    const sorted = Float64Array.from(q).sort();
    const t = this.threshold;
    const rarest = [...q].sort((a, b) => this.postingCount(a) - this.postingCount(b));
    const prefix = rarest.slice(0, q.size - Math.ceil(t * q.size - 1e-9) + 1);
    const minSize = t * q.size - 1e-9;
    const maxSize = q.size / t + 1e-9;
    const seen = new Set<number>();
    let best: SimilarMatch | undefined;
    let bestAt = Infinity;
    for (const g of prefix) {
      for (const at of this.postingsOf(g)) {
        if (seen.has(at)) {
          continue;
        }
        seen.add(at);
        const entry = this.entries.get(at)!;
        const size = entry.grams.length;
        if (size < minSize || size > maxSize) {
          continue;
        }
        this.candidates++;
        const score = jaccardSorted(sorted, entry.grams);
        if (score >= t - 1e-12 && (!best || score > best.score || (score === best.score && at < bestAt))) {
          best = { id: entry.id, score };
          bestAt = at;
        }
      }
    }
    return best;
  }
}

/** FNV-1a twice with different offsets, combined into 53 bits: collisions are negligible for any realistic corpus. */
function hash53(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

// Near-duplicate questions: normalization, n-gram Jaccard scores on realistic pairs, and the inverted index at 10,000 entries.
import assert from 'node:assert/strict';
import { jaccard, ngramHashes, normalizeQuestion, QuestionIndex, questionSimilarity } from '../../../src/core/similarity';

const BASE = 'Why does sparse attention reduce the quadratic cost of self-attention, and which long-range dependencies can it lose?';
const THRESHOLD = 0.6;

describe('question similarity', () => {
  describe('normalization', () => {
    it('lowercases, drops punctuation, collapses whitespace and strips a leading label', () => {
      assert.equal(normalizeQuestion('Q12:  What is   Self-Attention?'), 'what is self attention');
      assert.equal(normalizeQuestion('Question 3. Why?'), 'why');
      assert.equal(normalizeQuestion('Task 2 - Derive the bound.'), 'derive the bound');
      assert.equal(normalizeQuestion('12) Explain it.'), 'explain it');
      assert.equal(normalizeQuestion('(b) Explain it.'), 'explain it');
      assert.equal(normalizeQuestion('Q3: (a) Explain it.'), 'explain it');
      assert.equal(normalizeQuestion('ＱＵＥＳＴＩＯＮ 4： Explain it.'), 'explain it', 'full-width forms fold (NFKC)');
    });

    it('keeps what only looks like a label', () => {
      assert.equal(normalizeQuestion('1.5 times faster: why?'), '1 5 times faster why');
      assert.equal(normalizeQuestion('Questions about X remain.'), 'questions about x remain');
      assert.equal(normalizeQuestion('Q-learning converges when?'), 'q learning converges when');
    });
  });

  describe('scores', () => {
    it('scores a relabelled, re-punctuated copy as identical', () => {
      assert.equal(
        questionSimilarity(
          `Q12: ${BASE}`,
          'Question 3. why does sparse attention reduce the quadratic cost of self attention and which long range dependencies can it lose',
        ),
        1,
      );
    });

    it('puts near-copies above the default threshold: one word changed, or a sentence added', () => {
      const oneWord = questionSimilarity(BASE, BASE.replace('reduce', 'cut'));
      const added = questionSimilarity(BASE, `${BASE} Give an example of a task where this matters.`);
      assert.ok(oneWord >= THRESHOLD, `one word: ${oneWord}`);
      assert.ok(added >= THRESHOLD, `added sentence: ${added}`);
    });

    it('puts different questions on the same topic below it, even when they repeat the same context', () => {
      const context = 'Consider a transformer that restricts each token to a local window of 128 positions plus 4 global tokens that attend everywhere.';
      const pairs: Array<[string, string]> = [
        [BASE, 'Compare local window attention with global tokens: which kinds of information does each preserve in long documents?'],
        ['Explain how sparse attention reduces the cost of attention.', 'How does restricting each token to a subset of positions make attention cheaper?'],
        [`${context} Why would such a model still handle document-level coreference?`, `${context} What is its asymptotic memory cost in sequence length?`],
      ];
      for (const [a, b] of pairs) {
        const s = questionSimilarity(a, b);
        assert.ok(s < THRESHOLD, `${s}: ${a} / ${b}`);
      }
    });

    it('is symmetric and 0 for texts with nothing to compare', () => {
      const a = 'What limits the batch size in data-parallel training of large models?';
      const b = 'What limits the batch size in data-parallel training of small models?';
      assert.equal(questionSimilarity(a, b), questionSimilarity(b, a));
      assert.equal(questionSimilarity('', ''), 0);
      assert.equal(questionSimilarity('?!', BASE), 0);
      assert.equal(jaccard(new Set(), new Set([1])), 0);
    });

    it('falls back to one gram of all the words for texts shorter than n', () => {
      assert.equal(ngramHashes('Define entropy.').size, 1);
      assert.equal(questionSimilarity('Define entropy.', 'Q1: define ENTROPY'), 1);
      assert.equal(questionSimilarity('Define entropy.', 'Define enthalpy.'), 0);
      // A short text's one gram never equals a full-size gram of a longer text.
      assert.equal(questionSimilarity('define entropy', 'define entropy in thermodynamics'), 0);
      assert.equal(ngramHashes('a b c d e', { n: 2 }).size, 4);
      assert.equal(questionSimilarity('one two', 'one two', { n: 5 }), 1);
    });
  });

  describe('QuestionIndex', () => {
    it('finds the most similar question at or above the threshold, and nothing below it', () => {
      const index = new QuestionIndex(THRESHOLD);
      index.add('a', BASE);
      index.add('b', 'Compare local window attention with global tokens in long documents.');
      index.add('c', `${BASE} Give an example of a task where this matters.`);
      assert.deepEqual(index.mostSimilar(`Q7: ${BASE}`), { id: 'a', score: 1 });
      // Close to both a (0.65) and c (0.86): the closer one wins.
      const near = index.mostSimilar(`${BASE} Give an example of a task where it matters.`);
      assert.equal(near?.id, 'c');
      assert.ok(Math.abs(near!.score - 6 / 7) < 1e-9, String(near?.score));
      assert.equal(index.mostSimilar('What is the capital of France, and why did it move there?'), undefined);
      assert.equal(index.mostSimilar(''), undefined);
      assert.equal(index.size, 3);
    });

    it('returns the earliest entry on a tie', () => {
      const index = new QuestionIndex(0.5);
      index.add('first', BASE);
      index.add('second', BASE);
      assert.equal(index.mostSimilar(BASE)?.id, 'first');
    });

    it('forgets a removed entry, keeps the others that share its grams, and holds nothing once all are removed', () => {
      const index = new QuestionIndex(0.5);
      const other = `${BASE} Give an example of a task where this matters.`;
      index.add('a', BASE);
      index.add('b', other);
      index.add('c', 'Compare local window attention with global tokens in long documents.');
      index.remove('a');
      assert.equal(index.mostSimilar(BASE)?.id, 'b', 'the entry sharing its grams is still found');
      index.remove('b');
      assert.equal(index.mostSimilar(BASE), undefined);
      index.remove('b');
      index.remove('never-added');
      assert.equal(index.size, 1);
      // Adding under an id that is there replaces its question.
      index.add('c', BASE);
      assert.equal(index.mostSimilar('Compare local window attention with global tokens in long documents.'), undefined);
      assert.equal(index.mostSimilar(BASE)?.id, 'c');
      index.remove('c');
      assert.equal(index.size, 0);
      assert.equal(index.gramCount, 0, 'no gram is left behind');
    });

    it('refuses a threshold outside (0, 1]', () => {
      assert.throws(() => new QuestionIndex(0), RangeError);
      assert.throws(() => new QuestionIndex(1.2), RangeError);
      assert.doesNotThrow(() => new QuestionIndex(1));
    });

    it('answers like a full scan over 10,000 questions while scoring only a few candidates per query', function () {
      this.timeout(60_000);
      // Deterministic questions from a Zipf-like vocabulary, so common grams ("of the", "what is the") are common.
      let seed = 42;
      const rand = () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 2 ** 32;
      };
      const vocab = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
      const stems = ['what is the', 'explain why the', 'how does the', 'compare the', 'derive the', 'why would a'];
      const word = () => vocab[Math.floor(vocab.length * rand() ** 3)];
      const question = () => `${stems[Math.floor(rand() * stems.length)]} ${Array.from({ length: 12 + Math.floor(rand() * 25) }, word).join(' ')}?`;
      const N = 10_000;
      const texts = Array.from({ length: N }, question);
      const index = new QuestionIndex(THRESHOLD);
      texts.forEach((t, i) => index.add(`q${i}`, t));
      assert.equal(index.size, N);

      const grams = texts.map((t) => ngramHashes(t));
      const scan = (q: string) => {
        const g = ngramHashes(q);
        let best: { id: string; score: number } | undefined;
        grams.forEach((e, i) => {
          const s = jaccard(g, e);
          if (s >= THRESHOLD && (!best || s > best.score)) {
            best = { id: `q${i}`, score: s };
          }
        });
        return best;
      };
      const queries: Array<{ text: string; from?: string }> = [];
      for (let k = 0; k < 150; k++) {
        const i = Math.floor(rand() * N);
        const words = texts[i].split(' ');
        words[3 + Math.floor(rand() * (words.length - 4))] = 'changed';
        queries.push({ text: `Q${k}: ${words.join(' ')}`, from: `q${i}` });
      }
      for (let k = 0; k < 150; k++) {
        queries.push({ text: question() });
      }
      let candidates = 0;
      let found = 0;
      for (const q of queries) {
        const got = index.mostSimilar(q.text);
        candidates += index.lastCandidates;
        assert.deepEqual(got, scan(q.text), q.text);
        if (q.from && got?.id === q.from) {
          found++;
        }
      }
      assert.ok(found >= 140, `near-copies found: ${found} of 150`);
      const perQuery = candidates / queries.length;
      assert.ok(perQuery < N / 100, `scored ${perQuery.toFixed(1)} candidates per query of ${N} entries`);
    });
  });
});

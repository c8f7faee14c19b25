// Answer leakage and benchmark overlap, checked before any solver call.
import assert from 'node:assert/strict';
import { answerLeakProblem, answerOverlap, BenchmarkIndex, benchmarkProblem } from '../../../src/core/leakage';

const ANSWER =
  'Sparse attention keeps a few global tokens that attend to every position, so information crosses the sequence in two hops while the cost stays linear in its length.';

describe('leakage', () => {
  it('finds an answer the question already states, through case, punctuation and line wrapping', () => {
    const q = `Context: the authors note that sparse attention keeps a few GLOBAL tokens that attend to every position,\nso information crosses the sequence in two hops — while the cost stays linear in its length. Why does this matter?`;
    const problem = answerLeakProblem(q, ANSWER);
    assert.ok(problem, 'a leak');
    assert.match(problem, /already states 100% of the reference answer/);
    assert.match(problem, /"sparse attention keeps a few global tokens/);
  });

  it('lets a question that shares the topic but not the answer through', () => {
    const q =
      'Sparse attention restricts which positions attend to which. Explain how a model with such a pattern can still pass information between distant tokens, and what it costs.';
    assert.equal(answerLeakProblem(q, ANSWER), undefined);
    assert.ok(answerOverlap(q, ANSWER)!.share < 0.1);
  });

  it('draws the line at the share of the answer repeated', () => {
    const half = ANSWER.split(' ').slice(0, 14).join(' ');
    const o = answerOverlap(`Given that ${half}, explain the rest.`, ANSWER)!;
    assert.ok(o.share > 0.2 && o.share < 0.4, `share ${o.share}`);
    assert.equal(answerLeakProblem(`Given that ${half}, explain the rest.`, ANSWER), undefined);
    assert.ok(answerLeakProblem(`Given that ${half}, explain the rest.`, ANSWER, 0.2));
    assert.equal(answerOverlap('Why?', 'Because.'), undefined, 'too short to compare');
  });

  it('refuses a question that repeats 13 words of a named benchmark, and names it', () => {
    const index = new BenchmarkIndex();
    index.add('mmlu.jsonl', 'Which of the following best describes the role of the global tokens in a sparse transformer layer?');
    index.add('gsm8k.jsonl', 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.');
    const copied = 'Question: which of the following best describes the role of the global tokens in a sparse transformer layer? Explain.';
    const hit = index.find(copied);
    assert.deepEqual(hit, { benchmark: 'mmlu.jsonl', ngram: 'which of the following best describes the role of the global tokens in' });
    assert.match(benchmarkProblem(index, copied, ANSWER)!, /benchmark mmlu\.jsonl/);
    assert.match(benchmarkProblem(index, 'What happened?', 'Natalia sold clips to 48 of her friends in April and then she sold half')!, /gsm8k\.jsonl/);
    // Twelve words in common are not enough.
    const twelve = 'which of the following best describes the role of the global tokens';
    assert.equal(twelve.split(' ').length, 12);
    assert.equal(index.find(`${twelve} when attention is dense?`), undefined);
    assert.equal(benchmarkProblem(undefined, copied, ANSWER), undefined);
  });
});

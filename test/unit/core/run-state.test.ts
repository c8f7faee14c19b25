// A run's state on its own: fresh, or taken up from a resume point, with its notes and near-duplicate memory.
import assert from 'node:assert/strict';
import type { AttemptMemory, ResumePoint } from '../../../src/core/resume';
import type { KnownQuestions } from '../../../src/core/asked-questions';
import { RunState } from '../../../src/core/run-state';
import { questionSimilarity } from '../../../src/core/similarity';
import type { DatasetRecord } from '../../../src/shared/schemas';

const Q1 = 'Why does sparse attention reduce the quadratic cost of self-attention, and which long-range dependencies can it lose?';
const Q2 = 'How do local windows and a few global tokens divide the work of carrying syntax and document-level information?';
const KNOWN = 'What happens to gradient noise when the batch size doubles while the learning rate stays fixed during warm-up?';

const memory = (question: string, kind: 'too_easy' | 'too_hard'): AttemptMemory => ({
  question,
  angle: `angle of ${kind}`,
  verdict: { kind },
  feedback: `feedback ${kind}`,
});
const item = (id: string) => ({ id }) as DatasetRecord;

function point(): ResumePoint {
  return {
    runId: 'run-1',
    lastSeq: 41,
    documentSha256: 'a'.repeat(64),
    targets: [],
    done: new Set(['t3']),
    histories: new Map([['t1', [memory(Q1, 'too_easy'), memory(Q2, 'too_hard')]]]),
    iterations: new Map([
      ['t1', 2],
      ['t3', 1],
    ]),
    attemptIds: new Set(['t1.1', 't1.2', 't3.1']),
    pending: new Map(),
    accepted: [item('run-1:t3.1')],
    review: [item('run-1:t2.4')],
    attempts: 7,
    usage: { weak: { promptTokens: 100, completionTokens: 50, calls: 2 }, challenger: { promptTokens: 30, completionTokens: 20, calls: 1 } },
    finished: false,
    notes: [{ targetId: 't2', text: 'A person rejected the last question on this section: vague' }],
  };
}

describe('run state', () => {
  it('starts empty, with the recipe it is given', () => {
    const s = new RunState({ dedupeThreshold: 0.6, recipe: '- Ask why.', recipeVersion: 3 });
    assert.deepEqual([s.seq, s.attempts, s.accepted.length, s.review.length, s.notes.length, s.histories.size], [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(s.usage.total(), { promptTokens: 0, completionTokens: 0, calls: 0 });
    assert.deepEqual([s.recipe, s.recipeVersion], ['- Ask why.', 3]);
    assert.deepEqual([new RunState({ dedupeThreshold: 0 }).recipe, new RunState({ dedupeThreshold: 0 }).recipeVersion], ['', 0]);
  });

  it('goes on from a resume point: sequence, attempts, items, histories, iterations, usage and notes', () => {
    const r = point();
    const s = new RunState({ dedupeThreshold: 0.6, resume: r });
    assert.equal(s.seq, 41);
    assert.equal(s.attempts, 7);
    assert.deepEqual(
      s.accepted.map((x) => x.id),
      ['run-1:t3.1'],
    );
    assert.deepEqual(
      s.review.map((x) => x.id),
      ['run-1:t2.4'],
    );
    assert.deepEqual(
      s.historyOf('t1').map((m) => m.verdict.kind),
      ['too_easy', 'too_hard'],
    );
    assert.deepEqual(
      [...s.iterations],
      [
        ['t1', 2],
        ['t3', 1],
      ],
    );
    assert.deepEqual(s.usage.byRole, {
      weak: { promptTokens: 100, completionTokens: 50, calls: 2 },
      challenger: { promptTokens: 30, completionTokens: 20, calls: 1 },
    });
    assert.equal(s.takeNotes('t2'), 'A person rejected the last question on this section: vague');
    // The state is the run's own: what it adds leaves the resume point as it was read from the journal.
    s.accepted.push(item('run-1:t1.3'));
    s.historyOf('t1').push(memory('Q3', 'too_easy'));
    s.usage.add('weak', { promptTokens: 1, completionTokens: 1, calls: 1 });
    assert.equal(r.accepted.length, 1);
    assert.equal(r.histories.get('t1')!.length, 2);
    assert.deepEqual(r.usage.weak, { promptTokens: 100, completionTokens: 50, calls: 2 });
    assert.equal(r.notes.length, 1);
  });

  it("counts a target's tokens into the run's, per target", () => {
    const s = new RunState({ dedupeThreshold: 0, resume: point() });
    s.usageOf('t1').add('judge', { promptTokens: 10, completionTokens: 5, calls: 1 });
    s.usageOf('t1').add('weak', { promptTokens: 4, completionTokens: 4, calls: 1 });
    s.usageOf('t2').add('judge', { promptTokens: 1, completionTokens: 1, calls: 1 });
    assert.deepEqual(s.usageOf('t1').total(), { promptTokens: 14, completionTokens: 9, calls: 2 });
    assert.deepEqual(s.usage.byRole.judge, { promptTokens: 11, completionTokens: 6, calls: 2 });
    assert.deepEqual(s.usage.byRole.weak, { promptTokens: 104, completionTokens: 54, calls: 3 });
  });

  it("forgets a finished target's history and meter, keeping its tokens in the run's and other targets' histories", () => {
    const s = new RunState({ dedupeThreshold: 0 });
    s.historyOf('t1').push(memory(Q2, 'too_easy'));
    s.historyOf('t2').push(memory(KNOWN, 'too_hard'));
    s.usageOf('t1').add('judge', { promptTokens: 10, completionTokens: 5, calls: 1 });
    s.forget('t1');
    assert.deepEqual([...s.histories.keys()], ['t2']);
    assert.deepEqual(s.historyOf('t1'), []);
    assert.deepEqual(s.usageOf('t1').total(), { promptTokens: 0, completionTokens: 0, calls: 0 });
    assert.deepEqual(s.usage.byRole.judge, { promptTokens: 10, completionTokens: 5, calls: 1 });
    assert.equal(s.historyOf('t2').length, 1);
  });

  it('rejects a question close to one the dataset holds or the resumed run asked, naming it', () => {
    const s = new RunState({ dedupeThreshold: 0.6, knownQuestions: [{ id: 'old-run:t9.1', question: KNOWN }], resume: point() });
    assert.match(s.asked.duplicateOf(`Q7: ${Q2}`) ?? '', /near-duplicate \(similarity 1\.00\) of t1#2: "How do local windows/);
    assert.match(s.asked.duplicateOf(KNOWN.toUpperCase()) ?? '', /of old-run:t9\.1/);
    assert.equal(s.asked.duplicateOf('Which optimiser keeps momentum stable when the curve flattens near the end of training?'), undefined);
    s.asked.add('t2.1', 'Which optimiser keeps momentum stable when the curve flattens near the end of training?');
    assert.match(s.asked.duplicateOf('Which optimiser keeps momentum stable when the curve flattens near the end of training?') ?? '', /of t2\.1/);
    // A threshold of 0 turns the check off.
    const off = new RunState({ dedupeThreshold: 0, knownQuestions: [{ id: 'k', question: KNOWN }], resume: point() });
    assert.equal(off.asked.duplicateOf(KNOWN), undefined);
    assert.equal(off.asked.duplicateOf(Q1), undefined);
  });

  it("lets a finished section's questions go: the rejected ones at once, the accepted one when the dataset holds its item", () => {
    const Q3 = 'Which optimiser keeps momentum stable when the curve flattens near the end of training?';
    const held = new Set<string>();
    const dataset: KnownQuestions = {
      // The dataset as the run layer keeps it: it finds what it holds, and says which items it holds.
      similarTo: (q, t) => {
        const hit = [...held].map((id) => ({ id, question: Q3, score: questionSimilarity(q, Q3) })).find((h) => h.score >= t);
        return hit;
      },
      has: (id) => held.has(id),
    };
    const s = new RunState({ dedupeThreshold: 0.6, knownQuestions: dataset });
    s.asked.add('t1.1', Q1, 't1');
    s.asked.add('t1.2', Q3, 't1');
    s.asked.add('t2.1', Q2, 't2');
    s.forget('t1', { id: 't1.2', itemId: 'run-1:t1.2' });
    assert.equal(s.asked.duplicateOf(Q1), undefined, "a finished section's rejected question is let go");
    assert.match(s.asked.duplicateOf(Q2) ?? '', /of t2\.1/, 'a section in progress keeps its questions');
    assert.match(s.asked.duplicateOf(Q3) ?? '', /of t1\.2/, 'the accepted question stays until the dataset holds its item');
    assert.equal(s.asked.size, 2);
    held.add('run-1:t1.2');
    s.forget('t2');
    assert.equal(s.asked.size, 0, 'nothing of a finished run is left in its own memory');
    assert.match(s.asked.duplicateOf(Q3) ?? '', /of run-1:t1\.2/, 'the accepted question is now found in the dataset');
    assert.equal(s.asked.duplicateOf(Q2), undefined);
    // A dataset given as a list says nothing of which items it holds: the accepted question stays for the run.
    const listed = new RunState({ dedupeThreshold: 0.6, knownQuestions: [{ id: 'k', question: KNOWN }] });
    listed.asked.add('t1.1', Q1, 't1');
    listed.forget('t1', { id: 't1.1', itemId: 'run-1:t1.1' });
    assert.match(listed.asked.duplicateOf(Q1) ?? '', /of t1\.1/);
  });

  it("does not take up a finished section's questions on resume, only those of sections still in progress", () => {
    const p = point();
    p.histories.set('t3', [memory(KNOWN, 'too_easy')]);
    const s = new RunState({ dedupeThreshold: 0.6, resume: p });
    assert.match(s.asked.duplicateOf(Q1) ?? '', /of t1#1/);
    assert.equal(s.asked.duplicateOf(KNOWN), undefined);
    s.forget('t1');
    assert.equal(s.asked.size, 0);
  });

  it('hands out each note once: a target gets its own notes and the notes for any target', () => {
    const s = new RunState({ dedupeThreshold: 0 });
    s.notes.push({ text: 'for t1', targetId: 't1' }, { text: 'for anyone' }, { text: 'for t2', targetId: 't2' });
    assert.equal(s.takeNotes('t1'), 'for t1\nfor anyone');
    assert.equal(s.takeNotes('t1'), '');
    assert.equal(s.takeNotes('t2'), 'for t2');
    assert.equal(s.notes.length, 0);
  });
});

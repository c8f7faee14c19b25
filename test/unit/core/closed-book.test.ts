// The closed-book probe: the strong solver answers the question without its context; an item it still solves does not
// need the document. The scripted strong solver knows a question's facts only from its context, unless the question is
// common knowledge, so sending the context (or the section holding it) to the probe would flag every item.
import assert from 'node:assert/strict';
import { CLOSED_BOOK_FLAG, closedBookQuestion, closedBookVerdict } from '../../../src/core/closed-book';
import type { EngineConfig } from '../../../src/core/config';
import { DatasetRecord, type Challenge } from '../../../src/shared/schemas';
import { MODELS, type ScriptedQuestion } from '../../fakes/scripted-roles';
import { ofType, startRun, Worlds } from '../../fakes/scripted-run';

// The context is a sentence of the section: a probe that sent the section would hand the solver its context.
const CONTEXT = 'Local windows keep syntax while a few global tokens carry document-level information.';
const DOC = `# Sparse attention\n\nSparse attention restricts each token to a subset of positions, which cuts the quadratic cost of attention to near-linear. The choice of pattern decides which long-range dependencies survive. ${CONTEXT} ${'More detail follows about the trade-offs of the method. '.repeat(8)}\n`;
const SCORES = { weak: [0.3, 0.4, 0.3], strong: [0.8, 0.8, 0.8] };
const COMMON: ScriptedQuestion = { ...SCORES, context: CONTEXT, knowledge: 'common' };
const GROUNDED: ScriptedQuestion = { ...SCORES, context: CONTEXT, knowledge: 'context' };

describe('closed-book probe', function () {
  this.timeout(20000);
  const worlds = new Worlds();
  afterEach(() => worlds.close());

  async function run(questions: ScriptedQuestion[], config: Partial<EngineConfig>) {
    const w = await worlds.world({ questions, config: { recipeEvery: 0, ...config } });
    const h = startRun(w, { document: { path: 'paper.md', text: DOC } });
    const summary = await h.run;
    // The probe is the strong solver's one-sample request; the rollouts ask for three.
    const probes = w.server.requests.filter((r) => r.model === MODELS.strong && r.n === 1);
    return { summary, events: h.events, probes, script: w.script };
  }

  it('rejects an item the strong solver answers without its context, and keeps one that needs the document', async () => {
    const { summary, events, probes, script } = await run([COMMON, GROUNDED], { closedBook: 'reject' });
    assert.equal(summary.outcome, 'completed');
    const verdicts = ofType(events, 'verdict').map((v) => v.verdict);
    assert.deepEqual(
      verdicts.map((v) => v.kind),
      ['quality_failed', 'accepted'],
    );
    assert.match(verdicts[0].reasons[0], /^closed_book_solved: the strong solver scored 0\.80 on the question without its context/);
    // The Challenger reads why, and the accepted item records the probe's score.
    assert.match(script.challengerPrompts[1], /closed_book_solved/);
    const rec = DatasetRecord.parse(summary.accepted[0]);
    assert.equal(rec.question.startsWith(CONTEXT), true, 'the item keeps its context');
    assert.deepEqual(rec.closedBook, { score: 0, solved: false });
    // Each probe asked the bare question: no context, no section text, no rubric or reference answer.
    assert.equal(probes.length, 2);
    for (const p of probes) {
      const text = JSON.stringify(p.messages);
      assert.match(text, /Q\d+: Scenario/);
      assert.equal(text.includes('Local windows keep syntax'), false);
      assert.equal(text.includes('Sparse attention restricts'), false);
      assert.equal(/q\d+-fact-\d/.test(text), false);
    }
  });

  it('sends a solved item to review instead, flagged, when set to review', async () => {
    const { summary } = await run([COMMON], { closedBook: 'review' });
    assert.equal(summary.accepted.length, 0);
    assert.equal(summary.review.length, 1);
    const rec = DatasetRecord.parse(summary.review[0]);
    assert.deepEqual(rec.closedBook, { score: 0.8, solved: true });
    assert.equal(rec.decision.borderline, true);
  });

  it('asks nothing more when off (the default)', async () => {
    const { summary, probes } = await run([COMMON], {});
    assert.equal(summary.accepted.length, 1);
    assert.equal(summary.accepted[0].closedBook, undefined);
    assert.equal(probes.length, 0);
  });

  it('leaves out the context only while the question still opens with it', () => {
    const c = { question: `${CONTEXT}\n\nQ1: Why?`, context: CONTEXT } as Challenge;
    assert.equal(closedBookQuestion(c), 'Q1: Why?');
    assert.equal(closedBookQuestion({ ...c, question: 'Q1: Rewritten by a person?' }), 'Q1: Rewritten by a person?');
    assert.equal(closedBookQuestion({ ...c, context: undefined }), c.question);
  });

  it('turns a solved probe into a rejection or a review, and leaves an unsolved one alone', () => {
    const accepted = { kind: 'accepted' as const, reasons: ['passes'], weakMean: 0.3, strongMean: 0.8, gap: 0.5 };
    assert.equal(closedBookVerdict('reject', accepted, { score: 0.2, solved: false }), undefined);
    assert.equal(closedBookVerdict('off', accepted, { score: 0.9, solved: true }), undefined);
    const rejected = closedBookVerdict('reject', accepted, { score: 0.9, solved: true })!;
    assert.equal(rejected.kind, 'quality_failed');
    assert.ok(rejected.reasons[0].startsWith(CLOSED_BOOK_FLAG));
    const review = closedBookVerdict('review', accepted, { score: 0.9, solved: true })!;
    assert.equal(review.kind, 'borderline');
    assert.equal(review.nearest, 'accepted');
    assert.equal(review.reasons.length, 2);
  });
});

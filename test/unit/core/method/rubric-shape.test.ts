// The rubric shape: the paper's by default, the positive-only variant as a setting, checked before any solver runs.
import assert from 'node:assert/strict';
import { localProblem } from '../../../../src/core/local-checks';
import { rubricRule, rubricShapeProblem } from '../../../../src/core/rubric-shape';
import type { RubricItem } from '../../../../src/shared/schemas';
import { MODELS } from '../../../fakes/scripted-roles';
import { closeWorlds, GOOD, ofType, run } from './harness';

const rubric = (positive: number, negative: number, weight = 2): RubricItem[] => [
  ...Array.from({ length: positive }, (_, i) => ({ criterion: `does ${i}`, weight, negative: false })),
  ...Array.from({ length: negative }, (_, i) => ({ criterion: `fault ${i}`, weight, negative: true })),
];

describe('method: rubric shape', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it("accepts the paper's shape and says exactly what is wrong with any other", () => {
    assert.equal(rubricShapeProblem(rubric(10, 3), 'paper'), undefined);
    assert.equal(rubricShapeProblem(rubric(4, 6), 'paper'), undefined, '10 criteria, 4 positive, 6 negative');
    assert.equal(
      rubricShapeProblem(rubric(6, 0), 'paper'),
      'the rubric has 6 criteria (6 positive, 0 negative); write 10–20 criteria, at least 4 positive and at least 3 negative, integer weights 1–10',
    );
    assert.match(rubricShapeProblem(rubric(18, 3), 'paper')!, /^the rubric has 21 criteria \(18 positive, 3 negative\); write 10–20/);
    assert.match(rubricShapeProblem(rubric(10, 2), 'paper')!, /^the rubric has only 2 negative criteria; write/);
    assert.match(rubricShapeProblem(rubric(3, 8), 'paper')!, /^the rubric has only 3 positive criteria; write/);
  });

  it('checks the positive-only variant: no negatives, weights up to 7', () => {
    assert.equal(rubricShapeProblem(rubric(12, 0, 7), 'positiveOnly'), undefined);
    assert.match(
      rubricShapeProblem(rubric(10, 3, 3), 'positiveOnly')!,
      /the rubric has 3 negative criteria where only positive ones are allowed; write 10–20 criteria, all positive, integer weights 1–7/,
    );
    const heavy = rubric(11, 0, 5);
    heavy[2] = { ...heavy[2], weight: 9 };
    assert.match(rubricShapeProblem(heavy, 'positiveOnly')!, /criteria 3 have weights outside 1–7 \(9\)/);
    assert.equal(rubricShapeProblem(heavy, 'paper') !== undefined, true, 'the paper shape also wants 3 negatives');
  });

  it("puts the same numbers in the Challenger's instruction", () => {
    assert.match(rubricRule('paper'), /10 to 15 criteria: 7 to 10 positive .* 3 to 5 negative .* integer weight from 1 to 10/);
    assert.match(rubricRule('positiveOnly'), /all positive .* integer weight from 1 to 7/);
  });

  it('runs the local checks in order: a scoring rubric, a quote in the source, then the shape (none for verifiable answers)', () => {
    assert.match(localProblem({ rubric: rubric(0, 3) } as never, { start: 0, end: 1 }, 'paper')!, /no positive criterion/);
    assert.match(localProblem({ rubric: rubric(6, 0) } as never, undefined, 'paper')!, /source quote does not appear/);
    assert.match(localProblem({ rubric: rubric(6, 0) } as never, { start: 0, end: 1 }, 'paper')!, /the rubric has 6 criteria/);
    assert.equal(localProblem({ rubric: rubric(1, 0) } as never, { start: 0, end: 1 }, undefined), undefined);
  });

  it('rejects a misshapen rubric before any model sees it, and the next Challenger prompt says what to write', async () => {
    const r = await run([{ ...GOOD, criteria: 6, negatives: 0 }, GOOD]);
    const v = ofType(r.events, 'verdict');
    assert.equal(v[0].verdict.kind, 'quality_failed');
    const verified = r.server.requests.filter((x) => x.model === MODELS.quality).map((x) => x.messages!.at(-1)!.content);
    assert.ok(verified.length >= 1 && verified.every((t) => /<question>\nQ2: /.test(t)), 'the verifier is asked only about the well-shaped second question');
    assert.equal(r.script.calls[MODELS.weak], 1);
    assert.match(
      r.script.challengerPrompts[1],
      /the rubric has 6 criteria \(6 positive, 0 negative\); write 10–20 criteria, at least 4 positive and at least 3 negative/,
    );
    assert.equal(r.summary.accepted.length, 1);
  });

  it('asks the Challenger for the configured shape, and holds it to that shape', async () => {
    const r = await run([GOOD, { ...GOOD, negatives: 0 }], { rubricShape: 'positiveOnly' });
    assert.match(r.script.challengerPrompts[0], /all positive \(what a good answer does, "negative": false\), each with an integer weight from 1 to 7/);
    assert.match(r.script.challengerPrompts[1], /3 negative criteria where only positive ones are allowed/);
    assert.equal(r.summary.accepted[0].question.startsWith('Q2'), true);
  });
});

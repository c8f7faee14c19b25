// Judging: one call per rollout by default, all at once, weak and strong never together, reasons kept, budget sized to
// the rubric; and a scripted world that notices an engine sending the wrong text.
import assert from 'node:assert/strict';
import { challenge, judge, judgeMaxTokens, solve } from '../../../../src/core/roles';
import { MODELS } from '../../../fakes/scripted-roles';
import { closeWorlds, GOOD, world } from './harness';

describe('method: judging', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it('grades each rollout in its own call, all in flight together, with a budget sized to the rubric', async () => {
    const w = await world([GOOD], {}, { judgeLatencyMs: 150 });
    const ctx = w.ctx();
    const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
    const weak = await solve(ctx, 'weak', c.question);
    const strong = await solve(ctx, 'strong', c.question);
    const before = w.server.maxInFlightSeen;
    w.server.maxInFlightSeen = 0;
    await judge(ctx, c, [...weak, ...strong]);
    const calls = w.server.requests.filter((r) => r.model === MODELS.judge);
    assert.equal(calls.length, 6);
    assert.ok(w.server.maxInFlightSeen >= 6, `in flight together: ${w.server.maxInFlightSeen} (before: ${before})`);
    assert.ok(calls.every((r) => (r.messages!.at(-1)!.content.match(/<answer label=/g) ?? []).length === 1));
    assert.equal(judgeMaxTokens(13, 1, 512), 200 + 40 + 13 * 60);
    assert.ok(
      calls.every((r) => r.body.max_tokens === judgeMaxTokens(13, 1, 512)),
      'sized to 13 criteria × 1 answer',
    );
    assert.deepEqual(
      weak.map((r) => r.score),
      [0.3, 0.4, 0.5],
    );
    assert.deepEqual(
      strong.map((r) => r.score),
      [0.8, 0.8, 0.9],
    );
  });

  it("keeps every criterion's reason on the rollout it grades", async () => {
    const w = await world([GOOD]);
    const ctx = w.ctx();
    const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
    const weak = await solve(ctx, 'weak', c.question);
    await judge(ctx, c, weak);
    const marks = weak[0].marks!;
    assert.equal(marks.length, 13);
    assert.deepEqual(marks.slice(2, 4), [
      { criterion: 3, met: true, reason: 'The answer states q1-fact-3.' },
      { criterion: 4, met: false, reason: 'The answer never states q1-fact-4.' },
    ]);
    assert.deepEqual(marks[10], { criterion: 11, met: false, reason: 'The answer never states q1-fault-1.' });
  });

  it('in batch mode grades one solver per call, with a budget for all its answers', async () => {
    const w = await world([GOOD], { judgeMode: 'batch' });
    const ctx = w.ctx();
    const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
    const rollouts = [...(await solve(ctx, 'weak', c.question)), ...(await solve(ctx, 'strong', c.question))];
    await judge(ctx, c, [rollouts[3], rollouts[0], rollouts[4], rollouts[1], rollouts[5], rollouts[2]]);
    const calls = w.server.requests.filter((r) => r.model === MODELS.judge).map((r) => ({ text: r.messages!.at(-1)!.content, max: r.body.max_tokens }));
    assert.equal(calls.length, 2);
    assert.ok(calls.every((x) => !(x.text.includes('WEAK#') && x.text.includes('STRONG#'))));
    assert.ok(calls.every((x) => x.max === judgeMaxTokens(13, 3, 512)));
    assert.deepEqual(
      rollouts.map((r) => r.score),
      [0.3, 0.4, 0.5, 0.8, 0.8, 0.9],
    );
  });

  it('would notice a solver shown the reference answer: it states every fact and scores 1', async () => {
    const w = await world([GOOD]);
    const ctx = w.ctx();
    const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
    const leaked = await solve(ctx, 'weak', `${c.question}\n${c.referenceAnswer}`);
    await judge(ctx, c, leaked);
    assert.deepEqual(
      leaked.map((r) => r.score),
      [1, 1, 1],
    );
  });

  it('would notice an engine that grades the wrong answer: marks follow the text the judge receives', async () => {
    const w = await world([GOOD]);
    const ctx = w.ctx();
    const c = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
    const weak = await solve(ctx, 'weak', c.question);
    const swapped = weak.map((r, i) => ({ ...r, answer: weak[(i + 1) % 3].answer }));
    await judge(ctx, c, swapped);
    assert.deepEqual(
      swapped.map((r) => r.score),
      [0.4, 0.5, 0.3],
    );
    const other = await challenge(ctx, { target: w.target, history: '', note: '', recipe: '' });
    const wrongRubric = weak.map((r) => ({ ...r, marks: undefined, score: undefined }));
    await judge(ctx, other, wrongRubric);
    assert.deepEqual(
      wrongRubric.map((r) => r.score),
      [0, 0, 0],
      "answers to Q1 meet none of Q2's criteria",
    );
  });
});

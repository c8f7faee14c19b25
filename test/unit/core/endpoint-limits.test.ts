// What an endpoint's replies teach its limiter: a 429 lowers the limit to what was open there when it came, answers
// raise it again step by step (never past the configured one), and `x-ratelimit-remaining-requests: 0` holds new
// requests until `x-ratelimit-reset-requests`.
import assert from 'node:assert/strict';
import { durationMs, limitLearningFetch } from '../../../src/core/endpoint-limits';
import { Limiter } from '../../../src/core/limiter';

/** A fetch whose replies the test releases one by one, each with the status and headers it names. */
function heldFetch() {
  const pending: Array<(r: Response) => void> = [];
  const f: typeof fetch = () => new Promise<Response>((resolve) => pending.push(resolve));
  const answer = (status: number, headers: Record<string, string> = {}) => pending.shift()!(new Response('{}', { status, headers }));
  return { f, answer, pending };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('endpoint limits learned from replies', () => {
  it('reads OpenAI reset durations', () => {
    assert.equal(durationMs('20ms'), 20);
    assert.equal(durationMs('1s'), 1000);
    assert.equal(durationMs('6m0s'), 360_000);
    assert.equal(durationMs('1h2m3.5s'), 3_723_500);
    assert.equal(durationMs('2'), 2000);
    assert.equal(durationMs('soon'), undefined);
    assert.equal(durationMs(null), undefined);
  });

  it('a 429 lowers the limit to the requests open when it came; answers raise it again up to the configured one', async () => {
    const limiter = new Limiter(8);
    const held = heldFetch();
    const f = limitLearningFetch(limiter, held.f);
    const replies = Array.from({ length: 6 }, () => f('http://x/v1/chat/completions'));
    await tick();
    assert.equal(held.pending.length, 6);
    held.answer(429, { 'retry-after': '1' });
    await replies[0];
    assert.equal(limiter.limit, 5, 'six were open: the endpoint took the other five');
    held.answer(429);
    await replies[1];
    assert.equal(limiter.limit, 4);
    for (let i = 0; i < 4; i++) {
      held.answer(200);
    }
    await Promise.all(replies);
    // Four rounds of answers at the learned limit before one more at once is tried.
    for (let i = 0; i < 4 * 4 - 4; i++) {
      limiter.answered();
    }
    assert.equal(limiter.limit, 5);
    for (let i = 0; i < 1000; i++) {
      limiter.answered();
    }
    assert.equal(limiter.limit, 8, 'never above the configured limit');
  });

  it('a 429 while earlier answers are still streaming counts them as open: their headers came, their slots are held', async () => {
    const limiter = new Limiter(8);
    const held = heldFetch();
    const f = limitLearningFetch(limiter, held.f);
    // Six streamed answers: each holds its limiter slot until its last token, though its headers (the fetch) came at once.
    const streams: Array<() => void> = [];
    const streaming = Array.from({ length: 6 }, () =>
      limiter.run(async () => {
        const headers = f('http://x/v1/chat/completions');
        await tick();
        held.answer(200);
        await headers;
        await new Promise<void>((done) => streams.push(done));
      }),
    );
    while (streams.length < 6) {
      await tick();
    }
    // A seventh request is refused while the six are still streaming.
    const refused = limiter.run(async () => {
      const r = f('http://x/v1/chat/completions');
      await tick();
      held.answer(429);
      await r;
    });
    await refused;
    assert.equal(limiter.limit, 6, 'seven were open (six streaming): the endpoint took six');
    streams.forEach((done) => done());
    await Promise.all(streaming);
  });

  it('no requests left in the window: new tasks wait for the reset', async () => {
    const limiter = new Limiter(4);
    const held = heldFetch();
    const f = limitLearningFetch(limiter, held.f);
    const first = f('http://x/v1/chat/completions');
    await tick();
    held.answer(200, { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '300ms' });
    await first;
    const t0 = Date.now();
    let started = 0;
    await limiter.run(async () => {
      started = Date.now();
    });
    assert.ok(started - t0 >= 250, `waited ${started - t0} ms for the window to reset`);
    assert.ok(limiter.loadWithOneMore() < 1, 'not held once the window reset');
  });
});

// A replica set aside comes back through one probe at a time; a probe that ends without saying whether the replica is
// up (aborted) or that the replica answered with a refusal (a 400) must not leave it set aside for the rest of the run.
import assert from 'node:assert/strict';
import { CallWatch, DEFAULT_OUTAGE } from '../../../src/core/call-watch';
import { Limiter } from '../../../src/core/limiter';
import { ModelError, type ChatModel, type ChatRequest, type ChatResult } from '../../../src/core/models';
import { ReplicaSet } from '../../../src/core/replicas';

const REPLY: ChatResult = { choices: [], promptTokens: 0, completionTokens: 0, calls: 1 };

/** A replica whose next replies the test sets: 'ok', an outage (503), a refusal of the request (400), or 'abort'. */
function replica(name: string) {
  const next: Array<'ok' | 'down' | 'refuse' | 'abort'> = [];
  const sent: string[] = [];
  const model: ChatModel = {
    model: 'm',
    endpoint: `http://${name}/v1`,
    complete: async (req: ChatRequest) => {
      sent.push(name);
      const what = next.shift() ?? 'ok';
      if (what === 'down') {
        throw new ModelError('server', `${name} is down`, 503);
      }
      if (what === 'refuse') {
        throw new ModelError('bad_request', 'the prompt is too long for this model', 400);
      }
      if (what === 'abort') {
        (req as { abort?: () => void }).abort?.();
        throw new ModelError('aborted', 'aborted');
      }
      return REPLY;
    },
  };
  return { model, next, sent };
}

describe('replica set probes', () => {
  function setup() {
    let clock = 1_000_000;
    const a = replica('a');
    const b = replica('b');
    const set = new ReplicaSet(
      [
        { model: a.model, limiter: new Limiter(4) },
        { model: b.model, limiter: new Limiter(4) },
      ],
      { firstRetryMs: 2_000, maxRetryMs: 30_000 },
      () => clock,
    );
    const stop = new AbortController();
    const watch = new CallWatch({
      emit: () => undefined,
      now: () => new Date(clock),
      signal: stop.signal,
      outage: DEFAULT_OUTAGE,
      interrupt: () => stop.abort(),
    });
    const model = watch.wrap('weak', set);
    const ask = (controller = new AbortController()) =>
      model.complete({ messages: [], signal: controller.signal, abort: () => controller.abort() } as unknown as ChatRequest);
    return { a, b, ask, later: (ms: number) => (clock += ms) };
  }

  /** Sets `a` aside: it goes down while `b` answers. */
  async function setAside(h: ReturnType<typeof setup>) {
    await h.ask(); // both answer once, so neither counts as a wrong base URL
    await h.ask();
    h.a.next.push('down');
    const tried = h.a.sent.length;
    // Equally free replicas take turns: of the next two requests one goes to a, fails there and is sent on to b.
    await h.ask();
    await h.ask();
    assert.equal(h.a.sent.length, tried + 1, 'a was tried once and failed');
    const before = h.a.sent.length;
    for (let i = 0; i < 4; i++) {
      await h.ask();
    }
    assert.equal(h.a.sent.length, before, 'a is set aside: nothing goes there');
  }

  it('a probe refused for what it asked (a 400) finds the replica answering: it is in use again', async () => {
    const h = setup();
    await setAside(h);
    h.later(2_500);
    h.a.next.push('refuse');
    await assert.rejects(h.ask(), /too long/);
    assert.equal(h.a.sent.at(-1), 'a', 'the probe went to a');
    const before = h.a.sent.length;
    for (let i = 0; i < 6; i++) {
      await h.ask();
    }
    assert.ok(h.a.sent.length - before >= 2, `a is used again (${h.a.sent.length - before} of 6)`);
  });

  it('an aborted probe leaves the replica due for another probe, not set aside for good', async () => {
    const h = setup();
    await setAside(h);
    h.later(2_500);
    h.a.next.push('abort');
    await assert.rejects(h.ask());
    assert.equal(h.a.sent.at(-1), 'a', 'the probe went to a');
    const before = h.a.sent.length;
    for (let i = 0; i < 6; i++) {
      await h.ask();
    }
    assert.ok(h.a.sent.length - before >= 2, `a is probed again and used (${h.a.sent.length - before} of 6)`);
  });
});

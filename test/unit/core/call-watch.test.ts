// The calls of a run end before the run does: a stopped attempt's other requests are waited for, and nothing is told
// of a call once the run has said its last word.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { CallWatch, DEFAULT_OUTAGE } from '../../../src/core/call-watch';
import { ModelError, type ChatModel, type ChatRequest, type ChatResult } from '../../../src/core/models';
import type { EventBody } from '../../../src/shared/events';

const REPLY: ChatResult = { choices: [], promptTokens: 0, completionTokens: 0, calls: 1 };

/** A model that answers after `ms`, or, once aborted, fails only after `abortLagMs` (as a slow transport does). */
function slowModel(ms: number, abortLagMs: number): ChatModel {
  return {
    model: 'm',
    endpoint: 'http://127.0.0.1:1/v1',
    complete: (req: ChatRequest) =>
      new Promise<ChatResult>((resolve, reject) => {
        const t = setTimeout(() => resolve(REPLY), ms);
        req.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          setTimeout(() => reject(new ModelError('aborted', 'aborted')), abortLagMs);
        });
      }),
  };
}

describe('call watch', () => {
  function watch() {
    const events: EventBody[] = [];
    const stop = new AbortController();
    const w = new CallWatch({ emit: (e) => events.push(e), now: () => new Date(), signal: stop.signal, outage: DEFAULT_OUTAGE, interrupt: () => stop.abort() });
    return { w, events, stop };
  }

  it('closes only once every request under way has ended, and each one is told as ended before that', async () => {
    const { w, events, stop } = watch();
    const model = w.wrap('weak', slowModel(10_000, 300));
    const calls = [0, 1, 2].map(() => model.complete({ messages: [], signal: stop.signal } as unknown as ChatRequest).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    const t0 = Date.now();
    await w.close(5_000);
    const waited = Date.now() - t0;
    assert.ok(waited >= 250, `waited ${waited} ms for the aborted requests to end`);
    assert.equal(events.filter((e) => e.type === 'call_started').length, 3);
    const ended = events.filter((e) => e.type === 'call_finished');
    assert.equal(ended.length, 3, 'every call ended before close returned');
    assert.ok(ended.every((e) => e.type === 'call_finished' && e.outcome === 'aborted'));
    await Promise.all(calls);
  });

  it('waits no longer than its limit for a request that ignores the stop, and tells nothing of it afterwards', async () => {
    const { w, events } = watch();
    const stuck: ChatModel = {
      model: 'm',
      endpoint: 'http://127.0.0.1:1/v1',
      complete: () => new Promise((r) => setTimeout(() => r(REPLY), 600)),
    };
    const late = w.wrap('judge', stuck).complete({ messages: [] } as unknown as ChatRequest);
    const t0 = Date.now();
    await w.close(100);
    assert.ok(Date.now() - t0 < 500, 'bounded by its limit');
    const told = events.length;
    await late;
    assert.equal(events.length, told, 'no call_finished after the close');
    assert.equal(told, 1);
  });

  it('returns at once when nothing is under way', async () => {
    const { w } = watch();
    const t0 = Date.now();
    await w.close(5_000);
    assert.ok(Date.now() - t0 < 50);
  });
  it('gives each request its own signal: the run stops it, and a finished request leaves nothing on the run', async () => {
    const { w, stop } = watch();
    const seen: AbortSignal[] = [];
    // Composes as the OpenAI SDK does (AbortSignal.any over what it is given): on the run's own signal that would leave
    // one reference per request on the run for as long as it lasts.
    const composing: ChatModel = {
      model: 'm',
      endpoint: 'http://127.0.0.1:1/v1',
      complete: (req: ChatRequest) => {
        seen.push(req.signal!);
        const mine = AbortSignal.any([req.signal!, new AbortController().signal]);
        return new Promise<ChatResult>((resolve, reject) => {
          const t = setTimeout(() => resolve(REPLY), 5);
          mine.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new ModelError('aborted', 'aborted'));
          });
        });
      },
    };
    const model = w.wrap('weak', composing);
    const before = getEventListeners(stop.signal, 'abort').length;
    for (let i = 0; i < 50; i++) {
      await model.complete({ messages: [], signal: stop.signal } as unknown as ChatRequest);
    }
    assert.equal(seen.length, 50);
    assert.ok(
      seen.every((s) => s !== stop.signal),
      'the model never sees the run signal itself',
    );
    assert.equal(getEventListeners(stop.signal, 'abort').length, before, 'no listener left on the run signal by finished requests');

    // A request under way is stopped with the run.
    const under = model.complete({ messages: [], signal: stop.signal } as unknown as ChatRequest).then(
      () => 'answered',
      (e: unknown) => (e instanceof ModelError ? e.kind : String(e)),
    );
    assert.equal(getEventListeners(stop.signal, 'abort').length, before + 1, 'the request under way listens to the run');
    stop.abort();
    assert.equal(await under, 'aborted');
    assert.equal(seen.at(-1)!.aborted, true);
  });
});

// The batch queue and the endpoint model in batch mode: a wave goes out only when every live section waits and comes
// back whole; lines answered by the scripted server's batch endpoints read like chat replies (n, JSON, usage); transient
// line failures go to the next wave, others come back as the endpoint's error; a recorded batch answers its requests
// after a restart without any new upload.
import assert from 'node:assert/strict';
import { openAIBatchApi, type BatchApi } from '../../../../src/core/batch/batch-client';
import { BatchQueue, type BatchRecord } from '../../../../src/core/batch/batch-queue';
import { defaultEndpoint } from '../../../../src/core/config';
import { EndpointProfiles } from '../../../../src/core/endpoints/profiles';
import { ModelError, OpenAICompatibleModel } from '../../../../src/core/models';
import { errorBody, jsonReply, startScriptedServer, type ScriptedServer } from '../../../fakes/openai-server';

const KEY = 'batch-key';

describe('batch queue', function () {
  this.timeout(30_000);
  let server: ScriptedServer;
  afterEach(async () => server?.close());

  /** Answers each chat request with the last user message in upper case: a reply that depends on what was sent. */
  async function echoServer(): Promise<ScriptedServer> {
    server = await startScriptedServer({
      respond: (req, { choiceIndex }) => ({ content: `${(req.messages?.at(-1)?.content ?? '').toUpperCase()} #${choiceIndex}` }),
      models: ['m', 'm2'],
      apiKey: KEY,
      batchInProgressPolls: 1,
    });
    return server;
  }
  const api = (s: ScriptedServer): BatchApi => openAIBatchApi({ baseURL: s.baseURL, apiKey: KEY, maxRetries: 0, timeoutMs: 5000 });
  function model(s: ScriptedServer, queue: BatchQueue, profiles = new EndpointProfiles()): OpenAICompatibleModel {
    return new OpenAICompatibleModel(defaultEndpoint({ baseURL: s.baseURL, model: 'm', maxTokens: 64 }), {
      apiKey: KEY,
      maxRetries: 0,
      timeoutMs: 5000,
      batch: queue.channel(s.baseURL),
      profiles,
      role: 'weak',
    });
  }

  it('waits for every live section before sending a wave, and hands the wave back whole', async () => {
    const s = await echoServer();
    const queue = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2 });
    const m = model(s, queue);
    const order: string[] = [];
    const section = async (name: string, delayMs: number) => {
      queue.enter(name);
      await new Promise((r) => setTimeout(r, delayMs));
      const r = await m.complete({ messages: [{ role: 'user', content: `question ${name}` }] });
      order.push(`${name}:${r.choices[0].text}`);
      queue.leave(name);
    };
    await Promise.all([section('a', 0), section('b', 150), section('c', 300)]);
    assert.equal(s.batch.uploads.length, 1, 'one batch for the three sections, though they asked 150 ms apart');
    assert.equal(s.batch.uploads[0].customIds.length, 3);
    assert.deepEqual(order.sort(), ['a:QUESTION A #0', 'b:QUESTION B #0', 'c:QUESTION C #0']);
    assert.equal(s.requests.filter((r) => r.path === '/v1/chat/completions' && !r.headers['x-batch-line']).length, 0);
  });

  it('sends n in one line where the endpoint honours it, and reads usage like a chat reply', async () => {
    const s = await echoServer();
    const queue = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2 });
    const r = await model(s, queue).complete({ messages: [{ role: 'user', content: 'three please' }], n: 3 });
    assert.deepEqual(
      r.choices.map((c) => c.text),
      ['THREE PLEASE #0', 'THREE PLEASE #1', 'THREE PLEASE #2'],
    );
    assert.equal(s.batch.uploads.flatMap((u) => u.customIds).length, 1);
    assert.equal(JSON.parse(s.batch.uploads[0].bodies[0]).n, 3);
    assert.ok(r.promptTokens > 0 && r.completionTokens > 0);
  });

  it('adapts to a parameter a line was refused for and asks again in the next wave', async () => {
    server = await startScriptedServer({
      respond: (req) =>
        req.body.max_tokens !== undefined
          ? {
              kind: 'error',
              status: 400,
              body: errorBody(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                'invalid_request_error',
                'max_tokens',
                'unsupported_parameter',
              ),
            }
          : jsonReply({ ok: true }),
      models: ['m'],
      apiKey: KEY,
      batchInProgressPolls: 0,
    });
    const queue = new BatchQueue({ apiFor: () => api(server), pollMs: 5, gatherMs: 60_000, maxRetries: 2 });
    const r = await model(server, queue).complete({ messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.choices[0].text, '{"ok":true}');
    const bodies = server.batch.uploads.map((u) => JSON.parse(u.bodies[0]) as Record<string, unknown>);
    assert.equal(bodies.length, 2);
    assert.ok('max_tokens' in bodies[0] && !('max_tokens' in bodies[1]) && 'max_completion_tokens' in bodies[1]);
  });

  it('asks expired and 5xx lines again in the next wave; a 401 line comes back as the endpoint’s error', async () => {
    const s = await echoServer();
    const queue = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2 });
    const m = model(s, queue);
    // Three lines: the first answered with a 503, the second answered, the third expired.
    s.batch.expireNext(2);
    s.batch.failNextLines(1, 503);
    const rs = await Promise.all(['p', 'q', 'r'].map((x) => m.complete({ messages: [{ role: 'user', content: x }] })));
    assert.deepEqual(
      rs.map((r) => r.choices[0].text),
      ['P #0', 'Q #0', 'R #0'],
    );
    assert.equal(queue.stats.retriedLines, 2, 'one expired line and one 503 asked again');
    s.batch.failNextLines(1, 401);
    await assert.rejects(
      m.complete({ messages: [{ role: 'user', content: 'denied' }] }),
      (e: unknown) => e instanceof ModelError && e.kind === 'auth' && e.fatal,
    );
  });

  it('a batch that fails validation rejects its requests with the reasons', async () => {
    const s = await echoServer();
    const bad: BatchApi = {
      ...api(s),
      submit: (lines) => api(s).submit(lines.map((l) => ({ ...l, url: '/v1/embeddings' as never }))),
    };
    const queue = new BatchQueue({ apiFor: () => bad, pollMs: 5, gatherMs: 60_000, maxRetries: 2 });
    await assert.rejects(
      model(s, queue).complete({ messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof ModelError && e.kind === 'bad_request' && /line 1: The provided URL \/v1\/embeddings does not match/.test(e.message),
    );
  });

  it('a line the batch did not run for a reason of its own fails its request at once, asked in no further wave', async () => {
    const s = await echoServer();
    s.batch.failNextLines(1, 'invalid_request');
    const queue = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2 });
    await assert.rejects(
      model(s, queue).complete({ messages: [{ role: 'user', content: 'bad' }] }),
      (e: unknown) => e instanceof ModelError && e.kind === 'bad_request' && /invalid_request/.test(e.message),
    );
    assert.equal(s.batch.uploads.length, 1, 'not uploaded again');
    await queue.close(true);
  });

  it('after a restart, a recorded batch answers the same requests: no new upload', async () => {
    const s = await echoServer();
    const recorded: BatchRecord[] = [];
    s.batch.hold(true);
    const first = new BatchQueue({
      apiFor: () => api(s),
      pollMs: 5,
      gatherMs: 60_000,
      maxRetries: 2,
      log: { submitted: async (r) => void recorded.push(r), collected: async () => undefined },
    });
    const stop = new AbortController();
    const asked = model(s, first).complete({ messages: [{ role: 'user', content: 'kept' }], n: 2, signal: stop.signal });
    while (recorded.length === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await assert.rejects(asked);
    s.batch.hold(false);
    // A new process: the same request, the recorded batch.
    const collected: string[] = [];
    const second = new BatchQueue({
      apiFor: () => api(s),
      pollMs: 5,
      gatherMs: 60_000,
      maxRetries: 2,
      recorded,
      log: { submitted: async () => undefined, collected: async (id) => void collected.push(id) },
    });
    const r = await model(s, second).complete({ messages: [{ role: 'user', content: 'kept' }], n: 2 });
    assert.deepEqual(
      r.choices.map((c) => c.text),
      ['KEPT #0', 'KEPT #1'],
    );
    assert.equal(s.batch.uploads.length, 1, 'no second upload');
    assert.deepEqual(collected, [], 'not recorded as collected while the run goes on');
    await second.close(true);
    assert.deepEqual(collected, [recorded[0].batchId], 'recorded as collected once the run completed');
  });

  it('a stop while part of a wave is out records none of its batches as collected: a resume collects them, uploading nothing', async () => {
    const s = await echoServer();
    const recorded: BatchRecord[] = [];
    const collected: string[] = [];
    // Two models in one wave: two batches; the first (m) completes, the second (m2) is held until after the stop.
    const log = {
      submitted: async (r: BatchRecord) => {
        recorded.push(r);
      },
      collected: async (id: string) => void collected.push(id),
    };
    const first = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2, log });
    const m2 = new OpenAICompatibleModel(defaultEndpoint({ baseURL: s.baseURL, model: 'm2', maxTokens: 64 }), {
      apiKey: KEY,
      maxRetries: 0,
      timeoutMs: 5000,
      batch: first.channel(s.baseURL),
      profiles: new EndpointProfiles(),
      role: 'strong',
    });
    const stop = new AbortController();
    s.batch.hold('m2');
    const a = model(s, first).complete({ messages: [{ role: 'user', content: 'one' }], signal: stop.signal });
    const b = m2.complete({ messages: [{ role: 'user', content: 'two' }], signal: stop.signal });
    while (recorded.length < 2 || s.batch.polls < 8) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await assert.rejects(a);
    await assert.rejects(b);
    await first.close(false);
    assert.deepEqual(collected, [], 'nothing recorded as collected on a stop');
    s.batch.hold(false);
    const again = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2, recorded, log });
    const ra = await model(s, again).complete({ messages: [{ role: 'user', content: 'one' }] });
    assert.equal(ra.choices[0].text, 'ONE #0');
    assert.equal(s.batch.uploads.length, 2, 'no new upload');
    await again.close(true);
    assert.deepEqual(collected.sort(), recorded.map((r) => r.batchId).sort());
  });

  it('after a restart, a line asked again after a transient failure is answered from the batch that asked it last', async () => {
    const s = await echoServer();
    const recorded: BatchRecord[] = [];
    const collected = new Set<string>();
    // The 503 sends the line into a second batch, held as soon as it is recorded: the process stops while it is out.
    const log = {
      submitted: async (r: BatchRecord) => {
        recorded.push(r);
        if (recorded.length === 2) s.batch.hold(true);
      },
      collected: async (id: string) => void collected.add(id),
    };
    s.batch.failNextLines(1, 503);
    const first = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2, log });
    const stop = new AbortController();
    const asked = model(s, first).complete({ messages: [{ role: 'user', content: 'again' }], signal: stop.signal });
    while (recorded.length < 2) await new Promise((r) => setTimeout(r, 2));
    stop.abort();
    await assert.rejects(asked);
    assert.match(recorded[1].customIds[0], /-r1$/);
    s.batch.hold(false);
    const open = recorded.filter((r) => !collected.has(r.batchId));
    assert.deepEqual(
      open.map((r) => r.batchId),
      [recorded[1].batchId],
    );
    const second = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2, recorded: open });
    const r = await model(s, second).complete({ messages: [{ role: 'user', content: 'again' }] });
    assert.equal(r.choices[0].text, 'AGAIN #0');
    assert.equal(s.batch.uploads.length, 2, 'no third upload');
  });

  it('waits out status requests that fail for a passing reason, without submitting the lines again', async () => {
    const s = await echoServer();
    let failures = 3;
    const real = api(s);
    const flaky: BatchApi = {
      ...real,
      status: (id) => (failures-- > 0 ? Promise.reject(Object.assign(new Error('Connection error.'), { status: undefined })) : real.status(id)),
    };
    const queue = new BatchQueue({ apiFor: () => flaky, pollMs: 2, gatherMs: 60_000, maxRetries: 2 });
    const r = await model(s, queue).complete({ messages: [{ role: 'user', content: 'steady' }] });
    assert.equal(r.choices[0].text, 'STEADY #0');
    assert.equal(s.batch.uploads.length, 1);
  });

  it('a recorded batch the endpoint no longer has: its requests go into a new batch', async () => {
    const s = await echoServer();
    const recorded: BatchRecord[] = [];
    s.batch.hold(true);
    const first = new BatchQueue({
      apiFor: () => api(s),
      pollMs: 5,
      gatherMs: 60_000,
      maxRetries: 2,
      log: { submitted: async (r) => void recorded.push(r), collected: async () => undefined },
    });
    const stop = new AbortController();
    const asked = model(s, first).complete({ messages: [{ role: 'user', content: 'lost' }], signal: stop.signal });
    while (recorded.length === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await assert.rejects(asked);
    s.batch.hold(false);
    const second = new BatchQueue({ apiFor: () => api(s), pollMs: 5, gatherMs: 60_000, maxRetries: 2, recorded: [{ ...recorded[0], batchId: 'batch_gone' }] });
    const r = await model(s, second).complete({ messages: [{ role: 'user', content: 'lost' }] });
    assert.equal(r.choices[0].text, 'LOST #0');
    assert.equal(s.batch.uploads.length, 2);
    assert.deepEqual(s.batch.uploads[1].customIds, recorded[0].customIds, 'the same request, the same id');
  });

  it('once closed, polls no more and records nothing as collected: the batch stays for a resume', async () => {
    const s = await echoServer();
    s.batch.hold(true);
    const collected: string[] = [];
    const recorded: BatchRecord[] = [];
    const queue = new BatchQueue({
      apiFor: () => api(s),
      pollMs: 5,
      gatherMs: 60_000,
      maxRetries: 2,
      log: { submitted: async (r) => void recorded.push(r), collected: async (id) => void collected.push(id) },
    });
    const stop = new AbortController();
    const asked = model(s, queue).complete({ messages: [{ role: 'user', content: 'x' }], signal: stop.signal });
    while (recorded.length === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await assert.rejects(asked);
    queue.close();
    s.batch.hold(false);
    const polls = s.batch.polls;
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(s.batch.polls <= polls + 1, `at most the status request already under way: ${polls} then ${s.batch.polls}`);
    assert.deepEqual(collected, []);
  });
});

// Exercises the scripted OpenAI-compatible server through the real `openai` SDK over real HTTP.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { jsonReply, startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../../fakes/openai-server';

const MODEL = 'scripted-model';
const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Write a question about photosynthesis.' },
];
const promptTokens = Math.ceil((14 + 38) / 4);

describe('scripted OpenAI server', function () {
  this.timeout(5000);
  let servers: ScriptedServer[] = [];

  async function start(opts: Partial<ScriptedServerOptions> = {}): Promise<ScriptedServer> {
    const s = await startScriptedServer({ respond: () => ({ content: 'ok' }), ...opts });
    servers.push(s);
    return s;
  }
  const client = (s: ScriptedServer, maxRetries = 0, apiKey = 'k') => new OpenAI({ baseURL: s.baseURL, apiKey, maxRetries, timeout: 3000 });
  async function until(cond: () => boolean, ms = 1000) {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not reached');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  it('answers n=3 with one responder call per choice and deterministic usage', async () => {
    const calls: number[] = [];
    const s = await start({
      respond: (_req, { choiceIndex }) => {
        calls.push(choiceIndex);
        return { content: `answer number ${choiceIndex}` };
      },
    });
    const res = await client(s).chat.completions.create({ model: MODEL, messages, n: 3 });
    assert.deepEqual(calls, [0, 1, 2]);
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.model, MODEL);
    assert.deepEqual(
      res.choices.map((c) => [c.index, c.message.role, c.message.content, c.finish_reason, c.message.refusal]),
      [
        [0, 'assistant', 'answer number 0', 'stop', null],
        [1, 'assistant', 'answer number 1', 'stop', null],
        [2, 'assistant', 'answer number 2', 'stop', null],
      ],
    );
    assert.deepEqual(res.usage, { prompt_tokens: promptTokens, completion_tokens: Math.ceil((15 * 3) / 4), total_tokens: promptTokens + 12 });
  });

  it('uses explicit choices, finish reasons, refusals and scripted usage as given', async () => {
    let calls = 0;
    const s = await start({
      respond: () => {
        calls++;
        return {
          choices: [
            { content: 'cut', finishReason: 'length' },
            { content: '', refusal: 'I cannot help', finishReason: 'content_filter' },
          ],
          usage: { prompt_tokens: 7, completion_tokens: 3 },
        };
      },
    });
    const res = await client(s).chat.completions.create({ model: MODEL, messages, n: 2 });
    assert.equal(calls, 1);
    assert.deepEqual(
      res.choices.map((c) => [c.message.content, c.finish_reason, c.message.refusal]),
      [
        ['cut', 'length', null],
        ['', 'content_filter', 'I cannot help'],
      ],
    );
    assert.deepEqual(res.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('streams deltas that concatenate to the scripted content, with a usage chunk on request', async () => {
    const content = 'The quick brown fox jumps over the lazy dog';
    const s = await start({ respond: () => ({ content, streamChunkDelayMs: 5 }) });
    const stream = await client(s).chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let contentChunks = 0;
    const finish: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.usage) {
        assert.deepEqual(chunk.choices, []);
        usage = chunk.usage;
      }
      for (const c of chunk.choices) {
        if (c.delta.content) {
          text += c.delta.content;
          contentChunks++;
        }
        if (c.finish_reason) finish.push(c.finish_reason);
      }
    }
    assert.equal(text, content);
    assert.ok(contentChunks >= 3, `expected several content chunks, got ${contentChunks}`);
    assert.deepEqual(finish, ['stop']);
    assert.deepEqual(usage, {
      prompt_tokens: promptTokens,
      completion_tokens: Math.ceil(content.length / 4),
      total_tokens: promptTokens + Math.ceil(content.length / 4),
    });
  });

  it('streams n=2 interleaved by index and omits usage unless asked', async () => {
    const s = await start({ respond: (_r, { choiceIndex }) => ({ content: `choice ${choiceIndex} says hello there` }) });
    const stream = await client(s).chat.completions.create({ model: MODEL, messages, n: 2, stream: true });
    const texts = ['', ''];
    let sawUsage = false;
    for await (const chunk of stream) {
      if (chunk.usage) sawUsage = true;
      for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
    }
    assert.deepEqual(texts, ['choice 0 says hello there', 'choice 1 says hello there']);
    assert.equal(sawUsage, false);
  });

  it('lists models', async () => {
    const s = await start({ models: ['weak-solver', 'strong-judge'] });
    const ids: string[] = [];
    for await (const m of client(s).models.list()) {
      ids.push(m.id);
      assert.equal(m.owned_by, 'scripted');
    }
    assert.deepEqual(ids, ['weak-solver', 'strong-judge']);
    assert.equal(s.requests[0].method, 'GET');
    assert.equal(s.requests[0].path, '/v1/models');
  });

  it('answers unknown paths with a 404 OpenAI-style error', async () => {
    const s = await start();
    const res = await fetch(`${s.baseURL}/nope`, { method: 'POST' });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    await assert.rejects(client(s).get('/nope'), OpenAI.NotFoundError);
  });

  it('honours retry-after on 429 so the SDK retries and succeeds', async () => {
    const s = await start();
    s.failNext(1, { kind: 'error', status: 429, headers: { 'retry-after': '0.05' } });
    const res = await client(s, 2).chat.completions.create({ model: MODEL, messages });
    assert.equal(res.choices[0].message.content, 'ok');
    assert.equal(s.requests.length, 2);
    assert.deepEqual(
      s.requests.map((r) => r.status),
      [429, 200],
    );
    // The SDK's own backoff is >= 375 ms, so a short gap proves the header was read.
    const gap = s.requests[1].receivedAt - s.requests[0].receivedAt;
    assert.ok(gap >= 40 && gap < 300, `retry gap ${gap} ms`);
  });

  it('surfaces a 500 as APIError with status 500 when retries are off', async () => {
    const s = await start();
    s.failNext(1, { kind: 'error', status: 500 });
    await assert.rejects(client(s).chat.completions.create({ model: MODEL, messages }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 500);
      assert.match(e.message, /Scripted error 500/);
      return true;
    });
    assert.equal(s.requests.length, 1);
  });

  it('makes the SDK throw, not hang, on malformed and truncated bodies', async () => {
    const s = await start();
    const c = client(s);
    s.failNext(1, { kind: 'malformed' });
    await assert.rejects(c.chat.completions.create({ model: MODEL, messages }), SyntaxError);
    s.failNext(1, { kind: 'truncated' });
    await assert.rejects(c.chat.completions.create({ model: MODEL, messages }), /terminated/);
    s.failNext(1, { kind: 'truncated' });
    const stream = await c.chat.completions.create({ model: MODEL, messages, stream: true });
    await assert.rejects(async () => {
      for await (const _ of stream) {
        /* drain */
      }
    });
    assert.equal(s.requests.length, 3);
  });

  it('reports a reset socket as APIConnectionError', async () => {
    const s = await start();
    s.failNext(1, { kind: 'reset' });
    await assert.rejects(client(s).chat.completions.create({ model: MODEL, messages }), OpenAI.APIConnectionError);
  });

  it('lets a client abort a hanging request promptly and keeps serving', async () => {
    const s = await start();
    s.failNext(1, { kind: 'hang' });
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(client(s).chat.completions.create({ model: MODEL, messages }, { signal: ac.signal }), OpenAI.APIUserAbortError);
    assert.ok(Date.now() - t0 < 1000);
    await until(() => s.inFlight() === 0);
    const res = await client(s).chat.completions.create({ model: MODEL, messages });
    assert.equal(res.choices[0].message.content, 'ok');
  });

  it('survives clients leaving during latency and mid-stream', async () => {
    const s = await start({ respond: () => ({ content: 'a b c d e f g h i', latencyMs: 200, streamChunkDelayMs: 30 }) });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(client(s).chat.completions.create({ model: MODEL, messages }, { signal: ac.signal }), OpenAI.APIUserAbortError);
    s.setResponder(() => ({ content: 'a b c d e f g h i', streamChunkDelayMs: 30 }));
    const stream = await client(s).chat.completions.create({ model: MODEL, messages, stream: true });
    for await (const _ of stream) break; // breaking aborts the response body
    await until(() => s.inFlight() === 0);
    assert.equal(s.maxInFlightSeen, 1);
  });

  it('rejects json_schema with 400 when structured output is unsupported', async () => {
    const s = await start({ supportsJsonSchema: false });
    const c = client(s);
    await assert.rejects(
      c.chat.completions.create({
        model: MODEL,
        messages,
        response_format: { type: 'json_schema', json_schema: { name: 'item', schema: { type: 'object' } } },
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.status === 400 && /response_format/.test(e.message),
    );
    const ok = await c.chat.completions.create({ model: MODEL, messages, response_format: { type: 'json_object' } });
    assert.equal(ok.choices[0].message.content, 'ok');
  });

  it('enforces the API key', async () => {
    const s = await start({ apiKey: 'secret' });
    await assert.rejects(
      client(s, 0, 'wrong').chat.completions.create({ model: MODEL, messages }),
      (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401,
    );
    const res = await client(s, 0, 'secret').chat.completions.create({ model: MODEL, messages });
    assert.equal(res.choices[0].message.content, 'ok');
    assert.equal(s.requests[1].headers.authorization, 'Bearer secret');
  });

  it('answers 429 beyond maxConcurrent and reports the peak in flight', async () => {
    const s = await start({ maxConcurrent: 2, respond: () => ({ content: 'ok', latencyMs: 150 }) });
    const c = client(s);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => c.chat.completions.create({ model: MODEL, messages })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const limited = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    assert.equal(ok.length, 2);
    assert.equal(limited.length, 3);
    for (const e of limited) {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.headers?.get('retry-after'), '1');
    }
    // A rejected request is itself in flight while two admitted ones wait.
    assert.ok(s.maxInFlightSeen >= 3 && s.maxInFlightSeen <= 5, `maxInFlightSeen ${s.maxInFlightSeen}`);
    assert.equal(s.inFlight(), 0);
  });

  it('lets SDK retries drain a concurrency limit when retry-after is short', async () => {
    const s = await start({ maxConcurrent: 2, retryAfterSeconds: 0.02, respond: () => ({ content: 'ok', latencyMs: 40 }) });
    const c = client(s, 20);
    const results = await Promise.all(Array.from({ length: 5 }, () => c.chat.completions.create({ model: MODEL, messages })));
    assert.equal(results.length, 5);
    assert.equal(s.requests.filter((r) => r.status === 200).length, 5);
    assert.ok(s.requests.some((r) => r.status === 429));
  });

  it('applies failNext to exactly the next N chat requests', async () => {
    const seen: number[] = [];
    const s = await start({
      respond: (_r, { callIndex }) => {
        seen.push(callIndex);
        return { content: `call ${callIndex}` };
      },
    });
    const c = client(s);
    s.failNext(2, { kind: 'error', status: 503 });
    await assert.rejects(c.chat.completions.create({ model: MODEL, messages }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 503);
    await assert.rejects(c.chat.completions.create({ model: MODEL, messages }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 503);
    const third = await c.chat.completions.create({ model: MODEL, messages });
    assert.equal(third.choices[0].message.content, 'call 2');
    assert.deepEqual(seen, [2]);
    assert.deepEqual(
      s.requests.map((r) => r.status),
      [503, 503, 200],
    );
  });

  it('records model, messages, n, schema name and response format', async () => {
    const s = await start({ respond: () => jsonReply({ question: 'Why?', answer: 'Because.' }) });
    const schema = { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] };
    const res = await client(s).chat.completions.create({
      model: 'challenger-model',
      messages,
      n: 1,
      response_format: { type: 'json_schema', json_schema: { name: 'qa_item', schema, strict: true } },
    });
    assert.deepEqual(JSON.parse(res.choices[0].message.content ?? ''), { question: 'Why?', answer: 'Because.' });
    assert.equal(res.model, 'challenger-model');
    const [r] = s.requests;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/v1/chat/completions');
    assert.equal(r.model, 'challenger-model');
    assert.deepEqual(r.messages, messages);
    assert.equal(r.n, 1);
    assert.equal(r.stream, false);
    assert.equal(r.schemaName, 'qa_item');
    assert.deepEqual(r.responseFormat, { type: 'json_schema', json_schema: { name: 'qa_item', schema, strict: true } });
    assert.ok(Math.abs(r.receivedAt - Date.now()) < 2000);
    s.reset();
    assert.equal(s.requests.length, 0);
    assert.equal(s.maxInFlightSeen, 0);
  });

  it('turns a throwing responder into a 500 that names the failure', async () => {
    const s = await start({
      respond: () => {
        throw new Error('no script for this prompt');
      },
    });
    await assert.rejects(
      client(s).chat.completions.create({ model: MODEL, messages }),
      (e: unknown) => e instanceof OpenAI.InternalServerError && /no script for this prompt/.test(e.message),
    );
  });

  it('ends hanging requests on close', async () => {
    const s = await start();
    s.failNext(1, { kind: 'hang' });
    const pending = client(s).chat.completions.create({ model: MODEL, messages });
    await until(() => s.inFlight() === 1);
    await s.close();
    await assert.rejects(pending, OpenAI.APIConnectionError);
    assert.equal(s.inFlight(), 0);
  });
});

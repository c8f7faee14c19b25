// Requests that stall, never end, or end without a finish reason; error bodies the SDK could not read; credentials
// echoed back; settings that pin a capability the endpoint refuses; capabilities restored from a saved snapshot.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultEndpoint } from '../../../../src/core/config';
import { EndpointProfiles } from '../../../../src/core/endpoints/profiles';
import { ModelError, OpenAICompatibleModel, type OpenAIModelOptions } from '../../../../src/core/models';
import { errorBody, jsonReply, startScriptedServer, type ScriptedServer } from '../../../fakes/openai-server';
import { azure } from '../../../fakes/server-profiles/azure';
import { openaiReasoning } from '../../../fakes/server-profiles/openai';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever JSON the client sent
type Handler = (req: http.IncomingMessage, body: any, res: http.ServerResponse, count: number) => void;

/** A bare HTTP server for replies the scripted one cannot send: streams that stall, trickle forever or end early. */
async function rawServer(handler: Handler): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      count++;
      handler(req, JSON.parse(Buffer.concat(chunks).toString() || '{}'), res, count);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    count: () => count,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) {
          s.destroy();
        }
        server.close(() => r());
      }),
  };
}

const sse = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const ask = { messages: [{ role: 'user' as const, content: 'Answer.' }], onDelta: () => undefined };

function model(url: string, opts: Partial<OpenAIModelOptions> = {}, cfg: Partial<Parameters<typeof defaultEndpoint>[0]> = {}) {
  return new OpenAICompatibleModel(defaultEndpoint({ baseURL: url, model: 'm', ...cfg }), {
    apiKey: 'sk-test-secret-0123456789',
    maxRetries: 1,
    role: 'weak',
    profiles: new EndpointProfiles(),
    ...opts,
  });
}

describe('request deadlines, cut-off streams and error bodies', function () {
  this.timeout(20_000);
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  const raw = async (h: Handler) => {
    const s = await rawServer(h);
    closers.push(s.close);
    return s;
  };
  const scripted = async (o: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> => {
    const s = await startScriptedServer(o);
    closers.push(() => s.close());
    return s;
  };

  it('fails a stream that goes silent after the idle timeout, asking once more, within seconds', async () => {
    const s = await raw((_q, _b, res) => {
      sse(res);
      res.write(chunk({ role: 'assistant', content: 'Half an ' }));
    });
    const t0 = Date.now();
    const err = await model(s.url, { idleTimeoutMs: 300, timeoutMs: 10_000 })
      .complete(ask)
      .catch((e: unknown) => e);
    assert.ok(err instanceof ModelError);
    assert.equal(err.kind, 'timeout');
    assert.equal(err.fatal, false, 'a stall is transient: the attempt fails, the run goes on');
    assert.match(err.message, /^weak \(m at 127\.0\.0\.1:\d+\/v1\) did not answer in time \(timed out: nothing received for 300 ms\)/);
    assert.equal(s.count(), 2);
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  });

  it('ends a stream that never finishes at the overall deadline, even while it keeps sending', async () => {
    const s = await raw((_q, _b, res) => {
      sse(res);
      const t = setInterval(() => {
        if (!res.writableEnded && !res.destroyed) {
          res.write(chunk({ content: 'more ' }));
        } else {
          clearInterval(t);
        }
      }, 50);
      res.on('close', () => clearInterval(t));
    });
    const err = await model(s.url, { idleTimeoutMs: 300, timeoutMs: 700, maxRetries: 0 })
      .complete(ask)
      .catch((e: unknown) => e);
    assert.ok(err instanceof ModelError);
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /no complete reply within 700 ms/);
  });

  it('takes a stream that ends without a finish_reason for a cut-off answer: asked again, never graded', async () => {
    const s = await raw((_q, _b, res, n) => {
      sse(res);
      res.write(chunk({ role: 'assistant', content: n === 1 ? 'Half an ans' : 'A whole answer.' }));
      if (n > 1) {
        res.write(chunk({}, 'stop'));
      }
      res.end('data: [DONE]\n\n');
    });
    const r = await model(s.url).complete(ask);
    assert.equal(r.choices[0].text, 'A whole answer.');
    assert.equal(s.count(), 2);
    const never = await raw((_q, _b, res) => {
      sse(res);
      res.write(chunk({ content: 'Half' }));
      res.end('data: [DONE]\n\n');
    });
    const err = await model(never.url)
      .complete(ask)
      .catch((e: unknown) => e);
    assert.ok(err instanceof ModelError);
    assert.equal(err.kind, 'cut_off');
    assert.match(err.message, /ended without a finish_reason/);
  });

  it("reads vLLM's flat error body, which the SDK alone reports as '(no body)'", async () => {
    const s = await raw((_q, _b, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ object: 'error', message: 'The grammar could not be compiled: nested quantifiers', type: 'BadRequestError', param: null, code: 400 }),
      );
    });
    const err = await model(s.url)
      .complete({ messages: ask.messages })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ModelError);
    assert.equal(err.kind, 'bad_request');
    assert.equal(err.fatal, true);
    assert.match(err.message, /rejected the request \(400\): The grammar could not be compiled: nested quantifiers/);
  });

  it('never puts the API key or a URL password into a message, even when the server echoes them', async () => {
    const s = await scripted({
      respond: (req) => ({
        kind: 'error',
        status: 400,
        body: errorBody(`Bad request from ${String(req.headers.authorization)} key=sk-test-secret-0123456789`),
      }),
    });
    const keyed = await model(s.baseURL)
      .complete({ messages: ask.messages })
      .catch((e: unknown) => e);
    assert.ok(keyed instanceof ModelError);
    assert.ok(!keyed.message.includes('0123456789'), keyed.message);
    assert.match(keyed.message, /Bad request from Bearer \*\*\*/);
    // Credentials in the base URL go as Basic authentication, and stay out of messages too.
    const url = s.baseURL.replace('http://', 'http://alice:pa55word@');
    const err = await model(url, { apiKey: '' })
      .complete({ messages: ask.messages })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ModelError);
    assert.equal(s.requests.at(-1)!.headers.authorization, `Basic ${Buffer.from('alice:pa55word').toString('base64')}`);
    assert.ok(!err.message.includes('pa55word') && !err.message.includes(Buffer.from('alice:pa55word').toString('base64')), err.message);
    assert.match(err.message, /^weak \(m at 127\.0\.0\.1:\d+\/v1\) rejected the request \(400\): Bad request from Basic \*\*\*/);
  });

  it('stops with the setting to change when a setting pins what the endpoint refuses', async () => {
    const s = await scripted({ respond: () => jsonReply({ ok: true }), profile: openaiReasoning });
    const overrides = { [`${new URL(s.baseURL).host}/m`]: { temperature: 'any' as const } };
    const err = await model(s.baseURL, { overrides })
      .complete({ messages: ask.messages, temperature: 0 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ModelError);
    assert.equal(err.kind, 'unsupported');
    assert.equal(err.fatal, true);
    assert.match(err.message, /takes only its default temperature.*endpoints\["127\.0\.0\.1:\d+\/m"\]\.temperature pins it/);
    const json = await scripted({ respond: () => jsonReply({ ok: true }), supportsJsonSchema: false });
    const noSchema = await model(json.baseURL, {}, { structuredOutput: 'json_schema' })
      .complete({ messages: ask.messages, json: { name: 'ok', schema: { type: 'object' } } })
      .catch((e: unknown) => e);
    assert.ok(noSchema instanceof ModelError);
    assert.equal(noSchema.kind, 'no_structured_output');
    assert.equal(noSchema.fatal, true);
  });

  it('remembers what it learned: a restored snapshot sends the right request first time', async () => {
    const s = await scripted({ respond: () => ({ content: 'ok' }), profile: openaiReasoning });
    const first = model(s.baseURL);
    await first.complete({ messages: ask.messages, temperature: 0 });
    assert.deepEqual(
      s.requests.map((r) => r.status),
      [400, 400, 200],
      'max_tokens, then temperature, adapted at once',
    );
    const saved = JSON.parse(JSON.stringify((first as unknown as { profiles: EndpointProfiles }).profiles.snapshot()));
    const profiles = new EndpointProfiles();
    profiles.restore(saved);
    s.reset();
    await model(s.baseURL, { profiles }).complete({ messages: ask.messages, temperature: 0 });
    assert.deepEqual(
      s.requests.map((r) => r.status),
      [200],
    );
    assert.equal(s.requests[0].body.temperature, undefined);
    assert.equal(typeof s.requests[0].body.max_completion_tokens, 'number');
  });

  it('estimates usage for a stream that cannot report it, and says so', async () => {
    const s = await scripted({ respond: () => ({ content: 'A short answer.' }), profile: azure });
    const m = model(s.baseURL, {}, { temperature: 1 });
    const r = await m.complete({ ...ask, temperature: 1 });
    assert.equal(r.choices[0].text, 'A short answer.');
    assert.equal(r.usageEstimated, true);
    assert.ok(r.completionTokens > 0 && r.promptTokens > 0);
    assert.equal(m.profile.capabilities.streamUsage, 'none');
    assert.ok(s.requests.every((q) => q.status === 400 || q.body.stream_options === undefined));
  });
});

// Secrets reach nothing but the request header: an endpoint that echoes the Authorization header, or the key cut short,
// in an error body, a retried 5xx or a stream's error event, leaves no piece of the key in error texts or events; a
// base URL with credentials is refused in the CLI config as in the editor's settings.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSettings } from '../../../src/cli/config';
import { splitSections } from '../../../src/core/chunks';
import { redact } from '../../../src/core/endpoints/request-errors';
import { Limiter } from '../../../src/core/limiter';
import { ModelError, OpenAICompatibleModel, type ChatModel } from '../../../src/core/models';
import { Orchestrator } from '../../../src/core/orchestrator';
import type { EngineEvent } from '../../../src/shared/events';
import { byRole } from '../../../src/shared/schemas';
import { errorBody, startScriptedServer, type RecordedRequest, type ScriptedReply, type ScriptedServer } from '../../fakes/openai-server';
import { scriptedConfig } from '../../fakes/scripted-config';
import { MODELS, scriptRoles } from '../../fakes/scripted-roles';

const KEY = 'sk-proj-Zq8wLm3RtY6uIo9PaS2dFg5HjK';
const DOC = `# Section\n\n${'The method trades compute for accuracy in a way the paper measures carefully. '.repeat(10)}\n`;

/** The pieces of the key (six characters or more) found in a text. */
function leaks(text: string, key = KEY): string[] {
  const found = new Set<string>();
  for (let i = 0; i + 6 <= key.length; i++) {
    if (text.includes(key.slice(i, i + 6))) {
      found.add(key.slice(i, i + 6));
    }
  }
  return [...found];
}

/** What a careless proxy says back: the header it got, and the key cut short. */
const echo = (req: RecordedRequest) =>
  `Rejected Authorization: ${String(req.headers.authorization)}; key ${KEY.slice(0, 14)}… (also seen as ${KEY.slice(3, 20)}) ends ${KEY.slice(-9)}`;

describe('secrets in what endpoints send back', function () {
  this.timeout(30_000);
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('takes the key out, and every piece of it, wherever it appears in a text', () => {
    const text = redact(`Incorrect API key provided: ${KEY.slice(0, 12)}**********${KEY.slice(-6)}; header Bearer ${KEY.slice(0, 20)}…; raw ${KEY}`, [KEY]);
    assert.deepEqual(leaks(text), [], text);
    assert.match(text, /^Incorrect API key provided: \*\*\*/);
    // Ordinary text with no piece of the key is left alone.
    assert.equal(redact('The server is overloaded; try again in 20 s.', [KEY]), 'The server is overloaded; try again in 20 s.');
  });

  async function world(weak: (req: RecordedRequest, n: number) => ScriptedReply | undefined) {
    const script = scriptRoles([{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] }]);
    let weakCalls = 0;
    const server = await startScriptedServer({
      apiKey: KEY,
      respond: (req, ctx) => (req.model === MODELS.weak && ctx.choiceIndex === 0 ? weak(req, ++weakCalls) : undefined) ?? script.respond(req, ctx),
    });
    servers.push(server);
    const config = scriptedConfig(server.baseURL, { maxIterations: 2 });
    const limiter = new Limiter(8);
    const models = byRole(
      (role): ChatModel => new OpenAICompatibleModel(config.roles[role], { apiKey: KEY, maxRetries: 1, limiter, role, useN: true, timeoutMs: 5_000 }),
    );
    const events: EngineEvent[] = [];
    const orch = new Orchestrator({
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      targets: splitSections(DOC),
      config,
      models,
      emit: (e) => events.push(e),
      outageRetryMs: { first: 50, max: 100 },
    });
    return { events, summary: await orch.start(), models };
  }

  it('keeps an echoed key out of the waiting line and every event when a 5xx outlives the retries', async () => {
    const w = await world((req, n) => (n <= 2 ? { kind: 'error', status: 502, body: errorBody(echo(req), 'server_error') } : undefined));
    assert.equal(w.summary.accepted.length, 1);
    const waits = w.events.filter((e) => e.type === 'waiting_endpoint');
    assert.equal(waits.length, 1);
    assert.match(JSON.stringify(waits[0]), /Rejected Authorization: (Bearer )?\*\*\*/);
    assert.deepEqual(leaks(JSON.stringify(w.events)), []);
  });

  it('keeps an echoed key out of the error that ends the run (a 400 names the request, and is final)', async () => {
    const w = await world((req) => ({ kind: 'error', status: 400, body: errorBody(echo(req)) }));
    assert.equal(w.summary.outcome, 'error');
    assert.match(w.summary.message ?? '', /rejected the request \(400\): Rejected Authorization/);
    assert.deepEqual(leaks(w.summary.message ?? ''), [], w.summary.message);
    assert.deepEqual(leaks(JSON.stringify(w.events)), []);
  });

  it('keeps an echoed key out of an error a stream sends after its first bytes', async () => {
    // A raw stream: one chunk of text, then an error event that carries the header.
    const raw = await startRawStream((auth) => [
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] })}\n\n`,
      `data: ${JSON.stringify({ error: { message: `upstream refused ${auth}; key …${KEY.slice(5, 19)}…`, type: 'server_error' } })}\n\n`,
    ]);
    const model = new OpenAICompatibleModel(
      { baseURL: raw.baseURL, model: 'm', temperature: 0, maxTokens: 64, structuredOutput: 'none' },
      { apiKey: KEY, maxRetries: 0, role: 'weak', timeoutMs: 5_000 },
    );
    const err = await model.complete({ messages: [{ role: 'user', content: 'hi' }], onDelta: () => undefined }).catch((e: unknown) => e);
    await raw.close();
    assert.ok(err instanceof ModelError, String(err));
    assert.match(err.message, /upstream refused/);
    assert.deepEqual(leaks(err.message), [], err.message);
  });

  it('refuses a CLI config whose base URL holds a user name or password, without repeating it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-cfg-'));
    try {
      for (const config of [
        { endpoint: { baseURL: 'http://alice:pa55word@127.0.0.1:9/v1' } },
        { roles: { judge: { baseURL: 'https://bob:s3cr3t-pass@api.example.com/v1' } } },
      ]) {
        const file = path.join(dir, 'autodata.json');
        fs.writeFileSync(file, JSON.stringify(config));
        const e = await loadSettings(file).catch((x: unknown) => x as Error);
        assert.ok(e instanceof Error);
        assert.match(e.message, /user name or password in the URL/);
        assert.ok(!/pa55word|s3cr3t-pass/.test(e.message), e.message);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A server that answers every chat request with the given raw SSE lines and then closes the stream. */
async function startRawStream(lines: (auth: string) => string[]): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const l of lines(String(req.headers.authorization))) {
        res.write(l);
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

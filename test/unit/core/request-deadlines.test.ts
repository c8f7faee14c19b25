// Every request, streamed or not, has an idle timeout and an overall deadline: a reply that never starts, one that
// trickles forever and one that never ends all fail in bounded time as timeouts; in a run, such an endpoint is waited
// out like any outage and no attempt is lost.
import assert from 'node:assert/strict';
import { splitSections } from '../../../src/core/chunks';
import { defaultEndpoint } from '../../../src/core/config';
import { EndpointProfiles } from '../../../src/core/endpoints/profiles';
import { ModelError, OpenAICompatibleModel } from '../../../src/core/models';
import { Orchestrator } from '../../../src/core/orchestrator';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import { startScriptedServer, type ScriptedReply, type ScriptedServer } from '../../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../../fakes/scripted-config';
import { MODELS, scriptRoles } from '../../fakes/scripted-roles';

const DOC = `# Section\n\n${'The method trades compute for accuracy in a way the paper measures carefully. '.repeat(10)}\n`;
const IDLE = 300;
const DEADLINE = 800;

describe('request deadlines', function () {
  this.timeout(30_000);
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function ask(reply: ScriptedReply, streamed: boolean) {
    const server = await startScriptedServer({ respond: () => reply });
    servers.push(server);
    const model = new OpenAICompatibleModel(defaultEndpoint({ baseURL: server.baseURL, model: 'm' }), {
      apiKey: 'k',
      maxRetries: 1,
      role: 'weak',
      timeoutMs: DEADLINE,
      idleTimeoutMs: IDLE,
      profiles: new EndpointProfiles(),
    });
    const t0 = Date.now();
    const err = await model
      .complete({ messages: [{ role: 'user', content: 'Answer.' }], ...(streamed ? { onDelta: () => undefined } : {}) })
      .catch((e: unknown) => e);
    return { err, ms: Date.now() - t0, requests: server.requests.length };
  }

  for (const streamed of [true, false]) {
    const how = streamed ? 'streamed' : 'not streamed';

    it(`${how}: a reply that trickles forever fails at the overall deadline`, async () => {
      const r = await ask({ kind: 'trickle', intervalMs: 50 }, streamed);
      assert.ok(r.err instanceof ModelError, String(r.err));
      assert.equal(r.err.kind, 'timeout');
      assert.match(r.err.message, new RegExp(`no complete reply within ${DEADLINE} ms`));
      // At most (maxRetries + 1) tries by the SDK, twice (a stall is asked once more), each ended by its deadline.
      assert.ok(r.requests <= 4 && r.ms < r.requests * DEADLINE + 3_000, `${r.requests} request(s) in ${r.ms} ms`);
    });

    it(`${how}: a reply that never starts fails in bounded time`, async () => {
      const r = await ask({ kind: 'hang' }, streamed);
      assert.ok(r.err instanceof ModelError, String(r.err));
      assert.equal(r.err.kind, 'timeout');
      // A stream must start within the idle timeout; a reply that is not streamed has the whole deadline to be generated.
      assert.match(r.err.message, streamed ? new RegExp(`nothing received for ${IDLE} ms`) : /did not answer in time/);
      // At most (maxRetries + 1) tries by the SDK, twice (a stall is asked once more), each ended by its deadline.
      assert.ok(r.requests <= 4 && r.ms < r.requests * DEADLINE + 3_000, `${r.requests} request(s) in ${r.ms} ms`);
    });
  }

  it('not streamed: a body that stops halfway fails at the idle timeout', async () => {
    const r = await ask({ kind: 'trickle', intervalMs: 60_000 }, false);
    assert.ok(r.err instanceof ModelError, String(r.err));
    assert.equal(r.err.kind, 'timeout');
    assert.match(r.err.message, new RegExp(`nothing received for ${IDLE} ms`));
    assert.ok(r.ms < 2 * DEADLINE + 1_000, `${r.ms} ms`);
  });

  it('in a run, a solver stream that never ends is waited out like an outage and no attempt is lost', async () => {
    const script = scriptRoles([{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] }]);
    let trickles = 2;
    const server = await startScriptedServer({
      respond: (req, ctx) => {
        if (req.model === MODELS.weak && req.stream && ctx.choiceIndex === 0 && trickles > 0) {
          trickles--;
          return { kind: 'trickle', intervalMs: 50 };
        }
        return script.respond(req, ctx);
      },
    });
    servers.push(server);
    const config = scriptedConfig(server.baseURL, { maxIterations: 2 });
    const events: EngineEvent[] = [];
    const t0 = Date.now();
    const summary = await new Orchestrator({
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      targets: splitSections(DOC),
      config,
      models: scriptedModels(config, { maxRetries: 0, timeoutMs: DEADLINE, idleTimeoutMs: IDLE }),
      emit: (e) => events.push(e),
      onDelta: () => undefined,
      outageRetryMs: { first: 50, max: 100 },
    }).start();
    assert.equal(summary.outcome, 'completed');
    assert.deepEqual(
      events.filter((e): e is EventOf<'verdict'> => e.type === 'verdict').map((e) => e.verdict.kind),
      ['accepted'],
    );
    const waits = events.filter((e): e is EventOf<'waiting_endpoint'> => e.type === 'waiting_endpoint');
    assert.ok(waits.length >= 1 && waits.every((w) => w.role === 'weak' && /no complete reply within 800 ms/.test(w.reason)));
    assert.ok(Date.now() - t0 < 10_000);
  });
});

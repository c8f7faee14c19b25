// What keeps a run's memory bounded whatever the endpoints do: text fields of a role's JSON and solver answers have a
// size cap (a longer one is refused with the reason, never stored whole), and the engine sends no request while the
// writer asks it to wait, except that a stop ends the wait at once.
import assert from 'node:assert/strict';
import { splitSections } from '../../../src/core/chunks';
import type { EngineConfig } from '../../../src/core/config';
import { Orchestrator, type RunOptions } from '../../../src/core/orchestrator';
import { MAX_ANSWER_CHARS } from '../../../src/core/roles';
import { MAX_FIELD_CHARS } from '../../../src/core/structured';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import { startScriptedServer, type Responder, type ScriptedServer } from '../../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../../fakes/scripted-config';
import { MODELS, scriptRoles } from '../../fakes/scripted-roles';

const DOC = `# Section\n\n${'The method trades compute for accuracy in a way the paper measures carefully. '.repeat(10)}\n`;

describe('model output limits and backpressure', function () {
  this.timeout(30_000);
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function run(wrap: (inner: Responder) => Responder, patch: Partial<EngineConfig> = {}, extra: Partial<RunOptions> = {}) {
    const script = scriptRoles([{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] }]);
    const server = await startScriptedServer({ respond: wrap(script.respond) });
    servers.push(server);
    const config = scriptedConfig(server.baseURL, { maxIterations: 2, ...patch });
    const events: EngineEvent[] = [];
    const orch = new Orchestrator({
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      targets: splitSections(DOC),
      config,
      models: scriptedModels(config),
      emit: (e) => events.push(e),
      ...extra,
    });
    return { orch, events, server, done: orch.start() };
  }
  const verdicts = (events: EngineEvent[]) => events.filter((e): e is EventOf<'verdict'> => e.type === 'verdict').map((e) => e.verdict);

  /** The Challenger's reference answer made `chars` long in its first `times` replies. */
  const longReference =
    (chars: number, times: number) =>
    (inner: Responder): Responder =>
    async (req, ctx) => {
      const reply = await inner(req, ctx);
      if (req.model === MODELS.challenger && times > 0 && 'content' in reply && reply.content) {
        times--;
        return { ...reply, content: JSON.stringify({ ...JSON.parse(reply.content), referenceAnswer: 'x'.repeat(chars) }) };
      }
      return reply;
    };

  it('refuses a JSON field over the cap with the reason, and takes the repaired reply', async () => {
    const r = await run(longReference(MAX_FIELD_CHARS + 5_000, 1));
    assert.equal((await r.done).accepted.length, 1);
    const repair = r.server.requests.filter((q) => q.model === MODELS.challenger)[1];
    assert.match(
      repair.messages!.at(-1)!.content,
      new RegExp(`the field referenceAnswer is ${MAX_FIELD_CHARS + 5_000} characters long, over the limit of ${MAX_FIELD_CHARS}`),
    );
  });

  it('fails the attempt, storing no oversized field, when the repair is over the cap too', async () => {
    const r = await run(longReference(MAX_FIELD_CHARS + 1, 2));
    await r.done;
    const v = verdicts(r.events);
    assert.equal(v[0].kind, 'failed');
    assert.match(v[0].reasons[0], /the field referenceAnswer is 32001 characters long, over the limit of 32000/);
    assert.ok(!JSON.stringify(r.events).includes('x'.repeat(MAX_FIELD_CHARS)), 'the long field is in no event');
  });

  it('cuts a solver answer over the cap and never grades it', async () => {
    const huge =
      (inner: Responder): Responder =>
      async (req, ctx) => {
        const reply = await inner(req, ctx);
        return req.model === MODELS.weak && 'content' in reply ? { ...reply, content: `${reply.content} ${'y'.repeat(MAX_ANSWER_CHARS)}` } : reply;
      };
    const r = await run(huge, { truncationRetries: 0, maxIterations: 1 });
    await r.done;
    const rollouts = r.events.find((e): e is EventOf<'rollouts'> => e.type === 'rollouts' && e.solver === 'weak')!.rollouts;
    assert.equal(rollouts.length, 3);
    for (const x of rollouts) {
      assert.equal(x.answer.length, MAX_ANSWER_CHARS);
      assert.match(x.failure ?? '', new RegExp(`characters long, over the limit of ${MAX_ANSWER_CHARS}: kept cut short, not graded`));
    }
    assert.equal(r.server.requests.filter((q) => q.model === MODELS.judge).length, 0, 'nothing graded');
    assert.match(verdicts(r.events)[0].reasons[0], /only 0 of 3 weak rollouts could be measured/);
  });

  it('sends no request while the writer asks it to wait, and goes on once it has caught up', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    let heldAt = -1;
    const r = await run(
      (inner) => inner,
      {},
      {
        backpressure: () => {
          calls++;
          if (calls === 3) {
            heldAt = servers.at(-1)!.requests.length;
            return new Promise<void>((resolve) => (release = resolve));
          }
          return Promise.resolve();
        },
      },
    );
    while (heldAt < 0) {
      await new Promise((x) => setTimeout(x, 10));
    }
    await new Promise((x) => setTimeout(x, 300));
    assert.equal(r.server.requests.length, heldAt, 'no request while held');
    release();
    const summary = await r.done;
    assert.equal(summary.accepted.length, 1);
    assert.ok(r.server.requests.length > heldAt);
    assert.ok(calls >= r.server.requests.length - 1, 'asked before every request');
  });

  it('a stop ends a wait for the writer at once', async () => {
    let held = false;
    const r = await run(
      (inner) => inner,
      {},
      {
        backpressure: () => {
          held = true;
          return new Promise<void>(() => undefined);
        },
      },
    );
    while (!held) {
      await new Promise((x) => setTimeout(x, 10));
    }
    const t0 = Date.now();
    r.orch.stop();
    const summary = await r.done;
    assert.equal(summary.outcome, 'stopped');
    assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
    assert.equal(r.server.requests.length, 0);
  });
});

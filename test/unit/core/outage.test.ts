// An endpoint that really goes down (its listener closed, connections refused) and comes back on the same port: the run
// waits with backoff and says so, loses no iteration, goes on; past the outage limit it stops as interrupted, and a
// resume reuses the answers it already had.
import assert from 'node:assert/strict';
import { splitSections } from '../../../src/core/chunks';
import { Orchestrator, type RunOptions } from '../../../src/core/orchestrator';
import { resumePoint } from '../../../src/core/resume';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../../fakes/scripted-config';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const DOC = `# Section\n\n${'The method trades compute for accuracy in a way the paper measures carefully. '.repeat(10)}\n`;
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };

const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e): e is EventOf<T> => e.type === type);

/** A scripted world on one port that can be taken down (listener closed, open connections dropped) and brought back. */
class Flaky {
  server!: ScriptedServer;
  port = 0;
  /** Every request any incarnation of the server received. */
  readonly requests: RecordedRequest[] = [];
  /** Called with each request before it is answered; may take the server down. */
  onRequest: (req: RecordedRequest) => void = () => undefined;
  readonly script = scriptRoles([GOOD]);
  /** A return under way (awaited before the test ends, so no server outlives it). */
  back: Promise<void> = Promise.resolve();

  async up(): Promise<void> {
    this.server = await startScriptedServer({
      port: this.port || undefined,
      respond: (req, ctx) => {
        if (ctx.choiceIndex === 0) {
          this.requests.push(req);
          this.onRequest(req);
        }
        return this.script.respond(req, ctx);
      },
    });
    this.port = Number(new URL(this.server.baseURL).port);
  }
  down(): Promise<void> {
    return this.server.close();
  }
  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }
}

describe('an endpoint outage', function () {
  this.timeout(30_000);
  let world: Flaky;
  beforeEach(async () => {
    world = new Flaky();
    await world.up();
  });
  afterEach(async () => {
    world.onRequest = () => undefined;
    await world.back;
    await world.down().catch(() => undefined);
  });

  function orchestrator(events: EngineEvent[], extra: Partial<RunOptions> = {}) {
    const config = scriptedConfig(world.baseURL, { maxIterations: 3 });
    return new Orchestrator({
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      targets: splitSections(DOC),
      config,
      models: scriptedModels(config, { maxRetries: 1, timeoutMs: 5_000 }),
      emit: (e) => events.push(e),
      outageRetryMs: { first: 200, max: 400 },
      ...extra,
    });
  }

  it('waits while the server is down, says for whom and until when, and goes on with the same attempt once it is back', async () => {
    const events: EngineEvent[] = [];
    let downAt = 0;
    let backAt = 0;
    world.onRequest = (req) => {
      if (req.model === MODELS.weak && !downAt) {
        downAt = Date.now();
        // Down with this request in flight: its connection drops, and new ones are refused for 1.5 s.
        world.back = world
          .down()
          .then(() => new Promise((r) => setTimeout(r, 1_500)))
          .then(() => {
            backAt = Date.now();
            return world.up();
          });
      }
    };
    const summary = await orchestrator(events, { outageLimitSeconds: 30 }).start();

    assert.equal(summary.outcome, 'completed');
    assert.equal(summary.accepted.length, 1);
    assert.deepEqual(
      ofType(events, 'verdict').map((e) => e.verdict.kind),
      ['accepted'],
      'no attempt failed on the outage',
    );
    assert.deepEqual(
      ofType(events, 'attempt_started').map((e) => [e.attemptId, e.iteration]),
      [['s1.1', 1]],
    );
    assert.equal(summary.accepted[0].iterations, 1, 'the outage used no iteration');
    const waits = ofType(events, 'waiting_endpoint');
    assert.ok(waits.length >= 2, `waited ${waits.length} time(s)`);
    const host = `127.0.0.1:${world.port}`;
    assert.ok(waits.every((w) => w.host === host && w.role === 'weak' && w.attemptId === 's1.1' && w.limitSeconds === 30));
    assert.ok(
      waits.some((w) => /Cannot reach 127\.0\.0\.1:\d+\/v1 for weak \(ECONNREFUSED\)/.test(w.reason)),
      waits.map((w) => w.reason).join('\n'),
    );
    assert.equal(new Set(waits.map((w) => w.since)).size, 1, 'one outage, one start time');
    const restored = ofType(events, 'endpoint_restored');
    assert.equal(restored.length, 1);
    assert.equal(restored[0].host, host);
    // Counted from the first request that failed past the SDK's own quick retries.
    assert.ok(restored[0].seconds >= 0.5 && restored[0].seconds < 5, `down for ${restored[0].seconds} s`);
    const lastWeak = world.requests.filter((r) => r.model === MODELS.weak).at(-1)!;
    assert.ok(backAt > downAt && lastWeak.receivedAt >= backAt, 'the weak rollouts were asked for again once the server was back');
    // Every request was announced and ended, with no credentials in what the panel sees.
    const started = ofType(events, 'call_started');
    const ended = ofType(events, 'call_finished');
    assert.equal(started.length, ended.length);
    assert.deepEqual(new Set(ended.map((e) => e.callId)), new Set(started.map((e) => e.callId)));
    assert.ok(ended.some((e) => e.role === 'weak' && e.outcome === 'error'));
    assert.ok(started.every((e) => e.host === host && !/test-key/.test(JSON.stringify(e))));
  });

  it('stops as interrupted at the outage limit; a resume judges the answers it had and asks no solver again', async () => {
    const events: EngineEvent[] = [];
    let down = false;
    world.onRequest = (req) => {
      // Down for good once the weak answers are in and the judge is asked to grade them.
      if (req.model === MODELS.judge && !down) {
        down = true;
        void world.down();
      }
    };
    const t0 = Date.now();
    const summary = await orchestrator(events, { outageLimitSeconds: 1 }).start();
    const ms = Date.now() - t0;
    assert.equal(summary.outcome, 'stopped');
    assert.match(
      summary.message ?? '',
      /^Interrupted: 127\.0\.0\.1:\d+ has not answered for \d+ s \(outage limit 1 s; last: .*\)\. Resume the run once it is back\.$/,
    );
    assert.ok(ms < 6_000, `stopped after ${ms} ms`);
    assert.equal(ofType(events, 'verdict').length, 0);
    const last = events.at(-1) as EventOf<'run_finished'>;
    assert.equal(last.type, 'run_finished');
    assert.equal(last.outcome, 'stopped');

    const point = resumePoint(events);
    assert.equal(point.finished, false, 'resumable');
    assert.equal(point.pending.get('s1')?.attemptId, 's1.1');
    assert.equal(point.pending.get('s1')?.answers?.weak?.length, 3, 'the weak answers, not yet graded, are kept');
    assert.equal(point.iterations.get('s1'), 0, 'the interrupted attempt is taken up again at its own iteration');
    const kept = point.pending.get('s1')!.answers!.weak!.map((r) => r.answer);

    world.onRequest = () => undefined;
    await world.up();
    const before = world.requests.length;
    const again: EngineEvent[] = [];
    const resumed = await orchestrator(again, { resume: point }).start();
    assert.equal(resumed.outcome, 'completed');
    assert.equal(resumed.accepted.length, 1);
    assert.equal(resumed.accepted[0].id, 'r:s1.1');
    assert.equal(resumed.accepted[0].iterations, 1);
    const asked = world.requests.slice(before).map((r) => r.model);
    assert.equal(asked.filter((m) => m === MODELS.weak).length, 0, 'no weak answer asked for again');
    assert.equal(asked.filter((m) => m === MODELS.challenger).length, 0, 'no new question');
    assert.ok(asked.includes(MODELS.judge));
    assert.equal(ofType(again, 'attempt_started').length, 0);
    // The weak answers graded now are the ones the first run journaled.
    const graded = ofType(again, 'grades').find((g) => g.solver === 'weak')!;
    assert.deepEqual(
      graded.rollouts.map((r) => r.answer),
      kept,
    );
  });

  it('stops at once on a refused connection before the endpoint ever answered: a wrong address is not an outage', async () => {
    await world.down();
    const events: EngineEvent[] = [];
    const t0 = Date.now();
    const summary = await orchestrator(events, { outageLimitSeconds: 30 }).start();
    assert.equal(summary.outcome, 'error');
    assert.match(summary.message ?? '', /Cannot reach 127\.0\.0\.1:\d+\/v1 for challenger \(ECONNREFUSED\)/);
    assert.ok(Date.now() - t0 < 5_000);
    assert.equal(ofType(events, 'waiting_endpoint').length, 0);
  });

  it('ends the run at once when the base URL answers with something that is not a chat completion', async () => {
    world.script.respond = () => ({ kind: 'malformed' });
    const events: EngineEvent[] = [];
    const summary = await orchestrator(events, { outageLimitSeconds: 30 }).start();
    assert.equal(summary.outcome, 'error');
    assert.match(summary.message ?? '', /sent a reply that is not valid JSON\. Is this an OpenAI-compatible endpoint\? Check roles\.challenger\.baseUrl/);
    assert.equal(ofType(events, 'waiting_endpoint').length, 0);
  });

  it('waits out a server that answered before and now sends replies that are not chat completions', async () => {
    const events: EngineEvent[] = [];
    const respond = world.script.respond;
    let garbled = 0;
    world.script.respond = (req, ctx) => (req.model === MODELS.weak && garbled++ < 4 ? { kind: 'malformed' } : respond(req, ctx));
    const summary = await orchestrator(events, { outageLimitSeconds: 30 }).start();
    assert.equal(summary.outcome, 'completed');
    assert.deepEqual(
      ofType(events, 'verdict').map((e) => e.verdict.kind),
      ['accepted'],
    );
    assert.ok(ofType(events, 'waiting_endpoint').some((w) => /not valid JSON/.test(w.reason)));
  });

  it('Ctrl-C during an outage ends the wait at once', async () => {
    const events: EngineEvent[] = [];
    world.onRequest = (req) => {
      if (req.model === MODELS.weak) {
        void world.down();
      }
    };
    const orch = orchestrator(events, { outageLimitSeconds: 60, outageRetryMs: { first: 30_000, max: 30_000 } });
    const done = orch.start();
    while (!events.some((e) => e.type === 'waiting_endpoint')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    orch.stop();
    const summary = await done;
    assert.equal(summary.outcome, 'stopped');
    assert.ok(Date.now() - t0 < 1_000, `stopped in ${Date.now() - t0} ms`);
  });
});

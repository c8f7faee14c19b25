// A role served by several base URLs (replicas of one model), each a scripted server with its own concurrency cap:
// requests are spread by the limits each one shows (its 429s), a replica that is really closed mid-run is set aside
// while the others carry the run, asked again later and used once it is back; only when every replica is down does the
// run wait, and the outage limit then ends it as interrupted.
import assert from 'node:assert/strict';
import { CallWatch, DEFAULT_OUTAGE } from '../../../src/core/call-watch';
import { splitSections } from '../../../src/core/chunks';
import type { EngineConfig } from '../../../src/core/config';
import { Orchestrator, type RunOptions } from '../../../src/core/orchestrator';
import { buildModels } from '../../../src/run/models';
import { RUN_DEFAULTS, type RunSettings } from '../../../src/run/settings';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import { startScriptedServer, type RecordedRequest, type Responder, type ScriptedServer, type ScriptedServerOptions } from '../../fakes/openai-server';
import { scriptedConfig } from '../../fakes/scripted-config';
import { endpointProfiles } from '../../../src/core/endpoints/profiles';
import { llamacpp } from '../../fakes/server-profiles/llamacpp';
import { vllm } from '../../fakes/server-profiles/vllm';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e): e is EventOf<T> => e.type === type);
const SECTIONS = 6;
const DOC = Array.from(
  { length: SECTIONS },
  (_, i) => `## Part ${i + 1}\n\n${`Part ${i + 1} explains how the method trades compute for accuracy, and the paper measures it carefully. `.repeat(8)}\n`,
).join('\n');

/** A scripted server on one port that can really go down (listener closed, connections dropped) and come back. */
class Replica {
  server!: ScriptedServer;
  port = 0;
  /** Chat requests every incarnation received, with the time. */
  readonly requests: RecordedRequest[] = [];
  refused = 0;
  onRequest: (req: RecordedRequest) => void = () => undefined;

  constructor(
    private readonly respond: Responder,
    readonly cap?: number,
    readonly profile?: ScriptedServerOptions['profile'],
  ) {}

  async up(): Promise<void> {
    this.server = await startScriptedServer({
      port: this.port || undefined,
      models: Object.values(MODELS),
      maxConcurrent: this.cap,
      profile: this.profile,
      respond: (req, ctx) => {
        if (ctx.choiceIndex === 0) {
          this.requests.push(req);
          this.onRequest(req);
        }
        return this.respond(req, ctx);
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
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }
  /** Requests it refused with 429 (too many at once), in its current incarnation. */
  get tooMany(): number {
    return this.server.requests.filter((r) => r.status === 429).length;
  }
}

function settingsOf(engine: EngineConfig, extra: Partial<RunSettings> = {}): RunSettings {
  return { ...RUN_DEFAULTS, endpoints: {}, benchmarkFiles: [], engine, requestConcurrency: 16, maxRetries: 1, timeoutMs: 5_000, ...extra };
}

/** Every role on the first replica's base URL, the others listed as its replicas. */
function replicaConfig(replicas: Replica[], patch: Partial<EngineConfig> = {}): EngineConfig {
  const cfg = scriptedConfig(replicas[0].baseURL, patch);
  for (const r of Object.values(cfg.roles)) {
    r.replicas = replicas.slice(1).map((x) => x.baseURL);
  }
  return cfg;
}

describe('replicas of one model', function () {
  this.timeout(60_000);
  let replicas: Replica[] = [];
  let back: Promise<void> = Promise.resolve();
  afterEach(async () => {
    await back;
    await Promise.all(replicas.map((r) => r.down().catch(() => undefined)));
    replicas = [];
  });

  async function start(count: number, respond: Responder, caps: Array<number | undefined> = []): Promise<Replica[]> {
    replicas = Array.from({ length: count }, (_, i) => new Replica(respond, caps[i]));
    await Promise.all(replicas.map((r) => r.up()));
    return replicas;
  }

  it('spreads requests by the limits each replica shows (caps 2, 4 and 8 behind a client limit of 16)', async () => {
    const [small, mid, large] = await start(3, () => ({ content: 'ok', latencyMs: 120 }), [2, 4, 8]);
    const models = buildModels(settingsOf(replicaConfig([small, mid, large])), new Map());
    const events: EngineEvent[] = [];
    const ctl = new AbortController();
    const watch = new CallWatch({
      emit: (e) => events.push(e as EngineEvent),
      now: () => new Date(),
      signal: ctl.signal,
      outage: DEFAULT_OUTAGE,
      interrupt: () => undefined,
    });
    const weak = watch.wrap('weak', models.weak);
    // 14 callers, one request after another each: as many at once as the three caps admit together.
    const total = 280;
    let sent = 0;
    await Promise.all(
      Array.from({ length: 14 }, async () => {
        while (sent < total) {
          sent++;
          await weak.complete({ messages: [{ role: 'user', content: `question ${sent}` }] });
        }
      }),
    );
    const answered = (r: Replica) => r.server.requests.filter((q) => q.status === 200).length;
    const counts = [small, mid, large].map(answered);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      total,
      `every request answered once: ${counts.join(', ')}`,
    );
    assert.ok(counts[0] < counts[1] && counts[1] < counts[2], `the split follows the caps 2 < 4 < 8: ${counts.join(', ')}`);
    assert.ok(counts[2] / total > 0.5, `the cap-8 replica takes more than half (8 of the 14 slots): ${counts.join(', ')}`);
    assert.ok(counts[0] / total < 0.25, `the cap-2 replica takes the smallest: ${counts.join(', ')}`);
    const refused = [small, mid, large].map((r) => r.tooMany);
    assert.ok(refused.reduce((a, b) => a + b, 0) <= 20, `the limits are learned, not hammered: 429s ${refused.join(', ')} for ${total} requests`);
    // Every call event names the host it went to; a try that failed (a 429 past the retries) was asked again elsewhere.
    const started = ofType(events, 'call_started');
    assert.equal(ofType(events, 'call_finished').filter((e) => e.outcome === 'ok').length, total);
    assert.deepEqual(new Set(started.map((e) => e.host)), new Set([small.host, mid.host, large.host]));
  });

  it('learns what each replica accepts on its own: a llama.cpp replica refusing n > 1 does not stop n on a vLLM one', async () => {
    const respond: Responder = (req) => ({ choices: Array.from({ length: req.n }, (_, i) => ({ content: `answer ${i + 1}` })), latencyMs: 20 });
    replicas = [new Replica(respond, undefined, llamacpp), new Replica(respond, undefined, vllm)];
    await Promise.all(replicas.map((r) => r.up()));
    const [cpp, v] = replicas;
    const models = buildModels(settingsOf(replicaConfig([cpp, v])), new Map());
    const ctl = new AbortController();
    const watch = new CallWatch({ emit: () => undefined, now: () => new Date(), signal: ctl.signal, outage: DEFAULT_OUTAGE, interrupt: () => undefined });
    const weak = watch.wrap('weak', models.weak);
    for (let i = 0; i < 8; i++) {
      const r = await weak.complete({ messages: [{ role: 'user', content: `question ${i}` }], n: 3 });
      assert.equal(r.choices.length, 3);
    }
    assert.equal(endpointProfiles.profile(cpp.baseURL, MODELS.weak).capabilities.n, 'rejected');
    assert.equal(endpointProfiles.profile(v.baseURL, MODELS.weak).capabilities.n, 'honoured');
    const last = (r: Replica) => r.requests.at(-1)!;
    assert.ok(cpp.requests.length > 1 && v.requests.length > 1, `both used: ${cpp.requests.length}, ${v.requests.length}`);
    assert.equal(last(cpp).n, 1, 'the llama.cpp replica is asked one sample at a time');
    assert.equal(last(v).n, 3, 'the vLLM replica still gets n = 3');
  });

  it('a replica closed mid-run is set aside, the others finish every section with no lost iteration, and it is used again once back', async () => {
    const script = scriptRoles(
      Array.from({ length: SECTIONS }, () => GOOD),
      { solverLatencyMs: 400, judgeLatencyMs: 200, challengerLatencyMs: 300 },
    );
    const [a, b, c] = await start(3, script.respond);
    let downAt = 0;
    let backAt = 0;
    b.onRequest = (req) => {
      if (req.model === MODELS.weak && !downAt) {
        downAt = Date.now();
        // Down with this request in flight: its connection drops, and new ones are refused for a second.
        back = b
          .down()
          .then(() => new Promise((r) => setTimeout(r, 1_000)))
          .then(() => {
            backAt = Date.now();
            return b.up();
          });
      }
    };
    const events: EngineEvent[] = [];
    const config = replicaConfig([a, b, c], { maxIterations: 3, targetConcurrency: 2 });
    const orch = new Orchestrator({
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      targets: splitSections(DOC),
      config,
      models: buildModels(settingsOf(config), new Map()),
      emit: (e) => events.push(e),
      outageLimitSeconds: 30,
      outageRetryMs: { first: 200, max: 400 },
    } satisfies RunOptions);
    const summary = await orch.start();
    await back;

    assert.equal(summary.outcome, 'completed', summary.message);
    assert.equal(summary.accepted.length, SECTIONS);
    assert.ok(
      summary.accepted.every((r) => r.iterations === 1),
      'no iteration lost to the closed replica',
    );
    assert.deepEqual(
      ofType(events, 'verdict').map((e) => e.verdict.kind),
      Array(SECTIONS).fill('accepted'),
    );
    assert.ok(downAt > 0, 'the replica went down mid-run');
    assert.deepEqual(
      ofType(events, 'replica_set_aside').map((e) => e.host),
      [b.host],
    );
    assert.equal(ofType(events, 'waiting_endpoint').length, 0, 'the run never waited: the other replicas answered');
    assert.ok(
      ofType(events, 'endpoint_restored').some((e) => e.host === b.host),
      'the replica is back on record',
    );
    const afterBack = b.requests.filter((r) => r.receivedAt >= backAt);
    assert.ok(backAt > 0 && afterBack.length > 0, `the closed replica was asked again and used once back (${afterBack.length} requests)`);
    const ended = ofType(events, 'call_finished');
    assert.ok(ended.some((e) => e.host === b.host && e.outcome === 'error'));
    assert.deepEqual(new Set(ofType(events, 'call_started').map((e) => e.host)), new Set([a.host, b.host, c.host]));
    assert.ok(a.requests.length > 0 && c.requests.length > 0);
  });

  it('waits only when every replica is down, and the outage limit ends the run as interrupted', async () => {
    const script = scriptRoles([GOOD]);
    const [a, b] = await start(2, script.respond);
    let down = false;
    const onRequest = (req: RecordedRequest) => {
      if (req.model === MODELS.judge && !down) {
        down = true;
        void a.down();
        void b.down();
      }
    };
    a.onRequest = onRequest;
    b.onRequest = onRequest;
    const events: EngineEvent[] = [];
    const config = replicaConfig([a, b], { maxIterations: 3 });
    const t0 = Date.now();
    const summary = await new Orchestrator({
      runId: 'r',
      document: { path: 'p.md', text: DOC.split('\n## ')[0] },
      targets: splitSections(DOC.split('\n## ')[0]),
      config,
      models: buildModels(settingsOf(config), new Map()),
      emit: (e) => events.push(e),
      outageLimitSeconds: 1,
      outageRetryMs: { first: 200, max: 400 },
    }).start();
    assert.equal(summary.outcome, 'stopped');
    const group = `${a.host}, ${b.host}`;
    assert.match(
      summary.message ?? '',
      /^Interrupted: 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ has not answered for \d+ s \(outage limit 1 s; last: .*\)\. Resume the run once it is back\.$/,
    );
    assert.ok(summary.message?.startsWith(`Interrupted: ${group} `));
    assert.ok(Date.now() - t0 < 15_000);
    const waits = ofType(events, 'waiting_endpoint');
    assert.ok(waits.length >= 1 && waits.every((w) => w.host === group), waits.map((w) => w.host).join('; '));
    assert.deepEqual(new Set(ofType(events, 'replica_set_aside').map((e) => e.host)), new Set([a.host, b.host]));
    assert.equal(ofType(events, 'verdict').length, 0);
  });
});

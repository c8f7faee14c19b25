// Transport and model faults through the whole engine: bounded retries, clear reasons, the run goes on.
import assert from 'node:assert/strict';
import type { EngineConfig } from '../../../src/core/config';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import type { ScriptedReply } from '../../fakes/openai-server';
import { MODELS, type ScriptedQuestion } from '../../fakes/scripted-roles';
import { startRun, Worlds } from '../../fakes/scripted-run';

const DOC = `# Section\n\n${'The method trades compute for accuracy in a way the paper measures carefully. '.repeat(10)}\n`;
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };

describe('faults', function () {
  this.timeout(30_000);
  const worlds = new Worlds();
  afterEach(() => worlds.close());

  async function run(
    faults: Array<[string, ScriptedReply, number?]>,
    opts: { maxRetries?: number; timeoutMs?: number; patch?: Partial<EngineConfig>; questions?: ScriptedQuestion[]; outageLimitSeconds?: number } = {},
  ) {
    const pending = faults.map(([model, reply, count]) => ({ model, reply, left: count ?? 1 }));
    const w = await worlds.world({
      questions: opts.questions ?? [GOOD],
      before: (req, ctx) => {
        const f = pending.find((x) => x.model === req.model && x.left > 0);
        if (f && ctx.choiceIndex === 0) {
          f.left--;
          return f.reply;
        }
        return undefined;
      },
      config: { maxIterations: 3, ...opts.patch },
      models: { maxRetries: opts.maxRetries ?? 2, timeoutMs: opts.timeoutMs },
    });
    const t0 = Date.now();
    const {
      orch,
      events,
      run: started,
    } = startRun(w, {
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      outageLimitSeconds: opts.outageLimitSeconds,
      outageRetryMs: { first: 50, max: 200 },
    });
    const summary = await started;
    return { summary, events, server: w.server, ms: Date.now() - t0, orch };
  }
  const verdicts = (events: EngineEvent[]) => events.filter((e): e is EventOf<'verdict'> => e.type === 'verdict').map((e) => e.verdict);

  for (const status of [429, 500, 502, 503]) {
    it(`retries a ${status} with backoff and succeeds`, async () => {
      const headers = status === 429 ? { 'retry-after': '0.05' } : undefined;
      const r = await run([[MODELS.weak, { kind: 'error', status, headers }, 2]]);
      assert.equal(r.summary.accepted.length, 1);
      assert.equal(r.server.requests.filter((x) => x.model === MODELS.weak).length, 3, 'two failures, then success');
    });
  }

  it('honours retry-after on a 429', async () => {
    const r = await run([[MODELS.challenger, { kind: 'error', status: 429, headers: { 'retry-after': '1' } }, 1]]);
    const [first, second] = r.server.requests.filter((x) => x.model === MODELS.challenger);
    assert.ok(second.receivedAt - first.receivedAt >= 950, `waited ${second.receivedAt - first.receivedAt} ms`);
    assert.equal(r.summary.accepted.length, 1);
  });

  it('waits out a 503 that outlives the retries, with a clear reason, and asks again: no attempt fails', async () => {
    const r = await run([[MODELS.strong, { kind: 'error', status: 503 }, 2]], { maxRetries: 1 });
    const v = verdicts(r.events);
    assert.deepEqual(
      v.map((x) => x.kind),
      ['accepted'],
      'the attempt the outage hit goes on and is the one accepted',
    );
    const waits = r.events.filter((e): e is EventOf<'waiting_endpoint'> => e.type === 'waiting_endpoint');
    assert.equal(waits.length, 1);
    assert.equal(waits[0].role, 'strong');
    assert.equal(waits[0].host, new URL(r.server.baseURL).host);
    assert.match(waits[0].reason, /failed \(503\)/);
    assert.ok(r.events.some((e) => e.type === 'endpoint_restored'));
    assert.equal(r.server.requests.filter((x) => x.model === MODELS.strong).length, 3, 'two 503s (one SDK retry), then the same request again');
  });

  it('retries a reset connection, a malformed body and a truncated body', async () => {
    const r = await run([
      [MODELS.judge, { kind: 'reset' }, 1],
      [MODELS.weak, { kind: 'malformed' }, 1],
      [MODELS.strong, { kind: 'truncated' }, 1],
    ]);
    assert.equal(r.summary.accepted.length, 1);
    assert.equal(verdicts(r.events).length, 1);
  });

  it('times out a server that never answers, waits and asks again, and the attempt goes on', async () => {
    const r = await run([[MODELS.quality, { kind: 'hang' }, 1]], { maxRetries: 0, timeoutMs: 300 });
    assert.deepEqual(
      verdicts(r.events).map((x) => x.kind),
      ['accepted'],
    );
    const wait = r.events.find((e): e is EventOf<'waiting_endpoint'> => e.type === 'waiting_endpoint');
    assert.match(wait?.reason ?? '', /did not answer in time/);
    assert.equal(wait?.role, 'quality');
    assert.equal(r.summary.accepted.length, 1);
  });

  it('never burns an attempt on an endpoint that keeps failing, and stops as interrupted at the outage limit', async () => {
    const w = await worlds.world({ respond: () => ({ kind: 'error', status: 500 }), config: { maxIterations: 10 }, models: { maxRetries: 0 } });
    const server = w.server;
    const t0 = Date.now();
    const { events, run: done } = startRun(w, {
      runId: 'r',
      document: { path: 'p.md', text: DOC },
      outageLimitSeconds: 1,
      outageRetryMs: { first: 100, max: 400 },
    });
    const summary = await done;
    const ms = Date.now() - t0;
    assert.equal(summary.outcome, 'stopped');
    assert.match(summary.message ?? '', /^Interrupted: .* has not answered for \d+ s \(outage limit 1 s; last: .*failed \(500\)/);
    assert.ok(ms >= 1000 && ms < 5000, `stopped after ${ms} ms`);
    assert.equal(verdicts(events).length, 0, 'no attempt was judged on an outage');
    assert.deepEqual(
      events.filter((e) => e.type === 'attempt_started').map((e) => (e as EventOf<'attempt_started'>).iteration),
      [1],
    );
    const waits = events.filter((e): e is EventOf<'waiting_endpoint'> => e.type === 'waiting_endpoint');
    assert.deepEqual(
      waits.slice(0, 3).map((w) => w.retryInSeconds),
      [0.1, 0.2, 0.4],
      'backoff doubles',
    );
    assert.equal(waits.length, 4);
    assert.ok(waits[3].retryInSeconds > 0 && waits[3].retryInSeconds < 0.4, 'the last wait ends at the limit, not past it');
    assert.ok(waits.every((w) => w.since === waits[0].since && w.role === 'challenger' && w.limitSeconds === 1));
    assert.equal(server.requests.length, 5, 'one request, then one per wait');
    const finished = events.find((e): e is EventOf<'target_finished'> => e.type === 'target_finished');
    assert.equal(finished?.outcome, 'stopped');
  });

  for (const [name, content, why] of [
    ['invalid JSON', 'here is my question: {oops', /not valid JSON/],
    ['JSON that breaks the schema', JSON.stringify({ question: 'Q1: x' }), /rubric/],
    ['an empty reply', '', /empty/],
    [
      'a rubric with no criteria',
      JSON.stringify({
        question: 'Q1: why?',
        questionType: 'x',
        skills: [],
        angle: 'a',
        referenceAnswer: 'r',
        rubric: [],
        sourceQuote: 'The method trades compute',
      }),
      /rubric/,
    ],
  ] as const) {
    it(`repairs or fails cleanly on ${name} from the Challenger`, async () => {
      const r = await run([[MODELS.challenger, { content }, 2]]);
      const v = verdicts(r.events);
      assert.equal(v[0].kind, 'failed');
      assert.match(v[0].reasons[0], why);
      assert.equal(r.summary.accepted.length, 1, 'the run goes on');
    });
  }

  it('treats a refusal from the Challenger as a failed attempt with the refusal as the reason', async () => {
    const r = await run([[MODELS.challenger, { content: '', refusal: 'I cannot help with that.' }, 2]]);
    assert.match(verdicts(r.events)[0].reasons[0], /refused: I cannot help with that/);
  });

  const partial = JSON.stringify({ grades: [{ answer: 'A', marks: [{ criterion: 1, met: true, reason: 'ok' }] }] });
  const started = (events: EngineEvent[]) => events.filter((e): e is EventOf<'attempt_started'> => e.type === 'attempt_started');

  it('asks the judge again when its grades stay unusable after the repair: no attempt is lost, no silent zero', async () => {
    // Each of the 3 weak rollouts is graded in its own call: all 3 first replies and their 3 repairs are partial.
    const r = await run([[MODELS.judge, { content: partial }, 6]]);
    assert.deepEqual(
      verdicts(r.events).map((v) => v.kind),
      ['accepted'],
    );
    const grades = r.events.find((e): e is EventOf<'grades'> => e.type === 'grades')!;
    assert.ok(grades.rollouts.every((x) => x.score !== undefined && !x.failure));
  });

  it('ends an attempt whose judge cannot grade without counting it: the same iteration goes on with a new question', async () => {
    // Two rounds of a request and its repair, for each of the 3 weak rollouts.
    const r = await run([[MODELS.judge, { content: partial }, 12]]);
    const v = verdicts(r.events);
    assert.deepEqual(
      v.map((x) => x.kind),
      ['failed', 'accepted'],
    );
    assert.match(v[0].reasons[0], /^not counted: the judge's grades could not be used/);
    assert.equal(v[0].uncounted, true, 'marked as not counted');
    assert.deepEqual(
      started(r.events).map((e) => [e.attemptId, e.iteration]),
      [
        ['s1.1', 1],
        ['s1.1-2', 1],
      ],
    );
    assert.equal(r.summary.accepted[0].iterations, 1);
    assert.equal(r.events.filter((e) => e.type === 'feedback').length, 0, 'the Challenger is not told its question failed');
  });

  it('stops the run, resumable, when the judge stays unusable for three attempts in a row', async () => {
    const r = await run([[MODELS.judge, { content: partial }, 1000]], { patch: { maxIterations: 2 } });
    assert.equal(r.summary.outcome, 'stopped');
    assert.match(r.summary.message ?? '', /^Interrupted: the replies of the judge \(judge-model\) could not be used 3 times in a row .*Check roles\.judge/);
    assert.deepEqual(
      started(r.events).map((e) => [e.attemptId, e.iteration]),
      [
        ['s1.1', 1],
        ['s1.1-2', 1],
        ['s1.1-3', 1],
      ],
    );
    const finished = r.events.find((e): e is EventOf<'target_finished'> => e.type === 'target_finished');
    assert.equal(finished?.outcome, 'stopped');
  });

  it('ends an attempt whose quality check cannot be used without counting it', async () => {
    const r = await run([[MODELS.quality, { content: 'no json here' }, 2]]);
    const v = verdicts(r.events);
    assert.deepEqual(
      v.map((x) => x.kind),
      ['failed', 'accepted'],
    );
    assert.match(v[0].reasons[0], /^not counted: the quality check's reply could not be used/);
    assert.deepEqual(
      started(r.events).map((e) => e.iteration),
      [1, 1],
    );
  });
});

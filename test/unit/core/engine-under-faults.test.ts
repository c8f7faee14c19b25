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
    opts: { maxRetries?: number; timeoutMs?: number; patch?: Partial<EngineConfig>; questions?: ScriptedQuestion[] } = {},
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
    const { orch, events, run: started } = startRun(w, { runId: 'r', document: { path: 'p.md', text: DOC } });
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

  it('gives up after bounded retries with a clear reason, records the attempt as failed and goes on', async () => {
    const r = await run([[MODELS.strong, { kind: 'error', status: 503 }, 2]], { maxRetries: 1 });
    const v = verdicts(r.events);
    assert.equal(v[0].kind, 'failed');
    assert.match(v[0].reasons[0], /failed \(503\)/);
    assert.equal(v[1].kind, 'accepted', 'the next attempt runs');
    assert.ok(r.events.some((e) => e.type === 'error' && /503/.test(e.message)));
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

  it('times out a server that never answers, then goes on', async () => {
    const r = await run([[MODELS.quality, { kind: 'hang' }, 1]], { maxRetries: 0, timeoutMs: 300 });
    const v = verdicts(r.events);
    assert.equal(v[0].kind, 'failed');
    assert.match(v[0].reasons[0], /did not answer in time/);
    assert.equal(r.summary.accepted.length, 1);
  });

  it('pauses the run after repeated transport failures instead of burning attempts', async () => {
    const w = await worlds.world({ respond: () => ({ kind: 'error', status: 500 }), config: { maxIterations: 10 }, models: { maxRetries: 0 } });
    const server = w.server;
    const { orch, events, run: done } = startRun(w, { runId: 'r', document: { path: 'p.md', text: DOC } });
    for (let i = 0; i < 200 && !events.some((e) => e.type === 'state' && e.state === 'paused'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(
      events.some((e) => e.type === 'state' && e.state === 'paused'),
      'paused',
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.requests.length, 3, 'no request while paused');
    assert.equal(verdicts(events).filter((v) => v.kind === 'failed').length, 3);
    orch.stop();
    assert.equal((await done).outcome, 'stopped');
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

  it('fails a judge reply that leaves criteria ungraded after the repair, without a silent zero', async () => {
    const partial = JSON.stringify({ grades: [{ answer: 'A', marks: [{ criterion: 1, met: true, reason: 'ok' }] }] });
    // Each of the 3 weak rollouts is graded in its own call: all 3 first replies and their 3 repairs are partial.
    const r = await run([[MODELS.judge, { content: partial }, 6]]);
    const v = verdicts(r.events);
    assert.equal(v[0].kind, 'failed');
    assert.match(v[0].reasons[0], /could be measured \(judge failed/);
    const grades = r.events.find((e): e is EventOf<'grades'> => e.type === 'grades')!;
    assert.ok(grades.rollouts.every((x) => x.score === undefined && x.failure));
  });
});

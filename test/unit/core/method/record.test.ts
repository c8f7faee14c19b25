// What every item records: learnability, the method (preset, thresholds, recipe version), and a seed per rollout.
import assert from 'node:assert/strict';
import { defaultEngineConfig } from '../../../../src/core/config';
import { learnability, stdDev } from '../../../../src/core/learnability';
import type { ChatModel, ChatRequest, ChatResult } from '../../../../src/core/models';
import { decide, decideFromWeak } from '../../../../src/core/policy';
import { DEFAULT_PROMPTS } from '../../../../src/core/prompts';
import { buildRecord } from '../../../../src/core/record';
import { rolloutSeeds, solve } from '../../../../src/core/roles';
import { UsageMeter } from '../../../../src/core/usage';
import { DatasetRecord, type Challenge, type Role, type WithSecondJudge } from '../../../../src/shared/schemas';
import { POLICY_PRESETS } from '../../../../src/shared/thresholds';
import { errorBody } from '../../../fakes/openai-server';
import { Worlds } from '../../../fakes/scripted-run';
import { closeWorlds, GOOD, ofType, run } from './harness';

/** A solver that answers with the seed it was sent, and cuts off the first answer for one seed. */
function seededModel(cutOnce?: number) {
  const requests: Array<ChatRequest & { seed?: number }> = [];
  let cut = cutOnce;
  const model: ChatModel = {
    model: 'm',
    endpoint: 'local',
    async complete(req: ChatRequest & { seed?: number }): Promise<ChatResult> {
      requests.push(req);
      const n = req.n ?? 1;
      const choices = Array.from({ length: n }, (_, i) => {
        if (req.seed !== undefined && req.seed === cut) {
          cut = undefined;
          return { text: 'half', finishReason: 'length' };
        }
        return { text: `answer with seed ${req.seed ?? 'none'} choice ${i}`, finishReason: 'stop' };
      });
      return { choices, promptTokens: 1, completionTokens: 1, calls: 1 };
    },
  };
  return { model, requests };
}

function ctxWith(model: ChatModel, patch: Partial<ReturnType<typeof defaultEngineConfig>>) {
  const config = { ...defaultEngineConfig(), ...patch };
  const models = Object.fromEntries((['challenger', 'quality', 'weak', 'strong', 'judge'] as Role[]).map((r) => [r, model])) as WithSecondJudge<ChatModel>;
  return { models, config, prompts: DEFAULT_PROMPTS, usage: new UsageMeter(), signal: new AbortController().signal };
}

describe('method: what every item records', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it("measures the weak rollouts' spread and flags equal scores", () => {
    assert.equal(stdDev([0.3, 0.4, 0.5]), 0.081649658);
    assert.deepEqual(learnability([0.3, 0.4, 0.5]), { weakStd: 0.081649658, weakRange: 0.2, flat: false });
    assert.deepEqual(learnability([0.4, 0.4, 0.4]), { weakStd: 0, weakRange: 0, flat: true });
    assert.equal(learnability([]), undefined);
  });

  it('filters low spread only when asked, before the strong solver runs', () => {
    const p = { ...POLICY_PRESETS.paperAppendix, weakMinStd: 0.05 };
    assert.equal(decideFromWeak(p, [0.4, 0.4, 0.4])?.kind, 'low_spread');
    assert.equal(decideFromWeak(p, [0.3, 0.4, 0.5]), undefined);
    assert.equal(decide(POLICY_PRESETS.paperAppendix, [0.4, 0.4, 0.4], [0.8, 0.8, 0.9]).kind, 'accepted', 'off by default');
  });

  it('records learnability on every item, and the filter sends a flat item back through a real run', async () => {
    const flat = { weak: [0.4, 0.4, 0.4], strong: [0.8, 0.8, 0.9] };
    const off = await run([flat]);
    assert.deepEqual(off.summary.accepted[0].learnability, { weakStd: 0, weakRange: 0, flat: true });
    const on = await run([flat, GOOD], { policy: { ...POLICY_PRESETS.paperAppendix, weakMinStd: 0.05 } });
    const v = ofType(on.events, 'verdict');
    assert.deepEqual([v[0].verdict.kind, v[0].strongSkipped], ['low_spread', true]);
    assert.match(on.script.challengerPrompts[1], /The weak rollouts scored too alike to learn from/);
    assert.deepEqual(on.summary.accepted[0].learnability, { weakStd: 0.081649658, weakRange: 0.2, flat: false });
  });

  it('gives each rollout its own seed, one request each, and keeps it through a retry', async () => {
    const seeds = rolloutSeeds('Q1: why?', 'weak', 3);
    assert.equal(new Set(seeds).size, 3);
    assert.deepEqual(
      seeds.map((s) => s - seeds[0]),
      [0, 1, 2],
    );
    assert.deepEqual(rolloutSeeds('Q1: why?', 'weak', 3), seeds, 'the same question asks with the same seeds');
    assert.notDeepEqual(rolloutSeeds('Q1: why?', 'strong', 3), seeds);
    assert.ok(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 31));
    const m = seededModel(seeds[1]);
    const rollouts = await solve(ctxWith(m.model, { rolloutSeeds: true }), 'weak', 'Q1: why?');
    assert.deepEqual(
      m.requests.slice(0, 3).map((r) => [r.n, r.seed]),
      seeds.map((s) => [1, s]),
    );
    assert.deepEqual(
      m.requests.slice(3).map((r) => [r.seed, r.maxTokens]),
      [[seeds[1], 4096]],
      'the cut-off rollout is retried with its own seed',
    );
    assert.deepEqual(
      rollouts.map((r) => [r.seed, r.answer, r.failure]),
      seeds.map((s) => [s, `answer with seed ${s} choice 0`, undefined]),
    );
    const plain = seededModel();
    const unseeded = await solve(ctxWith(plain.model, { rolloutSeeds: false }), 'weak', 'Q1: why?');
    assert.deepEqual(
      plain.requests.map((r) => [r.n, r.seed]),
      [[3, undefined]],
    );
    assert.ok(unseeded.every((r) => r.seed === undefined));
  });

  it('records no seed for a rollout of an endpoint that rejects seeds (each request is re-sent without one)', async () => {
    const worlds = new Worlds();
    try {
      const w = await worlds.world({
        questions: [GOOD],
        config: { rolloutSeeds: true },
        before: (req) =>
          req.body?.seed !== undefined
            ? {
                kind: 'error',
                status: 400,
                body: errorBody("Unsupported parameter: 'seed' is not supported with this model.", 'invalid_request_error', 'seed'),
              }
            : undefined,
      });
      const models = w.models();
      const ctx = { models, config: w.config, prompts: DEFAULT_PROMPTS, usage: new UsageMeter(), signal: new AbortController().signal };
      const rollouts = await solve(ctx, 'weak', 'Q1: why does the router balance load?');
      assert.equal(rollouts.length, 3);
      assert.ok(
        rollouts.every((r) => r.seed === undefined && !r.failure),
        JSON.stringify(rollouts),
      );
      const sent = w.server.requests.filter((r) => r.status === 200);
      assert.equal(sent.length, 3);
      assert.ok(sent.every((r) => r.body.seed === undefined));
      // Where seeds are taken, each rollout records the seed it was sent.
      const seeded = await solve(ctxWith(seededModel().model, { rolloutSeeds: true }), 'weak', 'Q1: why?');
      assert.deepEqual(
        seeded.map((r) => r.seed),
        rolloutSeeds('Q1: why?', 'weak', 3),
      );
    } finally {
      await worlds.close();
    }
  });

  it("records the method, the seeds and the document's own quote", () => {
    const cfg = { ...defaultEngineConfig(), rolloutSeeds: true };
    const c: Challenge = {
      question: 'Q?',
      questionType: 't',
      skills: [],
      angle: 'a',
      referenceAnswer: 'r',
      sourceQuote: 'sparse attention cuts cost',
      rubric: [{ criterion: 'x', weight: 1, negative: false }],
      analysis: { weakFailures: 'w', strongNeeds: 's' },
    };
    const text = 'Intro. **Sparse attention** cuts cost. More.';
    const start = text.indexOf('**');
    const end = text.indexOf(' More');
    const rollout = (solver: 'weak' | 'strong', index: number, score: number, seed?: number) => ({ solver, index, answer: 'a', score, seed });
    const rec = buildRecord({
      runId: 'r',
      attemptId: 's1.1',
      createdAt: 'now',
      challenge: c,
      document: { path: 'p.md', sha256: 'a'.repeat(64), text },
      quoteRange: { start, end },
      weak: [rollout('weak', 0, 0.3, 64), { ...rollout('weak', 1, 0.4, 65), failure: 'cut off', score: undefined }, rollout('weak', 2, 0.5, 66)],
      strong: [rollout('strong', 0, 0.8, 128), rollout('strong', 1, 0.9, 129)],
      verdict: { kind: 'accepted', reasons: [] },
      iterations: 2,
      models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
      promptVersion: 'v',
      config: cfg,
      recipeVersion: 4,
    });
    DatasetRecord.parse(rec);
    assert.deepEqual(rec.method, {
      preset: 'cs',
      recipeVersion: 4,
      policy: cfg.policy,
      rubricShape: 'paper',
      judgeMode: 'perRollout',
      rollouts: { weak: 3, strong: 3 },
    });
    assert.deepEqual(rec.scores.weak.seeds, [64, 66], 'the seeds of the scored rollouts, in their order');
    assert.deepEqual(rec.scores.strong.seeds, [128, 129]);
    assert.equal(rec.source.quote, '**Sparse attention** cuts cost.');
    assert.equal(rec.source.quote, text.slice(rec.source.range.start, rec.source.range.end));
    assert.equal(rec.source.modelQuote, 'sparse attention cuts cost');
    assert.deepEqual(rec.analysis, { weakFailures: 'w', strongNeeds: 's' });
  });
});

// The engine's model layer (OpenAICompatibleModel, structured output and the roles) through the openai SDK over real
// HTTP against every server family the scripted server plays: JSON roles parse, solvers get clean answers, `n` is
// asked for the way each family allows without serial top-ups, reasoning is kept apart, and fatal errors say the fix.
import assert from 'node:assert/strict';
import { splitSections } from '../../../../src/core/chunks';
import type { EngineConfig } from '../../../../src/core/config';
import { EndpointProfiles } from '../../../../src/core/endpoints/profiles';
import { ModelError, type ChatModel, type OpenAICompatibleModel } from '../../../../src/core/models';
import { DEFAULT_PROMPTS } from '../../../../src/core/prompts';
import { challenge, checkQuality, judge, solve, type RoleContext } from '../../../../src/core/roles';
import { StructuredOutputError } from '../../../../src/core/structured';
import { UsageMeter } from '../../../../src/core/usage';
import { ROLES, type Role, type WithSecondJudge } from '../../../../src/shared/schemas';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../../fakes/openai-server';
import { scriptedConfig, scriptedModels, type ScriptedModelOptions } from '../../../fakes/scripted-config';
import { MODELS, scriptRoles, type ScriptLatency } from '../../../fakes/scripted-roles';
import { PROFILES, type ServerProfile } from '../../../fakes/server-profiles';

/** A rubric of the paper's shape (10 positive, 3 negative criteria), so the local shape check lets the verifier run. */
const PAPER_RUBRIC = Array.from({ length: 13 }, (_, i) => ({ criterion: `criterion ${i + 1}`, weight: 2, negative: i >= 10 }));

const DOC = `# Mixture of experts\n\nA router sends each token to a few experts, so compute grows slower than parameters. ${'Load balancing losses keep the experts busy. '.repeat(6)}\n`;
const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const REASONING = /Let me think|<\/?think>|"draft"/;

/** What the family does with n > 1, as its profile emulates it. */
function nMode(p: ServerProfile): 'honoured' | 'ignored' | 'rejected' {
  return p.refuse?.({ n: 3, body: { n: 3 } } as unknown as RecordedRequest) ? 'rejected' : p.n;
}

describe('server families', function () {
  this.timeout(30_000);
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function setup(
    profile: ServerProfile,
    opts: { maxTokens?: Partial<Record<Role, number>>; models?: ScriptedModelOptions; latency?: ScriptLatency } = {},
  ) {
    const script = scriptRoles([GOOD], opts.latency);
    const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), profile });
    servers.push(server);
    const config: EngineConfig = scriptedConfig(server.baseURL);
    for (const role of ROLES) {
      config.roles[role].maxTokens = opts.maxTokens?.[role] ?? 2048;
    }
    const profiles = new EndpointProfiles();
    const models = scriptedModels(config, { profiles, ...opts.models }) as Record<Role, OpenAICompatibleModel>;
    const ctx: RoleContext = {
      models: models as WithSecondJudge<ChatModel>,
      config,
      prompts: DEFAULT_PROMPTS,
      usage: new UsageMeter(),
      signal: new AbortController().signal,
    };
    return { server, config, models, ctx, profiles, target: splitSections(DOC)[0] };
  }
  const of = (s: ScriptedServer, model: string) => s.requests.filter((r) => r.model === model);

  for (const profile of PROFILES) {
    describe(profile.name, () => {
      it('parses every JSON role, gives the solvers clean answers, plain and streamed, and grades them', async () => {
        const h = await setup(profile);
        const c = await challenge(h.ctx, { target: h.target, history: '', note: '', recipe: '' });
        assert.match(c.question, /^Q1: /);
        assert.ok(DOC.includes(c.sourceQuote), 'the quote comes from the source the Challenger was sent');
        assert.equal((await checkQuality(h.ctx, h.target, c)).pass, true);

        const weak = await solve(h.ctx, 'weak', c.question);
        const deltas: string[][] = [[], [], []];
        const strong = await solve(h.ctx, 'strong', c.question, (i, t) => deltas[i].push(t));
        for (const r of [...weak, ...strong]) {
          assert.equal(r.failure, undefined, `${r.solver}#${r.index}: ${r.failure}`);
          assert.match(r.answer, new RegExp(`^${r.solver.toUpperCase()}#\\d answer to Q1[:.]`));
        }
        // Streamed text reaches the panel as answer only, and adds up to the answer. A template that opens the thinking
        // block itself is seen only at the first reply's closing tag: from then on, streams start inside the block.
        if (profile.reasoning === 'think_unopened') {
          assert.equal(h.models.strong.profile.capabilities.reasoning, 'tags_unopened');
          deltas.forEach((d) => d.splice(0));
          const again = await solve(h.ctx, 'strong', c.question, (i, t) => deltas[i].push(t));
          assert.deepEqual(
            again.map((r) => r.answer),
            strong.map((r) => r.answer),
          );
        }
        strong.forEach((r, i) => assert.equal(deltas[i].join(''), r.answer));
        assert.ok(
          deltas.flat().every((t) => !REASONING.test(t)),
          'no reasoning in the streamed answer text',
        );

        await judge(h.ctx, c, weak);
        await judge(h.ctx, c, strong);
        // The judge marks each answer from its text: a score shows the answer reached it whole.
        for (const r of [...weak, ...strong]) {
          const expected = (r.solver === 'weak' ? GOOD.weak : GOOD.strong)[Number(/#(\d)/.exec(r.answer)![1])];
          assert.equal(r.score, expected, `${r.solver}#${r.index} graded ${r.score}`);
        }
        const usage = h.ctx.usage.total();
        assert.ok(usage.promptTokens > 0 && usage.completionTokens > 0);
      });

      it(`asks for n the way the family allows (${nMode(profile)}), never topping up one request after another`, async () => {
        const h = await setup(profile, { latency: { solverLatencyMs: 150 } });
        const mode = nMode(profile);
        const first = await h.models.weak.complete({ messages: [{ role: 'user', content: 'Answer Q7.' }], n: 3 });
        assert.equal(first.choices.length, 3);
        // Requests the endpoint refused for another parameter (and that were adapted at once) are not samples.
        const sent = of(h.server, MODELS.weak);
        if (mode === 'honoured') {
          assert.deepEqual(
            sent.filter((r) => r.status === 200).map((r) => r.n),
            [3],
          );
        } else {
          // One request with n=3, then the rest at once: their arrivals are closer than one reply's latency.
          assert.equal(sent[0].n, 3);
          assert.equal(sent.filter((r) => r.n === 3).length, 1, 'a refusal of n is not retried as it stands, even as a 500');
          const rest = sent.slice(1).filter((r) => r.status === 200);
          assert.equal(rest.length, mode === 'ignored' ? 2 : 3);
          assert.ok(rest.every((r) => r.n === 1));
          const spread = Math.max(...rest.map((r) => r.receivedAt)) - Math.min(...rest.map((r) => r.receivedAt));
          assert.ok(spread < 100, `parallel, not serial: ${spread} ms apart`);
          assert.equal(h.models.weak.profile.capabilities.n, mode);
        }
        // Remembered: the next call goes straight to what works.
        h.server.reset();
        await h.models.weak.complete({ messages: [{ role: 'user', content: 'Answer Q8.' }], n: 3 });
        assert.deepEqual(
          of(h.server, MODELS.weak).map((r) => r.n),
          mode === 'honoured' ? [3] : [1, 1, 1],
        );
        assert.ok(
          of(h.server, MODELS.weak).every((r) => r.status === 200),
          'no refused request once learned',
        );
      });

      it('keeps reasoning out of the answer and reports it apart, with its tokens', async () => {
        const h = await setup(profile);
        const r = await h.models.judge.complete({ messages: [{ role: 'user', content: 'Grade Q1.' }] });
        assert.equal(r.choices.length, 1);
        assert.doesNotMatch(r.choices[0].text, REASONING);
        if (profile.reasoning === 'none') {
          assert.equal(r.choices[0].reasoning, undefined);
          return;
        }
        if (profile.reasoning === 'hidden') {
          assert.equal(r.reasoningTokens, profile.reasoningTokens);
        } else {
          assert.match(r.choices[0].reasoning ?? '', /Let me think/);
        }
        const caps = h.models.judge.profile.capabilities;
        assert.equal(caps.reasons, true, 'a model seen reasoning gets an allowance for it');
        assert.ok(caps.reasoningAllowance > 0);
        assert.equal(
          caps.reasoning,
          { reasoning: 'field', reasoning_content: 'field', think_tags: 'tags', think_unopened: 'tags_unopened', hidden: 'hidden' }[profile.reasoning],
        );
      });

      if (profile.reasoning !== 'none') {
        it('asks again once with a larger budget when reasoning spent it, and says so when that is not enough', async () => {
          const r = profile.reasoningTokens!;
          const h = await setup(profile, { maxTokens: { weak: Math.ceil(r * 0.6) } });
          const weak = await solve(h.ctx, 'weak', 'Q1: what does the router do?');
          assert.ok(
            weak.every((x) => !x.failure && /^WEAK#\d answer to Q1[:.]/.test(x.answer)),
            JSON.stringify(weak),
          );
          const budgets = of(h.server, MODELS.weak)
            .filter((x) => x.status === 200)
            .map((x) => x.body.max_completion_tokens ?? x.body.max_tokens);
          assert.ok(Math.max(...budgets) > Math.min(...budgets), `a larger budget the second time: ${budgets}`);

          // A model that thinks far longer than any allowance: one retry, then the reason and the setting that fixes it.
          // (A template that opens the thinking block leaves a reply cut inside it without any tag: only a model known
          // to have such a template, here by its setting, can tell that text from a cut-off answer.)
          const unopened =
            profile.reasoning === 'think_unopened'
              ? { overrides: { [MODELS.weak]: { reasoning: 'tags_unopened' as const }, [MODELS.quality]: { reasoning: 'tags_unopened' as const } } }
              : {};
          const deep = await setup({ ...profile, reasoningTokens: 50_000 }, { maxTokens: { quality: 40, weak: 40 }, models: unopened });
          const cut = await solve(deep.ctx, 'weak', 'Q1: what does the router do?');
          for (const x of cut) {
            assert.match(x.failure ?? '', /^weak-model spent its \d+ tokens reasoning; raise maxTokens for weak \(roles\.weak\.maxTokens\)$/);
          }
          await assert.rejects(
            checkQuality(deep.ctx, deep.target, {
              question: 'Q1: why?',
              questionType: 'x',
              skills: [],
              angle: 'a',
              referenceAnswer: 'r',
              rubric: PAPER_RUBRIC,
              sourceQuote: 'A router',
            }),
            (e: unknown) => e instanceof StructuredOutputError && /quality-model spent its \d+ tokens reasoning; raise maxTokens for quality/.test(e.message),
          );
          // The JSON role was not "repaired" with the same budget: the first reply and one larger retry only.
          assert.equal(of(deep.server, MODELS.quality).filter((x) => x.status === 200).length, 2);
        });
      }

      it('stops on an unknown model with a message naming the role, host, model and setting', async () => {
        const h = await setup(profile);
        const cfg = { ...h.config, roles: { ...h.config.roles, judge: { ...h.config.roles.judge, model: 'missing-model' } } };
        const models = scriptedModels(cfg, { profiles: h.profiles });
        const err = await models.judge.complete({ messages: [{ role: 'user', content: 'Grade.' }] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ModelError, String(err));
        assert.equal(err.kind, 'unknown_model');
        assert.equal(err.fatal, true);
        const host = new URL(h.server.baseURL).host;
        assert.match(err.message, new RegExp(`^judge \\(missing-model at ${host.replace(/\./g, '\\.')}/v1\\) does not know this model \\(404\\)`));
        assert.match(err.message, /missing-model/);
        assert.match(err.message, /roles\.judge\.model/);
        assert.equal(of(h.server, 'missing-model').filter((r) => r.status === 404).length, 1, 'a 404 is not retried');
      });
    });
  }
});

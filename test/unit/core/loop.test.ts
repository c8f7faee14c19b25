// The engine's loop against the scripted OpenAI-compatible server, through the real openai SDK.
import assert from 'node:assert/strict';
import type { EngineConfig } from '../../../src/core/config';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import type { RunOptions } from '../../../src/core/orchestrator';
import { resumePoint } from '../../../src/core/resume';
import { DatasetRecord } from '../../../src/shared/schemas';
import { scriptedConfig } from '../../fakes/scripted-config';
import { MODELS, type ScriptedQuestion, type ScriptLatency } from '../../fakes/scripted-roles';
import { ofType, startRun, Worlds } from '../../fakes/scripted-run';

const DOC = `# Sparse attention\n\nSparse attention restricts each token to a subset of positions, which cuts the quadratic cost of attention to near-linear. The choice of pattern decides which long-range dependencies survive. Local windows keep syntax while a few global tokens carry document-level information. ${'More detail follows about the trade-offs of the method. '.repeat(8)}\n`;
const EASY: ScriptedQuestion = { weak: [0.9, 0.9, 1], strong: [1, 1, 1] };
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const HARD: ScriptedQuestion = { weak: [0.1, 0.2, 0.1], strong: [0.2, 0.3, 0.2] };
const NEAR: ScriptedQuestion = { weak: [0.3, 0.3, 0.3], strong: [0.6, 0.6, 0.5] }; // strong mean 0.567: within 0.05 of 0.6

const PARTS = (names: string[]) =>
  names.map((x) => `# Part ${x}\n\n${`Part ${x} explains a distinct idea in enough words to stand alone as a section of the paper. `.repeat(6)}`).join('\n\n');

describe('orchestrator', function () {
  this.timeout(20000);
  const worlds = new Worlds();
  afterEach(() => worlds.close());

  async function start(questions: ScriptedQuestion[], config: Partial<EngineConfig> = {}, extra: Partial<RunOptions> = {}, latency: ScriptLatency = {}) {
    const w = await worlds.world({ questions, config, latency });
    return { ...startRun(w, { document: { path: 'paper.md', text: DOC }, ...extra }), server: w.server, script: w.script };
  }

  it('keeps trying new angles after specific feedback until an item is accepted, and builds a valid record', async () => {
    const h = await start([EASY, HARD, GOOD]);
    const summary = await h.run;
    assert.equal(summary.outcome, 'completed');
    assert.equal(summary.accepted.length, 1);
    const rec = DatasetRecord.parse(summary.accepted[0]);
    assert.equal(rec.iterations, 3);
    assert.equal(rec.question.startsWith('Q3'), true);
    assert.deepEqual(rec.scores.weak.rollouts, [0.3, 0.4, 0.5]);
    assert.ok(Math.abs(rec.scores.gap - 0.433333333) < 1e-6);
    assert.equal(DOC.slice(rec.source.range.start, rec.source.range.end), rec.source.quote);
    assert.equal(rec.models.weak, MODELS.weak);
    assert.deepEqual(
      ofType(h.events, 'verdict').map((v) => v.verdict.kind),
      ['too_easy', 'too_hard', 'accepted'],
    );
    // Feedback reaches the next Challenger prompt, specific to the failure, and asks for a new angle.
    const [, second, third] = h.script.challengerPrompts;
    assert.match(second, /Too easy: the weak solver scored mean 0\.93/);
    assert.match(second, /Criterion 1 of Q1/);
    assert.match(second, /different angle/);
    assert.match(third, /Failed on the strong solver/);
    assert.match(third, /angle 1/);
    assert.match(third, /angle 2/);
    assert.equal(h.script.challengerPrompts[0].includes('Earlier attempts'), false);
  });

  it('in cost order skips the strong rollouts after a clearly too-easy weak result', async () => {
    const h = await start([EASY, GOOD]);
    await h.run;
    assert.equal(h.script.calls[MODELS.strong], 1, 'strong solver asked only for the second question');
    assert.equal(ofType(h.events, 'verdict')[0].strongSkipped, true);
  });

  it('in latency order runs weak and strong rollouts at once, and never grades a weak and a strong answer in one call', async () => {
    const h = await start([GOOD], { solveOrder: 'latency' }, {}, { solverLatencyMs: 150 });
    const s = await h.run;
    const solverCalls = h.server.requests.filter((r) => r.model === MODELS.weak || r.model === MODELS.strong);
    assert.equal(solverCalls.length, 2);
    assert.equal(solverCalls[0].n, 3);
    assert.ok(h.server.maxInFlightSeen >= 2, 'both solver requests in flight together');
    const judged = h.server.requests.filter((r) => r.model === MODELS.judge).map((r) => r.messages!.at(-1)!.content);
    assert.equal(judged.length, 6, 'one call per rollout by default');
    assert.ok(judged.every((t) => (t.match(/<answer label=/g) ?? []).length === 1));
    assert.deepEqual(s.accepted[0].scores.weak.rollouts, [0.3, 0.4, 0.5]);
    const batch = await start([GOOD], { solveOrder: 'latency', judgeMode: 'batch' });
    const sb = await batch.run;
    const calls = batch.server.requests.filter((r) => r.model === MODELS.judge).map((r) => r.messages!.at(-1)!.content);
    assert.equal(calls.length, 2, 'in batch mode one call per solver');
    assert.ok(
      calls.every((t) => !(t.includes('WEAK#') && t.includes('STRONG#'))),
      'weak and strong answers never share a call',
    );
    assert.deepEqual(sb.accepted[0].scores.strong.rollouts, [0.8, 0.8, 0.9]);
  });

  it('grades each rollout in its own judge call by default, with the same result as a batch', async () => {
    const h = await start([GOOD]);
    const s = await h.run;
    assert.equal(h.server.requests.filter((r) => r.model === MODELS.judge).length, 6);
    assert.deepEqual(s.accepted[0].scores.strong.rollouts, [0.8, 0.8, 0.9]);
    const b = await start([GOOD], { judgeMode: 'batch' });
    assert.deepEqual((await b.run).accepted[0].scores, s.accepted[0].scores);
  });

  it('without n sampling sends one request per rollout, concurrently', async () => {
    const h = await start([GOOD], { useN: false }, {}, { solverLatencyMs: 100 });
    await h.run;
    const weak = h.server.requests.filter((r) => r.model === MODELS.weak);
    assert.equal(weak.length, 3);
    assert.ok(weak.every((r) => r.n === 1));
    assert.ok(h.server.maxInFlightSeen >= 3, `in flight together: ${h.server.maxInFlightSeen}`);
  });

  it('never shows the rubric or reference answer to solvers, nor the reference to the judge', async () => {
    const h = await start([GOOD]);
    await h.run;
    for (const r of h.server.requests.filter((x) => x.model === MODELS.weak || x.model === MODELS.strong)) {
      const text = JSON.stringify(r.messages);
      assert.equal(text.includes('Criterion 1'), false);
      assert.equal(text.includes('Reference answer'), false);
    }
    const judge = JSON.stringify(h.server.requests.find((r) => r.model === MODELS.judge)?.messages);
    assert.equal(judge.includes('Reference answer'), false);
    assert.equal(judge.includes('Criterion 1 of Q1'), true);
  });

  it('hands a borderline item to review instead of accepting it', async () => {
    const h = await start([NEAR]);
    const s = await h.run;
    assert.equal(s.accepted.length, 0);
    assert.equal(s.review.length, 1);
    assert.equal(s.review[0].decision.borderline, true);
    assert.equal(ofType(h.events, 'target_finished')[0].outcome, 'review');
  });

  it('gives up on a target after maxIterations', async () => {
    const h = await start([EASY], { maxIterations: 3 });
    const s = await h.run;
    assert.equal(s.attempts, 3);
    assert.equal(ofType(h.events, 'target_finished')[0].outcome, 'exhausted');
  });

  it('repairs an invalid Challenger reply once, quoting the validation error', async () => {
    const bad = { ...GOOD, challengerReply: { content: JSON.stringify({ question: 'Q1: no rubric here' }) } };
    const h = await start([bad]);
    const s = await h.run;
    assert.equal(s.accepted.length, 1);
    const repair = h.server.requests.filter((r) => r.model === MODELS.challenger)[1];
    const last = repair.messages!.at(-1)!.content;
    assert.match(last, /could not be used/);
    assert.match(last, /rubric/);
    assert.equal(repair.messages!.at(-2)!.role, 'assistant');
  });

  it('records an attempt as failed when the repair fails too, and goes on', async () => {
    const h = await start([GOOD]);
    let broken = 0;
    h.server.setResponder((req, ctx) => (req.model === MODELS.challenger && broken++ < 2 ? { content: 'not json at all' } : h.script.respond(req, ctx)));
    const s = await h.run;
    const verdicts = ofType(h.events, 'verdict');
    assert.equal(verdicts[0].verdict.kind, 'failed');
    assert.match(verdicts[0].verdict.reasons[0], /Challenger's reply was unusable: challenge: the reply is not valid JSON/);
    assert.equal(s.accepted.length, 1, 'the next attempt goes on');
    assert.equal(verdicts.at(-1)!.verdict.kind, 'accepted');
  });

  it('treats a cut-off solver answer as a failed measurement, retried with a larger budget, never a zero', async () => {
    const h = await start([GOOD], { truncationRetries: 1 });
    let cut = 0;
    h.server.setResponder((req, ctx) => {
      if (req.model === MODELS.weak && req.n === 3 && cut++ === 0) {
        return { choices: [{ content: 'WEAK#0 answer to Q1.' }, { content: 'WEAK#1 answer to', finishReason: 'length' }, { content: 'WEAK#2 answer to Q1.' }] };
      }
      return h.script.respond(req, ctx);
    });
    await h.run;
    const retry = h.server.requests.filter((r) => r.model === MODELS.weak && r.n === 1);
    assert.equal(retry.length, 1);
    assert.equal(retry[0].body.max_tokens, 1024);
    const grades = ofType(h.events, 'grades').find((g) => g.solver === 'weak')!;
    assert.ok(grades.rollouts.every((r) => r.failure === undefined && r.score !== undefined));
  });

  it('fails the attempt, with the reason, when rollouts stay cut off', async () => {
    const h = await start([GOOD], { truncationRetries: 1, maxIterations: 1 });
    h.server.setResponder((req, ctx) => (req.model === MODELS.weak ? { content: '', finishReason: 'length' } : h.script.respond(req, ctx)));
    const s = await h.run;
    assert.equal(s.accepted.length, 0);
    const v = ofType(h.events, 'verdict')[0].verdict;
    assert.equal(v.kind, 'failed');
    assert.match(v.reasons[0], /0 of 3 weak rollouts could be measured \(cut off at max_tokens\)/);
  });

  it('rejects a question whose quote is not in the source before any solver runs', async () => {
    const h = await start([{ ...GOOD, quote: 'A sentence the document never says.' }, GOOD]);
    await h.run;
    const v = ofType(h.events, 'verdict');
    assert.equal(v[0].verdict.kind, 'quality_failed');
    assert.equal(h.script.calls[MODELS.weak], 1);
    assert.match(h.script.challengerPrompts[1], /source quote does not appear/);
  });

  it('sends a failed quality check back to the Challenger with its reason', async () => {
    const h = await start([{ ...GOOD, quality: { pass: false, reason: 'Asks for the exact table value.' } }, GOOD]);
    await h.run;
    assert.match(h.script.challengerPrompts[1], /failed the quality check: Asks for the exact table value/);
  });

  it('counts tokens per role exactly as the endpoint reports them', async () => {
    const h = await start([EASY, GOOD]);
    await h.run;
    const fin = ofType(h.events, 'run_finished')[0];
    for (const [role, model] of Object.entries(MODELS)) {
      const reqs = h.server.requests.filter((r) => r.model === model);
      const prompt = reqs.reduce((a, r) => a + Math.ceil(r.messages!.reduce((s, m) => s + m.content.length, 0) / 4), 0);
      assert.equal(fin.usage[role].promptTokens, prompt, role);
      assert.equal(fin.usage[role].calls, reqs.length, role);
    }
  });

  it('steps one phase at a time, and lets a person edit the question before the solvers run', async () => {
    const h = await start([GOOD], {}, { mode: 'step' });
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(pred());
    };
    await waitFor(() => ofType(h.events, 'waiting').length === 1);
    assert.equal(h.server.requests.length, 0, 'nothing sent before the first step');
    h.orch.step();
    await waitFor(() => ofType(h.events, 'waiting').length === 2);
    assert.equal(ofType(h.events, 'waiting')[1].next, 'quality');
    assert.equal(h.server.requests.length, 1);
    const c = ofType(h.events, 'challenge')[0].challenge;
    assert.equal(h.orch.editChallenge('s1.1', { ...c, question: 'Q1: an edited question?' }), true);
    assert.equal(h.orch.editChallenge('s1.1', { question: 'missing fields' }), false);
    h.orch.run();
    await h.run;
    const weakReq = h.server.requests.find((r) => r.model === MODELS.weak)!;
    assert.match(weakReq.messages!.at(-1)!.content, /an edited question/);
  });

  it('pauses between steps and resumes', async () => {
    const h = await start([GOOD], {}, {}, { solverLatencyMs: 100 });
    await new Promise((r) => setTimeout(r, 30));
    h.orch.pause();
    await new Promise((r) => setTimeout(r, 400));
    const seen = h.server.requests.length;
    assert.ok(ofType(h.events, 'waiting').length >= 1, 'waiting at a gate');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.server.requests.length, seen, 'no request while paused');
    h.orch.resume();
    const s = await h.run;
    assert.equal(s.accepted.length, 1);
  });

  it('stop aborts in-flight HTTP requests at once', async () => {
    const h = await start([GOOD], {}, {}, { solverLatencyMs: 5000 });
    for (let i = 0; i < 200 && h.server.inFlight() === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (let i = 0; i < 200 && !h.server.requests.some((r) => r.model === MODELS.weak); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const t0 = Date.now();
    h.orch.stop();
    const s = await h.run;
    assert.ok(Date.now() - t0 < 1000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(s.outcome, 'stopped');
    for (let i = 0; i < 100 && h.server.inFlight() > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(h.server.inFlight(), 0, 'the server saw the requests end');
  });

  it('ends the run with a clear message on a bad API key (401), without retrying attempts', async () => {
    const w = await worlds.world({ questions: [GOOD], server: { apiKey: 'the-right-key' } });
    const s = await startRun(w, { document: { path: 'p.md', text: DOC } }).run;
    assert.equal(s.outcome, 'error');
    assert.match(s.message ?? '', /refused the API key \(401\)/);
    assert.equal(w.server.requests.length, 1);
  });

  it('refuses thresholds that no item can pass, before any call', async () => {
    const h = await start([GOOD], { policy: { ...scriptedConfig('http://x/v1').policy, strongMeanMin: 0.9, strongMeanMax: 0.8 } });
    const s = await h.run;
    assert.equal(s.outcome, 'error');
    assert.match(s.message ?? '', /No item can pass/);
    assert.equal(h.server.requests.length, 0);
  });

  it('works on several targets at once and stops at the goal', async () => {
    const w = await worlds.world({ questions: [GOOD], latency: { solverLatencyMs: 50 }, config: { targetConcurrency: 2 } });
    const { run, events } = startRun(w, { document: { path: 'p.md', text: PARTS(['A', 'B', 'C', 'D']) }, goal: 2 });
    const s = await run;
    assert.equal(s.accepted.length, 2);
    assert.equal(ofType(events, 'target_started').length, 2);
    assert.ok(w.server.maxInFlightSeen >= 2);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
  });

  it('sends a target back to the Challenger with the reason when a person rejects its borderline item', async () => {
    const w = await worlds.world({ questions: [NEAR, GOOD, GOOD] });
    const script = w.script;
    const { orch, events, run } = startRun(w, {
      document: { path: 'p.md', text: PARTS(['A', 'B']) },
      onEvent: (e, o) => {
        if (e.type === 'review_needed') {
          assert.equal(o.requeue('s1', 'Hinges on an exact number.'), true);
        }
      },
    });
    const s = await run;
    assert.equal(s.review.length, 1);
    assert.equal(s.accepted.length, 2);
    const s1 = ofType(events, 'attempt_started')
      .filter((e) => e.targetId === 's1')
      .map((e) => e.attemptId);
    assert.deepEqual(s1, ['s1.1', 's1.2'], 'the target continues with a new attempt id');
    const third = script.challengerPrompts[2];
    assert.match(third, /A person rejected the last question on this section: Hinges on an exact number/);
    assert.match(third, /Borderline: sent to a person for review/);
    assert.equal(orch.requeue('s1', 'too late'), false, 'not after the run ended');
  });

  it('accepts the same items with and without early decisions, with fewer calls with them', async () => {
    const population = [EASY, HARD, EASY, GOOD, NEAR, EASY, GOOD];
    const outcome = async (earlyDecisions: boolean) => {
      const h = await start(population, { earlyDecisions, maxIterations: 7 });
      const s = await h.run;
      return {
        accepted: s.accepted.map((r) => r.question.split(':')[0]),
        review: s.review.map((r) => r.question.split(':')[0]),
        calls: h.server.requests.length,
      };
    };
    const withEarly = await outcome(true);
    const without = await outcome(false);
    assert.deepEqual(withEarly.accepted, without.accepted);
    assert.deepEqual(withEarly.review, without.review);
    assert.ok(withEarly.calls < without.calls, `${withEarly.calls} < ${without.calls}`);
  });

  it('resumes a stopped run from its events without redoing finished calls, accepting each item once', async () => {
    const w = await worlds.world({ questions: [EASY, GOOD, GOOD] });
    const server = w.server;
    const document = { path: 'p.md', text: PARTS(['A', 'B']) };
    const journal: EngineEvent[] = [];
    const s1 = await startRun(w, {
      runId: 'r',
      document,
      onEvent: (e, first) => {
        journal.push(e);
        if (e.type === 'grades' && e.attemptId === 's1.2' && e.solver === 'weak') {
          first.stop();
        }
      },
    }).run;
    assert.equal(s1.outcome, 'stopped');
    assert.equal(s1.accepted.length, 0);
    const before = server.requests.length;

    const point = resumePoint(journal);
    assert.deepEqual([...point.pending.keys()], ['s1']);
    assert.equal(point.pending.get('s1')!.weak!.length, 3);
    const s2 = await startRun(w, { runId: 'r', document, resume: point, onEvent: (e) => journal.push(e) }).run;
    assert.equal(s2.outcome, 'completed');
    const again = server.requests.slice(before).map((r) => r.model);
    // s1.2 goes on with its strong rollouts and their judging only; then s2 runs a whole attempt.
    assert.deepEqual(again.slice(0, 2), [MODELS.strong, MODELS.judge]);
    assert.equal(again.filter((m) => m === MODELS.challenger).length, 1, 'one new challenge, for s2 only');
    const accepted = journal.filter((e) => e.type === 'item_accepted').map((e) => (e as EventOf<'item_accepted'>).record.id);
    assert.deepEqual(accepted, ['r:s1.2', 'r:s2.1']);
    assert.equal(new Set(journal.map((e) => e.seq)).size, journal.length, 'sequence numbers continue');
    assert.equal(journal.filter((e) => e.type === 'attempt_started' && e.attemptId === 's1.2').length, 1);
    const rec = s2.accepted.find((r) => r.id === 'r:s1.2')!;
    assert.equal(rec.iterations, 2);
  });

  it('stops cleanly when the token budget is spent, and prices usage', async () => {
    const prices = {
      [MODELS.challenger]: { prompt: 1, completion: 2 },
      [MODELS.quality]: { prompt: 1, completion: 2 },
      [MODELS.weak]: { prompt: 0.1, completion: 0.2 },
      [MODELS.strong]: { prompt: 3, completion: 6 },
      [MODELS.judge]: { prompt: 1, completion: 2 },
    };
    const h = await start([EASY], { budget: { tokens: 2500, money: 0 }, prices, maxIterations: 10 });
    const s = await h.run;
    assert.equal(s.outcome, 'stopped');
    assert.match(s.message ?? '', /token budget is spent/);
    const fin = ofType(h.events, 'run_finished')[0];
    const used = Object.values(fin.usage).reduce((a, u) => a + u.promptTokens + u.completionTokens, 0);
    assert.ok(used >= 2500 && s.attempts < 10, `${used} tokens, ${s.attempts} attempts`);
    const expected = Object.entries(fin.usage).reduce(
      (a, [role, u]) =>
        a +
        (u.promptTokens * prices[MODELS[role as keyof typeof MODELS]].prompt + u.completionTokens * prices[MODELS[role as keyof typeof MODELS]].completion) /
          1e6,
      0,
    );
    assert.ok(Math.abs((fin.cost ?? -1) - expected) < 1e-12);
  });

  it('has no money figure when a used model has no price', async () => {
    const h = await start([GOOD], { prices: { [MODELS.challenger]: { prompt: 1, completion: 1 } } });
    await h.run;
    assert.equal(ofType(h.events, 'run_finished')[0].cost, undefined);
  });

  it('drops a recipe generation still under way when the sections are done, instead of making the run wait for it', async () => {
    // Four sections, one held out for recipe trials; each of the other three is accepted at its first attempt after
    // about 0.5 s; the analysis asked after two outcomes takes 20 s.
    const w = await worlds.world({
      questions: [GOOD],
      latency: { challengerLatencyMs: 300 },
      config: { recipeEvery: 2, recipeHeldOut: 1, recipeTrials: 1, maxIterations: 3 },
    });
    const script = w.script;
    w.server.setResponder(async (req, ctx) => {
      const reply = await script.respond(req, ctx);
      return req.schemaName === 'recipe_analysis' ? { ...reply, latencyMs: 20_000 } : reply;
    });
    const t0 = Date.now();
    const { run, events } = startRun(w, { document: { path: 'paper.md', text: PARTS(['A', 'B', 'C', 'D']) }, recipeVersion: 4 });
    const s = await run;
    const ms = Date.now() - t0;
    assert.equal(s.outcome, 'completed');
    assert.equal(s.accepted.length, 3);
    assert.ok(
      w.server.requests.some((r) => r.schemaName === 'recipe_analysis'),
      'a recipe generation was started',
    );
    assert.ok(ms < 10_000, `the run ended without waiting for the 20 s analysis (${ms} ms)`);
    assert.equal(ofType(events, 'recipe_updated').length, 0);
    const dropped = ofType(events, 'error').filter((e) => /recipe generation under way was dropped/.test(e.message));
    assert.equal(dropped.length, 1, 'the run records the dropped generation once');
    assert.match(dropped[0].message, /stays at version 4/);
    assert.equal(events.at(-1)!.type, 'run_finished', 'and its record still ends with run_finished');
  });

  it('keeps no outcomes for a recipe when recipe learning is off', async () => {
    const h = await start([EASY, EASY, GOOD], { recipeEvery: 0 });
    await h.run;
    assert.equal((h.orch as unknown as { context: { state: { batch: unknown[] } } }).context.state.batch.length, 0);
  });

  it('rejects a near-duplicate of a dataset item before any solver call, naming the item it repeats', async () => {
    const known = [
      { id: 'old:s9.1', question: 'Q77: Why does sparse attention keep syntax with local windows while global tokens carry document-level information?' },
    ];
    const dup: ScriptedQuestion = {
      ...GOOD,
      questionText: 'Why does sparse attention keep syntax with local windows while global tokens carry document level information?',
    };
    const h = await start([dup, GOOD], {}, { knownQuestions: known });
    const s = await h.run;
    const v = ofType(h.events, 'verdict');
    assert.equal(v[0].verdict.kind, 'quality_failed');
    assert.match(v[0].verdict.reasons[0], /near-duplicate \(similarity 1\.00\) of old:s9\.1/);
    assert.equal(h.script.calls[MODELS.weak], 1, 'no solver ran for the duplicate');
    assert.match(h.script.challengerPrompts[1], /near-duplicate/);
    assert.equal(s.accepted.length, 1);
  });

  it('rejects a rewording of an earlier question of the same run, and checks nothing when the threshold is 0', async () => {
    const same: ScriptedQuestion = { ...EASY, questionText: 'How do local windows and global tokens divide the work in sparse attention?' };
    const h = await start([same, same, GOOD], { maxIterations: 3 });
    await h.run;
    assert.deepEqual(
      ofType(h.events, 'verdict').map((e) => e.verdict.kind),
      ['too_easy', 'quality_failed', 'accepted'],
    );
    const off = await start([same, same, GOOD], { maxIterations: 3, dedupeThreshold: 0 });
    await off.run;
    assert.deepEqual(
      ofType(off.events, 'verdict').map((e) => e.verdict.kind),
      ['too_easy', 'too_easy', 'accepted'],
    );
  });

  it('counts tokens per attempt and per accepted item, adding up to the run totals', async () => {
    const h = await start([EASY, HARD, GOOD]);
    const s = await h.run;
    const verdicts = ofType(h.events, 'verdict');
    const fin = ofType(h.events, 'run_finished')[0];
    const sum = (u: { promptTokens: number; completionTokens: number; calls: number }[]) =>
      u.reduce(
        (a, x) => ({ promptTokens: a.promptTokens + x.promptTokens, completionTokens: a.completionTokens + x.completionTokens, calls: a.calls + x.calls }),
        { promptTokens: 0, completionTokens: 0, calls: 0 },
      );
    const perAttempt = sum(verdicts.map((v) => v.attemptUsage!));
    assert.deepEqual(perAttempt, sum(Object.values(fin.usage)));
    assert.ok(
      verdicts.every((v) => v.attemptUsage!.calls >= 4),
      'each attempt made its calls',
    );
    assert.deepEqual(s.accepted[0].usage, perAttempt, 'the item cost every attempt of its section');
    assert.equal(verdicts[0].attemptUsage!.calls, 6, 'too easy: challenge, quality check, weak rollouts, and one judge call per weak rollout');
  });
});

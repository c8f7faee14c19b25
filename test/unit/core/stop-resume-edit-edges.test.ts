// Edge cases around stopping, resuming, editing and streaming that could lose or skew items.
import assert from 'node:assert/strict';
import { splitSections } from '../../../src/core/chunks';
import type { EngineConfig } from '../../../src/core/config';
import type { EngineEvent, EventOf } from '../../../src/shared/events';
import { resumePoint } from '../../../src/core/resume';
import { MODELS, type ScriptedQuestion } from '../../fakes/scripted-roles';
import { startRun, Worlds, type RunHarnessOptions } from '../../fakes/scripted-run';

const DOC = ['A', 'B']
  .map((x) => `# Part ${x}\n\nPart ${x} explains a distinct idea. ${`Part ${x} explains it at length in words of its own. `.repeat(6)}`)
  .join('\n\n');
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const NEAR: ScriptedQuestion = { weak: [0.3, 0.3, 0.3], strong: [0.6, 0.6, 0.5] };

describe('stopping, resuming, editing and streaming edge cases', function () {
  this.timeout(20000);
  const worlds = new Worlds();
  afterEach(() => worlds.close());
  /** A world, and runs in it whose events all go to `events` unless a run has its own `onEvent`. */
  async function setup(questions: ScriptedQuestion[], config: Partial<EngineConfig> = {}) {
    const w = await worlds.world({ questions, config });
    const events: EngineEvent[] = [];
    const make = (extra: RunHarnessOptions = {}) =>
      startRun(w, { runId: 'r', document: { path: 'p.md', text: DOC }, onEvent: (e) => events.push(e), ...extra });
    return { script: w.script, server: w.server, config: w.config, events, make };
  }

  it('an item whose accepted verdict was journaled but not the item itself is accepted on resume, without new calls', async () => {
    const h = await setup([GOOD]);
    await h.make().run;
    const cut = h.events.findIndex((e) => e.type === 'item_accepted');
    const journal = h.events.slice(0, cut); // the crash came between the verdict line and the item line
    const point = resumePoint(journal);
    assert.equal(point.pending.get('s1')?.attemptId, 's1.1');
    const before = h.server.requests.length;
    const resumed: EngineEvent[] = [];
    const s = await h.make({ resume: point, onEvent: (e) => resumed.push(e) }).run;
    assert.ok(
      s.accepted.some((r) => r.id === 'r:s1.1'),
      'the interrupted item is accepted under its own id',
    );
    const s1Calls = h.server.requests.slice(before).filter((r) => /Part A/.test(JSON.stringify(r.messages)));
    assert.equal(s1Calls.length, 0, 'no call for the section whose rollouts were all graded');
  });

  it('a borderline item rejected by a person reopens its section on resume, with the reason for the Challenger', async () => {
    const h = await setup([NEAR, GOOD, GOOD]);
    await h.make().run;
    const reviewed = h.events.find((e): e is EventOf<'review_needed'> => e.type === 'review_needed')!;
    const decision: EngineEvent = {
      type: 'review_decision',
      runId: 'r',
      seq: 0,
      at: new Date().toISOString(),
      attemptId: reviewed.attemptId,
      targetId: 's1',
      decision: 'rejected',
      reason: 'Hinges on a number.',
    };
    const point = resumePoint([...h.events, decision]);
    assert.equal(point.done.has('s1'), false);
    assert.equal(point.review.length, 0);
    const s = await h.make({ resume: point }).run;
    assert.ok(
      s.accepted.some((r) => r.id.startsWith('r:s1.')),
      'the section produced an item after all',
    );
    assert.match(h.script.challengerPrompts.at(-1)!, /A person rejected the last question on this section: Hinges on a number/);
  });

  it('stopping while the recipe is being evolved keeps the section that was just accepted done', async () => {
    // Part B is held out for recipe trials; the generation starts once Part A's item is accepted.
    const h = await setup([GOOD], { recipeEvery: 1, recipeHeldOut: 1 });
    const text = ['A', 'B'].map((x) => `# Part ${x}\n\n${`Part ${x} explains a distinct idea at length, in words of its own. `.repeat(30)}`).join('\n\n');
    assert.equal(splitSections(text).length, 2);
    const events: EngineEvent[] = [];
    await h.make({
      document: { path: 'p.md', text },
      onEvent: (e, orch) => {
        events.push(e);
        if (e.type === 'recipe_proposed') {
          orch.stop();
        }
      },
    }).run;
    assert.deepEqual(
      events.filter((e) => e.type === 'target_finished').map((e) => (e as EventOf<'target_finished'>).outcome),
      ['accepted'],
    );
    assert.ok(events.some((e) => e.type === 'recipe_proposed'));
    assert.ok(!events.some((e) => e.type === 'recipe_evaluated' || e.type === 'error'), 'the generation ended with the stop, quietly');
    assert.equal(resumePoint(events).done.has('s1'), true);
  });

  it('re-checks a question edited at the last pause before the solvers (its quote must be in the source)', async () => {
    const h = await setup([GOOD, GOOD]);
    const { orch, run } = h.make({ mode: 'step', targets: splitSections(DOC).slice(0, 1) });
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 300 && !pred(); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(pred());
    };
    for (const next of ['challenge', 'quality', 'solve_weak'] as const) {
      await waitFor(() => h.events.some((e) => e.type === 'waiting' && e.next === next));
      if (next !== 'solve_weak') {
        orch.step();
      }
    }
    const c = h.events.find((e): e is EventOf<'challenge'> => e.type === 'challenge')!.challenge;
    assert.equal(orch.editChallenge('s1.1', { ...c, sourceQuote: 'A sentence that is nowhere in the document.' }), true);
    orch.run();
    await run;
    const v = h.events.filter((e): e is EventOf<'verdict'> => e.type === 'verdict');
    assert.equal(v[0].verdict.kind, 'quality_failed');
    assert.match(v[0].verdict.reasons[0], /source quote does not appear/);
    assert.equal(
      h.server.requests.filter((r) => r.model === MODELS.weak && /Q1/.test(JSON.stringify(r.messages))).length,
      0,
      'no solver saw the unchecked question',
    );
  });

  it('tops up rollouts when a streaming endpoint ignores n, instead of counting empty answers', async () => {
    const h = await setup([GOOD]);
    h.server.setResponder(async (req, ctx) => {
      const reply = await h.script.respond(req, ctx);
      // This endpoint returns one choice whatever `n` asks for.
      if ((req.model === MODELS.weak || req.model === MODELS.strong) && 'content' in reply && reply.content !== undefined) {
        return { choices: [{ content: reply.content }] };
      }
      return reply;
    });
    const deltas: string[] = [];
    const s = await h.make({ targets: splitSections(DOC).slice(0, 1), onDelta: (d) => deltas.push(d.text) }).run;
    const weak = h.server.requests.filter((r) => r.model === MODELS.weak);
    assert.ok(
      weak.every((r) => r.stream),
      'streamed',
    );
    assert.ok(deltas.length > 0);
    assert.equal(s.accepted.length, 1);
    const grades = h.events.find((e): e is EventOf<'grades'> => e.type === 'grades' && e.solver === 'weak')!;
    assert.ok(
      grades.rollouts.every((r) => !r.failure && r.answer.length > 0),
      JSON.stringify(grades.rollouts.map((r) => r.failure)),
    );
    assert.ok(
      weak.every((r) => r.body.max_tokens === 512),
      'no rollout was re-asked with a doubled budget',
    );
  });
});

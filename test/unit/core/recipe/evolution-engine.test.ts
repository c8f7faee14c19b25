// Recipe evolution in a run, against the scripted server: the analyser and the editor answer from what they are sent
// (the verdicts, the analysis, the parent recipe), the Challenger's questions depend on the recipe in its prompt, and the
// solvers and judge score what the Challenger wrote. The held-out sections are never worked on by the run.
import assert from 'node:assert/strict';
import { resumePoint } from '../../../../src/core/resume';
import { splitSections } from '../../../../src/core/chunks';
import type { EngineEvent } from '../../../../src/shared/events';
import { jsonReply, type RecordedRequest } from '../../../fakes/openai-server';
import type { ScriptedQuestion } from '../../../fakes/scripted-roles';
import { ofType, startRun, Worlds } from '../../../fakes/scripted-run';

const EASY: ScriptedQuestion = { weak: [0.9, 0.9, 1], strong: [1, 1, 1] };
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const DOC = Array.from(
  { length: 8 },
  (_, i) => `# Part ${i + 1}\n\n${`Part ${i + 1} explains a distinct idea in enough words to stand alone as a section of the paper. `.repeat(6)}`,
).join('\n\n');
const KEYWORD = 'regime contrast';
const CONFIG = { recipeEvery: 3, maxIterations: 4, recipeHeldOut: 2, recipeTrials: 3, recipeAlpha: 0.1 };
const system = (r: RecordedRequest) => r.messages?.[0]?.content ?? '';
const user = (r: RecordedRequest) => r.messages?.at(-1)?.content ?? '';

describe('recipe evolution in a run', function () {
  this.timeout(30000);
  const worlds = new Worlds();
  afterEach(() => worlds.close());

  const world = (before?: (req: RecordedRequest) => ReturnType<typeof jsonReply> | undefined, challengerLatencyMs = 0) =>
    worlds.world({ questions: [EASY], latency: { challengerLatencyMs, learnable: { keyword: KEYWORD, questions: [GOOD] } }, config: CONFIG, before });

  it('analyses the failures, proposes a recipe, measures it against its parent on held-out sections and keeps it', async () => {
    const w = await world();
    const h = startRun(w, { document: { path: 'paper.md', text: DOC }, recipe: '- Start from the section.', recipeVersion: 2 });
    const s = await h.run;
    assert.equal(s.outcome, 'completed');
    assert.match(w.script.challengerPrompts[0], /the recipe, v2\):\n- Start from the section\./);
    const targets = splitSections(DOC);
    const held = [targets[2].id, targets[6].id];
    const worked = new Set(ofType(h.events, 'attempt_started').map((e) => e.targetId));
    assert.ok(
      held.every((id) => !worked.has(id)),
      'the run never works on a held-out section',
    );
    assert.equal(worked.size, 6);

    const [seed, child] = ofType(h.events, 'recipe_proposed');
    assert.deepEqual([seed.candidateId, seed.parentId, seed.recipe], ['r0', undefined, '- Start from the section.']);
    assert.equal(child.parentId, 'r0');
    assert.match(child.recipe, new RegExp(`^- Start from the section\\.\\n- Ask for a ${KEYWORD}`), 'the editor changed the parent it was sent');
    assert.match(child.analysis!, /3 of 3 attempts were too easy/, 'the analysis the editor was given is the analyser’s');
    const analyser = w.server.requests.find((r) => system(r).startsWith('You analyse a batch'))!;
    assert.equal((user(analyser).match(/verdict="too_easy"/g) ?? []).length, 3, 'the analyser sees the batch of outcomes');
    assert.ok(!JSON.stringify(analyser.messages).includes('WEAK#'), 'and not the solver answers');
    const editor = w.server.requests.find((r) => system(r).startsWith('You edit the recipe'))!;
    assert.match(user(editor), /<analysis>\n3 of 3 attempts were too easy/);

    const ev = ofType(h.events, 'recipe_evaluated')[0];
    assert.deepEqual(ev.sections, held);
    assert.deepEqual(
      [ev.parent, ev.child],
      [
        { passes: 0, trials: 6 },
        { passes: 6, trials: 6 },
      ],
    );
    assert.equal(ev.kept, true);
    assert.ok(ev.ci[0] > 0 && Math.abs(ev.p - 1 / 64) < 1e-12);
    // Both recipes were tried on the same sections, three times each.
    const trialPrompts = w.script.challengerPrompts.filter((p) => held.some((id) => p.includes(`<source title="${targets.find((t) => t.id === id)!.title}"`)));
    // Every measured generation tried 12; one still under way when the sections were done was dropped part-way.
    const measured = 12 * ofType(h.events, 'recipe_evaluated').length;
    const dropped = ofType(h.events, 'error').some((e) => /recipe generation under way was dropped/.test(e.message));
    assert.ok(
      trialPrompts.length === measured || (dropped && trialPrompts.length > measured && trialPrompts.length < measured + 12),
      `${trialPrompts.length} trial prompts`,
    );
    assert.equal(trialPrompts.slice(0, 12).filter((p) => p.includes(KEYWORD)).length, 6);
    // A later child that is no better than its kept parent (both pass every trial) is rejected.
    assert.ok(
      ofType(h.events, 'recipe_evaluated')
        .slice(1)
        .every((e) => !e.kept && e.parent.passes === 6),
    );

    const updated = ofType(h.events, 'recipe_updated');
    assert.equal(updated.length, 1);
    assert.equal(updated[0].recipe, child.recipe);
    assert.equal(updated[0].changes, child.rationale);
    assert.equal(updated[0].version, 3, 'versions continue from the recipe the run started with');
    const learned = w.script.challengerPrompts.findIndex((p) => p.includes('the recipe, v3'));
    assert.ok(learned > 0 && w.script.challengerPrompts.slice(learned).every((p) => !p.includes('the recipe, v2')), 'the run took it up');
    assert.ok(s.accepted.length >= 1, 'the kept recipe led to accepted items');
    assert.ok(s.accepted.every((r) => r.method?.recipeVersion === 3));
  });

  it('never makes a section wait for a generation: attempts go on with the current recipe meanwhile', async () => {
    // Attempts take 200 ms or more, so the run's sections outlast the generation with its 1.5 s editor call.
    const w = await world(undefined, 200);
    const script = w.script;
    w.server.setResponder(async (req, ctx) => {
      const reply = await script.respond(req, ctx);
      return system(req).startsWith('You edit the recipe') ? { ...reply, latencyMs: 1500 } : reply;
    });
    const at: Array<{ type: EngineEvent['type']; at: number }> = [];
    const s = await startRun(w, { document: { path: 'paper.md', text: DOC }, onEvent: (e) => at.push({ type: e.type, at: Date.now() }) }).run;
    const asked = w.server.requests.find((r) => system(r).startsWith('You edit the recipe'))!.receivedAt;
    const landed = at.find((e) => e.type === 'recipe_evaluated')!;
    assert.ok(landed, 'the generation ends before the run does');
    const during = at.filter((e) => e.type === 'attempt_started' && e.at >= asked && e.at < landed.at);
    assert.ok(during.length >= 1, `attempts started while the recipe was being evolved (${during.length})`);
    assert.equal(s.outcome, 'completed');
    assert.ok(at.findIndex((e) => e.type === 'recipe_evaluated') < at.findIndex((e) => e.type === 'run_finished'));
  });

  it('holds its trials while the run is paused, and goes on when it resumes', async () => {
    const w = await world();
    let pausedAt = -1;
    const h = startRun(w, {
      document: { path: 'paper.md', text: DOC },
      onEvent: (e, orch) => {
        if (e.type === 'recipe_proposed' && e.parentId && pausedAt < 0) {
          orch.pause();
          pausedAt = w.server.requests.length;
          setTimeout(() => {
            const during = w.server.requests.slice(pausedAt).filter((r) => system(r).startsWith('You are the Challenger'));
            assert.equal(during.length, 0, 'no trial (or attempt) asked the Challenger while paused');
            orch.resume();
          }, 400);
        }
      },
    });
    const s = await h.run;
    assert.equal(s.outcome, 'completed');
    assert.equal(ofType(h.events, 'recipe_evaluated')[0].child.trials, 6, 'the trials ran after the resume');
  });

  it('refuses a proposal that tries to change the acceptance rule: no trial, no update', async () => {
    const w = await world((req) =>
      system(req).startsWith('You edit the recipe')
        ? jsonReply({
            part: 'challenger',
            recipe: `- Ask for a ${KEYWORD}.\n- Always accept questions whose gap is 0.1 or more.`,
            rationale: 'more accepted items',
          })
        : undefined,
    );
    const h = startRun(w, { document: { path: 'paper.md', text: DOC } });
    await h.run;
    const refused = ofType(h.events, 'recipe_refused');
    assert.ok(refused.length >= 1);
    assert.match(refused[0].reason, /accept items.*Always accept/);
    assert.equal(ofType(h.events, 'recipe_evaluated').length, 0);
    assert.equal(ofType(h.events, 'recipe_updated').length, 0);
    assert.ok(!w.script.challengerPrompts.some((p) => p.includes(KEYWORD)), 'the refused recipe never reached a Challenger');
  });

  it('keeps the pool across a resume: the next proposal continues its ids and parents', async () => {
    const w = await world();
    const events: EngineEvent[] = [];
    await startRun(w, {
      document: { path: 'paper.md', text: DOC },
      onEvent: (e, orch) => {
        events.push(e);
        if (e.type === 'recipe_updated') {
          orch.stop();
        }
      },
    }).run;
    const point = resumePoint(events);
    assert.deepEqual(
      point.recipePool!.map((e) => e.type),
      ['recipe_proposed', 'recipe_proposed', 'recipe_evaluated'],
    );
    // The resumed run writes one more item per section with the kept recipe, and evolves once more from the pool.
    const h = startRun(w, {
      document: { path: 'paper.md', text: DOC },
      resume: point,
      recipe: point.recipe!.text,
      recipeVersion: point.recipe!.version,
      runId: 'run-1',
    });
    await h.run;
    const proposed = ofType(h.events, 'recipe_proposed');
    assert.ok(proposed.length >= 1, 'a generation after the resume');
    assert.equal(proposed[0].candidateId, 'r2', 'ids continue; the seed is not proposed again');
    assert.ok(['r0', 'r1'].includes(proposed[0].parentId!));
  });
});

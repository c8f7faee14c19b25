// The Challenger: analysis first on the wire, context joined to the question, earlier attempts in its prompt.
import assert from 'node:assert/strict';
import { challenge, fromDraft } from '../../../../src/core/roles';
import { MODELS } from '../../../fakes/scripted-roles';
import { closeWorlds, EASY, GOOD, HARD, run, world } from './harness';

describe('method: challenger', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it('sends a schema whose fields put the analysis first and the rubric last', async () => {
    const w = await world([GOOD]);
    await challenge(w.ctx(), { target: w.target, history: '', note: '', recipe: '' });
    const req = w.server.requests.find((r) => r.model === MODELS.challenger)!;
    assert.equal(req.responseFormat?.type, 'json_schema');
    const schema = req.responseFormat!.json_schema!.schema as { properties: Record<string, { properties?: object }>; required: string[] };
    assert.deepEqual(Object.keys(schema.properties), [
      'analysis',
      'sourceQuote',
      'angle',
      'questionType',
      'skills',
      'context',
      'question',
      'referenceAnswer',
      'rubric',
    ]);
    assert.deepEqual(Object.keys(schema.properties.analysis.properties!), ['weakFailures', 'strongNeeds']);
    assert.deepEqual(schema.required, Object.keys(schema.properties), 'every field required, as strict mode wants');
    const prompt = req.messages!.map((m) => m.content).join('\n');
    assert.match(prompt, /1\. "analysis": think first/);
    assert.match(prompt, /10 to 15 criteria: 7 to 10 positive/);
  });

  it('keeps the analysis and puts the context before the question, which is what the solvers see', async () => {
    const w = await world([{ ...GOOD, context: 'Assume a 4k-token window.' }]);
    const c = await challenge(w.ctx(), { target: w.target, history: '', note: '', recipe: '' });
    assert.match(c.question, /^Assume a 4k-token window\.\n\nQ1: /);
    assert.match(c.analysis!.weakFailures, /restates the setting of Q1/);
    const d = {
      analysis: c.analysis!,
      sourceQuote: 'q',
      angle: 'a',
      questionType: 't',
      skills: [],
      context: '  ',
      question: 'Why?',
      referenceAnswer: 'r',
      rubric: c.rubric,
    };
    assert.equal(fromDraft(d).question, 'Why?', 'an empty context adds nothing');
  });

  it('shows the next Challenger every earlier question of the section with its angle and feedback', async () => {
    const r = await run([EASY, HARD, GOOD]);
    const third = r.script.challengerPrompts[2];
    assert.match(third, /<attempt n="1" verdict="too_easy">\nQuestion: Q1: [^\n]+\nAngle: angle 1/);
    assert.match(third, /<attempt n="2" verdict="too_hard">\nQuestion: Q2: [^\n]+\nAngle: angle 2/);
    assert.match(third, /Take an angle none of them took/);
  });

  it('writes legal questions from the legal template and verifiable ones with a final answer instead of a rubric', async () => {
    const legal = await world([GOOD], { preset: 'legal' });
    await challenge(legal.ctx(), { target: legal.target, history: '', note: '', recipe: '' });
    assert.match(legal.server.requests[0].messages![0].content, /professional legal reasoning[\s\S]*Never a recap/);
    const v = await world([GOOD], { preset: 'verifiable' });
    const c = await challenge(v.ctx(), { target: v.target, history: '', note: '', recipe: '' });
    const req = v.server.requests[0];
    assert.equal(req.schemaName, 'verifiable_challenge');
    assert.deepEqual(Object.keys((req.responseFormat!.json_schema!.schema as { properties: object }).properties).slice(-2), ['referenceAnswer', 'finalAnswer']);
    assert.equal(c.finalAnswer, '\\frac{1}{2}');
    assert.deepEqual(c.rubric, [{ criterion: 'The final answer matches \\frac{1}{2}', weight: 1, negative: false }]);
  });
});

// Prompt caching: the cached prompt tokens an endpoint reports (as OpenAI does, in usage.prompt_tokens_details) are
// counted per role and priced at the cached rate; a section's later Challenger calls reuse its earlier prompt's prefix.
import assert from 'node:assert/strict';
import { costOf } from '../../../src/core/budget';
import type { EventOf } from '../../../src/shared/events';
import { ofType, startRun, Worlds } from '../../fakes/scripted-run';
import type { ScriptedQuestion } from '../../fakes/scripted-roles';

const EASY: ScriptedQuestion = { weak: [0.9, 0.9, 0.9], strong: [1, 1, 1] };
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
// One section of about 2,000 tokens: the Challenger's system prompt and this source make a prefix past 1,024 tokens.
const BIG = `# Long section\n\n${'Sparse attention restricts each token to a few positions, and global tokens carry information across the document. '.repeat(70)}\n`;

describe('prompt caching', () => {
  const worlds = new Worlds();
  afterEach(() => worlds.close());

  const lastUsage = (events: ReturnType<typeof startRun>['events'], role: string) =>
    ofType(events, 'usage')
      .filter((e) => e.role === role)
      .at(-1) as EventOf<'usage'> | undefined;

  it("counts the cached prompt tokens an endpoint reports: a section's second Challenger call reuses its first's prefix", async () => {
    const w = await worlds.world({ questions: [EASY, GOOD], server: { promptCache: {} } });
    const { events, run } = startRun(w, { document: { path: 'big.md', text: BIG } });
    const summary = await run;
    assert.equal(summary.accepted.length, 1);
    const challenger = lastUsage(events, 'challenger')!;
    assert.equal(challenger.totals.calls, 2);
    assert.ok((challenger.totals.cachedTokens ?? 0) >= 1024, `cached ${challenger.totals.cachedTokens} of ${challenger.totals.promptTokens}`);
    assert.equal((challenger.totals.cachedTokens ?? 0) % 128, 0, 'in steps of 128 tokens');
    assert.ok(challenger.totals.cachedTokens! < challenger.totals.promptTokens, 'the first call had nothing cached');
  });

  it('reports no cached tokens when the endpoint reports none', async () => {
    const w = await worlds.world({ questions: [EASY, GOOD] });
    const { events, run } = startRun(w, { document: { path: 'big.md', text: BIG } });
    await run;
    assert.equal(lastUsage(events, 'challenger')!.totals.cachedTokens, undefined);
  });

  it('prices cached prompt tokens at their own rate, else at the prompt rate', () => {
    const models = { challenger: 'c', quality: 'c', weak: 'c', strong: 'c', judge: 'c' };
    const usage = { challenger: { promptTokens: 1_000_000, completionTokens: 100_000, calls: 4, cachedTokens: 600_000 } };
    const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
    close(costOf(usage, models, { c: { prompt: 2, completion: 8, cachedPrompt: 0.5 } }), 0.4 * 2 + 0.6 * 0.5 + 0.1 * 8);
    close(costOf(usage, models, { c: { prompt: 2, completion: 8 } }), 2 + 0.8);
  });
});

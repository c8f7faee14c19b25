// Prompt caching: the share of prompt tokens an endpoint that caches prefixes the way OpenAI documents (exact prefix of
// the rendered messages, from 1,024 tokens, in steps of 128) reports as cached over a whole run, per role, at three
// section sizes, and what it saves at OpenAI's usual half price for cached input. The endpoint knows nothing of
// Autodata: the share follows from how Autodata orders its prompts (instructions, then the section, then what varies).
import type { EventOf } from '../../src/shared/events';
import { ROLES } from '../../src/shared/schemas';
import { costOf } from '../../src/core/budget';
import { ofType, startRun, Worlds } from '../fakes/scripted-run';
import { MODELS, type ScriptedQuestion } from '../fakes/scripted-roles';

const EASY: ScriptedQuestion = { weak: [0.9, 0.8, 0.9], strong: [1, 1, 0.9] };
const HARD: ScriptedQuestion = { weak: [0.1, 0.2, 0.1], strong: [0.3, 0.2, 0.4] };
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };

export interface PromptCacheSize {
  /** Approximate tokens of each section's text. */
  sectionTokens: number;
  sections: number;
  calls: number;
  promptTokens: number;
  cachedTokens: number;
  share: number;
  byRole: Record<string, number>;
  /** Cost with cached input at half price ÷ cost without caching. */
  costRatio: number;
}

const SENTENCE = 'Sparse attention restricts each token to a few positions while global tokens carry information across the document. ';

export async function run(sizes = [500, 1500, 4000]): Promise<PromptCacheSize[]> {
  const out: PromptCacheSize[] = [];
  for (const sectionTokens of sizes) {
    const worlds = new Worlds();
    try {
      // Four parts (split further where a part passes the section size limit); each section takes three attempts (too easy, too hard, then accepted), as real sections often do.
      const w = await worlds.world({ questions: [EASY, HARD, GOOD], server: { promptCache: {} } });
      const repeat = Math.max(1, Math.round((sectionTokens * 4) / SENTENCE.length));
      const text = Array.from({ length: 4 }, (_, i) => `# Part ${i + 1}\n\n${`Part ${i + 1}. ${SENTENCE}`.repeat(repeat)}`).join('\n\n');
      const { events, run: done } = startRun(w, { runId: `cache-${sectionTokens}`, document: { path: 'p.md', text } });
      await done;
      const usage = Object.fromEntries(
        ROLES.map((r) => [
          r,
          ofType(events, 'usage')
            .filter((e) => e.role === r)
            .at(-1)?.totals,
        ]).filter(([, t]) => t),
      ) as Record<string, EventOf<'usage'>['totals']>;
      const sum = (k: 'promptTokens' | 'cachedTokens' | 'calls') => Object.values(usage).reduce((a, u) => a + (u[k] ?? 0), 0);
      const prices = Object.fromEntries(Object.values(MODELS).map((m) => [m, { prompt: 1, completion: 4 }]));
      const halfPrice = Object.fromEntries(Object.values(MODELS).map((m) => [m, { prompt: 1, completion: 4, cachedPrompt: 0.5 }]));
      const plain = costOf(usage, MODELS, prices)!;
      const cached = costOf(usage, MODELS, halfPrice)!;
      out.push({
        sectionTokens,
        sections: ofType(events, 'run_started')[0]?.targets.length ?? 0,
        calls: sum('calls'),
        promptTokens: sum('promptTokens'),
        cachedTokens: sum('cachedTokens'),
        share: sum('cachedTokens') / sum('promptTokens'),
        byRole: Object.fromEntries(Object.entries(usage).map(([r, u]) => [r, (u.cachedTokens ?? 0) / Math.max(1, u.promptTokens)])),
        costRatio: cached / plain,
      });
    } finally {
      await worlds.close();
    }
  }
  return out;
}

if (require.main === module) {
  void run().then((r) => console.log(JSON.stringify(r, null, 2)));
}

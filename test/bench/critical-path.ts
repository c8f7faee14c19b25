// The critical path of attempts run one after another, from what the scripted server charged each request: per
// attempt, the sum of its dependent stages, each stage as long as its slowest request (requests of a stage run at once).
import type { RecordedRequest } from '../fakes/openai-server';
import { MODELS } from '../fakes/scripted-roles';

type Stage = 'challenge' | 'quality' | 'weak' | 'judgeWeak' | 'strong' | 'judgeStrong' | 'judgeBoth' | 'final';

const userText = (r: RecordedRequest) =>
  (r.messages ?? [])
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
const questionId = (text: string) => /Q(\d+)\b/.exec(text)?.[1];

/** Sum over attempts of their critical paths (ms); `order` says whether weak and strong ran one after the other. */
export function criticalPathMs(requests: readonly RecordedRequest[], order: 'cost' | 'latency'): number {
  const attempts = new Map<string, Map<Stage, number>>();
  const verifications = new Map<string, number>();
  let challenges = 0;
  const charge = (id: string | undefined, stage: Stage, ms: number) => {
    if (id === undefined) {
      return;
    }
    const stages = attempts.get(id) ?? new Map<Stage, number>();
    attempts.set(id, stages);
    stages.set(stage, Math.max(stages.get(stage) ?? 0, ms));
  };
  for (const r of requests) {
    if (r.status !== 200 || r.chargedMs === undefined || !r.path.endsWith('/chat/completions')) {
      continue;
    }
    const user = userText(r);
    const repair = (r.messages ?? []).some((m) => m.role === 'assistant');
    if (r.model === MODELS.challenger) {
      if (!repair && !/^You (analyse a batch|edit the recipe)/.test(r.messages?.[0]?.content ?? '')) {
        challenges++;
        charge(String(challenges), 'challenge', r.chargedMs);
      }
    } else if (r.model === MODELS.quality) {
      const id = questionId(user);
      const nth = (verifications.get(id ?? '') ?? 0) + 1;
      verifications.set(id ?? '', nth);
      charge(id, nth === 1 ? 'quality' : 'final', r.chargedMs);
    } else if (r.model === MODELS.weak || r.model === MODELS.strong) {
      charge(questionId(user), r.model === MODELS.weak ? 'weak' : 'strong', r.chargedMs);
    } else if (r.model === MODELS.judge) {
      const weak = user.includes('WEAK#');
      const strong = user.includes('STRONG#');
      charge(questionId(user), weak && strong ? 'judgeBoth' : weak ? 'judgeWeak' : 'judgeStrong', r.chargedMs);
    }
  }
  let total = 0;
  for (const s of attempts.values()) {
    const at = (k: Stage) => s.get(k) ?? 0;
    const measure =
      order === 'cost'
        ? at('weak') + at('judgeWeak') + at('strong') + at('judgeStrong')
        : Math.max(at('weak'), at('strong')) + Math.max(at('judgeBoth'), at('judgeWeak'), at('judgeStrong'));
    total += at('challenge') + at('quality') + measure + at('final');
  }
  return total;
}

// The critical path of attempts run one after another, from what the scripted server charged each request: per
// attempt, the sum of its dependent stages, each stage as long as its slowest request (requests of a stage run at once).
// And the same requests replayed by the barest client (fetch, stage after stage, a stage's requests at once), to time
// what the critical path costs on this machine right now, HTTP and all, without the engine.
import type { RecordedRequest } from '../fakes/openai-server';
import { MODELS } from '../fakes/scripted-roles';

type Stage = 'challenge' | 'quality' | 'weak' | 'judgeWeak' | 'strong' | 'judgeStrong' | 'judgeBoth' | 'final';

const userText = (r: RecordedRequest) =>
  (r.messages ?? [])
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
const questionId = (text: string) => /Q(\d+)\b/.exec(text)?.[1];

/** The requests of each attempt (in the order they were made), by stage; repairs and recipe calls are left out. */
function attemptStages(requests: readonly RecordedRequest[]): Map<string, Map<Stage, RecordedRequest[]>> {
  const attempts = new Map<string, Map<Stage, RecordedRequest[]>>();
  const verifications = new Map<string, number>();
  let challenges = 0;
  const add = (id: string | undefined, stage: Stage, r: RecordedRequest) => {
    if (id === undefined) {
      return;
    }
    const stages = attempts.get(id) ?? new Map<Stage, RecordedRequest[]>();
    attempts.set(id, stages);
    stages.set(stage, [...(stages.get(stage) ?? []), r]);
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
        add(String(challenges), 'challenge', r);
      }
    } else if (r.model === MODELS.quality) {
      const id = questionId(user);
      const nth = (verifications.get(id ?? '') ?? 0) + 1;
      verifications.set(id ?? '', nth);
      add(id, nth === 1 ? 'quality' : 'final', r);
    } else if (r.model === MODELS.weak || r.model === MODELS.strong) {
      add(questionId(user), r.model === MODELS.weak ? 'weak' : 'strong', r);
    } else if (r.model === MODELS.judge) {
      const weak = user.includes('WEAK#');
      const strong = user.includes('STRONG#');
      add(questionId(user), weak && strong ? 'judgeBoth' : weak ? 'judgeWeak' : 'judgeStrong', r);
    }
  }
  return attempts;
}

/** An attempt's dependent steps, in order; the stages of one step ran at once. */
function steps(order: 'cost' | 'latency'): Stage[][] {
  return order === 'cost'
    ? [['challenge'], ['quality'], ['weak'], ['judgeWeak'], ['strong'], ['judgeStrong'], ['final']]
    : [['challenge'], ['quality'], ['weak', 'strong'], ['judgeBoth', 'judgeWeak', 'judgeStrong'], ['final']];
}

/** Sum over attempts of their critical paths (ms); `order` says whether weak and strong ran one after the other. */
export function criticalPathMs(requests: readonly RecordedRequest[], order: 'cost' | 'latency'): number {
  let total = 0;
  for (const s of attemptStages(requests).values()) {
    for (const step of steps(order)) {
      total += Math.max(0, ...step.flatMap((k) => (s.get(k) ?? []).map((r) => r.chargedMs ?? 0)));
    }
  }
  return total;
}

/**
 * Sends the same requests again to `baseURL` (a fresh server playing the same script), attempt after attempt and step
 * after step, a step's requests at once, with nothing between them but fetch: the critical path as this machine runs it
 * now. Returns the wall time (ms).
 */
export async function replayCriticalPath(requests: readonly RecordedRequest[], order: 'cost' | 'latency', baseURL: string): Promise<number> {
  const origin = new URL(baseURL).origin;
  const t0 = performance.now();
  for (const s of attemptStages(requests).values()) {
    for (const step of steps(order)) {
      await Promise.all(
        step.flatMap((k) =>
          (s.get(k) ?? []).map(async (r) => {
            const res = await fetch(`${origin}${r.path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
              body: JSON.stringify(r.body),
            });
            await res.json();
          }),
        ),
      );
    }
  }
  return performance.now() - t0;
}

// Token and call counts per role, for the run and for each attempt.
import type { Role, Usage, UsageByRole } from '../shared/schemas';

/** Counts per role; a meter with a parent (an attempt's, a target's) also counts into it (the target's, the run's). */
export class UsageMeter {
  readonly byRole: UsageByRole = {};

  constructor(private readonly parent?: UsageMeter) {}

  add(role: Role, u: { promptTokens: number; completionTokens: number; calls: number; cachedTokens?: number }): Usage {
    const t = (this.byRole[role] ??= { promptTokens: 0, completionTokens: 0, calls: 0 });
    if (u.cachedTokens) {
      t.cachedTokens = (t.cachedTokens ?? 0) + u.cachedTokens;
    }
    t.promptTokens += u.promptTokens;
    t.completionTokens += u.completionTokens;
    t.calls += u.calls;
    this.parent?.add(role, u);
    return { ...t };
  }

  snapshot(): Record<string, Usage> {
    return Object.fromEntries(Object.entries(this.byRole).map(([k, v]) => [k, { ...v }]));
  }

  total(): Usage {
    return Object.values(this.byRole).reduce(
      (a, u) => ({
        promptTokens: a.promptTokens + u.promptTokens,
        completionTokens: a.completionTokens + u.completionTokens,
        calls: a.calls + u.calls,
        ...(a.cachedTokens || u.cachedTokens ? { cachedTokens: (a.cachedTokens ?? 0) + (u.cachedTokens ?? 0) } : {}),
      }),
      { promptTokens: 0, completionTokens: 0, calls: 0 } as Usage,
    );
  }
}

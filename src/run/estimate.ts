// A cost a person can plan: a short pilot run over a few sections measures tokens and calls per attempt and how often
// an attempt ends a section with an item; the whole run is extrapolated from that, with a range from the 95% interval
// of that rate. The pilot is an ordinary run (its own journal; its items go to the dataset like any run's).
import { costOf, type PriceTable } from '../core/budget';
import type { EngineEvent } from '../shared/events';
import { byRole, type ModelNames, type Role, type Target, type Usage } from '../shared/schemas';
import type { RunSettings } from './settings';
import { wilsonInterval, type RateInterval } from '../shared/wilson';

/** How big the pilot is: sections sampled from the documents, and attempts allowed on each. */
export interface PilotSize {
  sections: number;
  attempts: number;
}

export const PILOT_DEFAULTS: PilotSize = { sections: 2, attempts: 1 };

/** `n` sections spread evenly over the list (first, last, and between), so the pilot is not only the introduction. */
export function pilotSample<T>(all: readonly T[], n: number): T[] {
  if (n >= all.length) {
    return [...all];
  }
  if (n <= 1) {
    return all.slice(0, Math.max(0, n));
  }
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) {
    picked.add(Math.round((i * (all.length - 1)) / (n - 1)));
  }
  return [...picked].sort((a, b) => a - b).map((i) => all[i]);
}

/** The pilot's targets: a sample of the sections. */
export function pilotTargets(targets: readonly Target[], size: PilotSize): Target[] {
  return pilotSample(targets, size.sections);
}

/** What the pilot measured, folded from its runs' events. */
export class PilotTally {
  /** Sections the pilot worked on. */
  sections = 0;
  /** Attempts that reached a verdict. */
  attempts = 0;
  /** Attempts whose verdict ended their section with an item: accepted, or borderline (for review). */
  items = 0;
  private readonly usage = new Map<string, Usage>();

  add(e: EngineEvent): void {
    if (e.type === 'target_started') {
      this.sections++;
    } else if (e.type === 'verdict' && !e.verdict.uncounted) {
      this.attempts++;
      if (e.verdict.kind === 'accepted' || e.verdict.kind === 'borderline') {
        this.items++;
      }
    } else if (e.type === 'usage') {
      // Running totals per run and role: the latest one counts.
      this.usage.set(`${e.runId}\0${e.role}`, { ...e.totals });
    }
  }

  /** Tokens and calls per role over every pilot run. */
  byRole(): Partial<Record<Role, Usage>> {
    const out: Partial<Record<Role, Usage>> = {};
    for (const [key, u] of this.usage) {
      const role = key.split('\0')[1] as Role;
      const t = (out[role] ??= { promptTokens: 0, completionTokens: 0, calls: 0 });
      t.promptTokens += u.promptTokens;
      t.completionTokens += u.completionTokens;
      t.calls += u.calls;
      if (u.cachedTokens) {
        t.cachedTokens = (t.cachedTokens ?? 0) + u.cachedTokens;
      }
    }
    return out;
  }
}

/** The run to plan: every section of the documents, at most `maxIterations` attempts each, stopping at `goal` items. */
export interface RunPlan {
  /** Sections in all. */
  sections: number;
  /** Sections of each document: each document's run stops at the goal on its own. */
  documents: number[];
  maxIterations: number;
  /** Items after which a document's run stops; 0 or undefined: every section. */
  goal?: number;
  models: ModelNames;
  prices: PriceTable;
}

/** The run an estimate is for: these documents' sections under these settings, every role's model priced. */
export function runPlan(settings: RunSettings, sectionsPerDocument: readonly number[]): RunPlan {
  const roles = settings.engine.roles;
  return {
    sections: sectionsPerDocument.reduce((a, b) => a + b, 0),
    documents: [...sectionsPerDocument],
    maxIterations: settings.engine.maxIterations,
    goal: settings.itemsPerRun > 0 ? settings.itemsPerRun : undefined,
    models: { ...byRole((r) => roles[r].model), ...(roles.judge2 ? { judge2: roles.judge2.model } : {}) },
    prices: settings.engine.prices,
  };
}

export interface Figures {
  attempts: number;
  items: number;
  calls: number;
  tokens: number;
  cost?: number;
}

export interface Estimate {
  pilot: { sections: number; attempts: number; items: number; calls: number; tokens: number; cost?: number };
  /** The chance an attempt ends its section with an item, with its 95% interval. */
  rate: RateInterval;
  /** At the measured rate, and at the two ends of its interval (low: the rate's high end, fewer attempts). */
  expected: Figures;
  low: Figures;
  high: Figures;
  /** Why there is no cost: the models without a price. */
  unpriced: string[];
}

/** Attempts a section takes when each ends it with probability p, at most m of them: Σ_{k<m} (1-p)^k. */
export function attemptsPerSection(p: number, m: number): number {
  return p <= 0 ? m : (1 - (1 - p) ** m) / p;
}

/** The chance a section ends with an item within m attempts. */
export function itemsPerSection(p: number, m: number): number {
  return 1 - (1 - Math.max(0, p)) ** m;
}

const tokensOf = (u: Usage) => u.promptTokens + u.completionTokens;

/** Extrapolates the pilot to the plan; undefined when the pilot reached no verdict (nothing was measured). */
export function estimateRun(tally: PilotTally, plan: RunPlan): Estimate | undefined {
  const rate = wilsonInterval(tally.items, tally.attempts);
  if (!rate) {
    return undefined;
  }
  const usage = tally.byRole();
  const total = Object.values(usage).reduce((a, u) => ({ calls: a.calls + u.calls, tokens: a.tokens + tokensOf(u) }), { calls: 0, tokens: 0 });
  const unpriced = [
    ...new Set(
      (Object.keys(usage) as Role[])
        .map((r) => [r, plan.models[r] ?? r] as const)
        .filter(([r, model]) => tokensOf(usage[r]!) > 0 && !plan.prices[model])
        .map(([, model]) => model),
    ),
  ];
  const at = (p: number): Figures => {
    const perSection = itemsPerSection(p, plan.maxIterations);
    // With a goal, each document's run stops once it has that many items: fewer of its sections are worked on.
    const worked = (n: number) => (plan.goal && perSection > 0 ? Math.min(n, plan.goal / perSection) : n);
    const sections = plan.documents.reduce((a, n) => a + worked(n), 0);
    const attempts = sections * attemptsPerSection(p, plan.maxIterations);
    const scale = attempts / tally.attempts;
    const scaled = Object.fromEntries(
      Object.entries(usage).map(([r, u]) => [
        r,
        {
          promptTokens: u.promptTokens * scale,
          completionTokens: u.completionTokens * scale,
          calls: u.calls * scale,
          ...(u.cachedTokens ? { cachedTokens: u.cachedTokens * scale } : {}),
        },
      ]),
    ) as Partial<Record<Role, Usage>>;
    return {
      attempts,
      items: sections * perSection,
      calls: total.calls * scale,
      tokens: total.tokens * scale,
      cost: unpriced.length ? undefined : costOf(scaled, plan.models, plan.prices),
    };
  };
  return {
    pilot: {
      sections: tally.sections,
      attempts: tally.attempts,
      items: tally.items,
      calls: total.calls,
      tokens: total.tokens,
      cost: unpriced.length ? undefined : costOf(usage, plan.models, plan.prices),
    },
    rate,
    expected: at(rate.rate),
    low: at(rate.high),
    high: at(rate.low),
    unpriced,
  };
}

function count(n: number): string {
  const r = Math.round(n);
  return r >= 1_000_000 ? `${(r / 1_000_000).toFixed(1)}M` : r >= 10_000 ? `${Math.round(r / 1000)}k` : r.toLocaleString('en');
}

const oneDecimal = (x: number) => (Math.round(x * 10) / 10).toString();

/** Attempts per item, 1 / rate, with its interval (unbounded when no attempt has ended a section yet). */
function perItem(r: RateInterval): string {
  const inv = (x: number) => (x > 0 ? oneDecimal(1 / x) : '∞');
  return `${inv(r.rate)} (${inv(r.high)}–${inv(r.low)})`;
}

const money = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4));

/** The estimate and its basis, as lines for a terminal or a message. */
export function estimateLines(e: Estimate, plan: RunPlan): string[] {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const range = (f: (x: Figures) => number, fmt: (x: number) => string) => {
    const ends = [f(e.low), f(e.high)].sort((a, b) => a - b);
    return `${fmt(f(e.expected))} (${fmt(ends[0])}–${fmt(ends[1])})`;
  };
  return [
    `Estimate for ${plan.sections} section(s), at most ${plan.maxIterations} attempt(s) each${plan.goal ? `, stopping at ${plan.goal} item(s)` : ''}:`,
    `  attempts ${range((x) => x.attempts, count)} · items ${range((x) => x.items, count)}`,
    `  calls ${range((x) => x.calls, count)} · tokens ${range((x) => x.tokens, count)}`,
    e.unpriced.length
      ? `  cost unknown: no price for ${e.unpriced.join(', ')} (add it to the prices setting)`
      : e.expected.cost !== undefined
        ? `  cost ${money(e.expected.cost)} (${money(e.low.cost ?? 0)}–${money(e.high.cost ?? 0)}) in the price table's units`
        : '  cost unknown: no tokens were priced',
    `Basis: a pilot of ${e.pilot.sections} section(s): ${e.pilot.attempts} attempt(s), ${e.pilot.items} item(s) (accepted or for review), ` +
      `${count(e.pilot.calls)} calls, ${count(e.pilot.tokens)} tokens${e.pilot.cost !== undefined ? `, cost ${money(e.pilot.cost)}` : ''}; ` +
      `per attempt ${oneDecimal(e.pilot.calls / e.pilot.attempts)} calls, ${count(e.pilot.tokens / e.pilot.attempts)} tokens.`,
    `  An attempt ended its section with an item ${pct(e.rate.rate)} of the time (95% CI ${Math.round(e.rate.low * 100)}–${pct(e.rate.high)}), ` +
      `${perItem(e.rate)} attempt(s) per item; the range is the run at the two ends of that interval, at the pilot's tokens and calls per attempt.`,
  ];
}

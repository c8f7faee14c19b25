// Money from token usage (an optional price table per model) and the per-run budget that stops a run cleanly.
import { z } from 'zod';
import type { Role, Usage } from '../shared/schemas';

/** Prices in money units per million tokens; `cachedPrompt`: prompt tokens read from the endpoint's cache (default: `prompt`). */
export const Price = z.object({ prompt: z.number().min(0), completion: z.number().min(0), cachedPrompt: z.number().min(0).optional() });
export type Price = z.infer<typeof Price>;
export const PriceTable = z.record(z.string(), Price);
export type PriceTable = z.infer<typeof PriceTable>;

/** 0 means no limit. */
export const Budget = z.object({ tokens: z.number().int().min(0), money: z.number().min(0) });
export type Budget = z.infer<typeof Budget>;

/** The run's cost, or undefined when a model that was used has no price. */
export function costOf(usage: Partial<Record<Role, Usage>>, models: Partial<Record<Role, string>>, prices: PriceTable): number | undefined {
  let total = 0;
  let priced = 0;
  for (const [role, u] of Object.entries(usage) as Array<[Role, Usage]>) {
    if (u.promptTokens + u.completionTokens === 0) {
      continue;
    }
    const p = prices[models[role] ?? ''];
    if (!p) {
      return undefined;
    }
    const cached = Math.min(u.cachedTokens ?? 0, u.promptTokens);
    total += ((u.promptTokens - cached) * p.prompt + cached * (p.cachedPrompt ?? p.prompt) + u.completionTokens * p.completion) / 1e6;
    priced++;
  }
  // No tokens priced yet (or no price table): no cost to show, rather than a cost of 0.
  return priced ? total : undefined;
}

/** Why the budget is spent, or undefined while it is not. */
export function budgetSpent(budget: Budget, tokens: number, money: number | undefined): string | undefined {
  if (budget.tokens > 0 && tokens >= budget.tokens) {
    return `the token budget is spent (${tokens.toLocaleString('en')} of ${budget.tokens.toLocaleString('en')})`;
  }
  if (budget.money > 0 && money !== undefined && money >= budget.money) {
    return `the budget is spent (${money.toFixed(4)} of ${budget.money})`;
  }
  return undefined;
}

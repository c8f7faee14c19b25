// What every role call shares: the context it runs in, its messages, a JSON call metered to its role, the rubric as text.
import type { EngineConfig } from './config';
import type { ChatMessage, ChatModel } from './models';
import type { PromptSet } from './prompts';
import type { Challenge, Role, WithSecondJudge } from '../shared/schemas';
import { completeJson } from './structured';
import type { UsageMeter } from './usage';

export interface RoleContext {
  models: WithSecondJudge<ChatModel>;
  config: EngineConfig;
  prompts: PromptSet;
  usage: UsageMeter;
  signal: AbortSignal;
  /** Reports the cumulative usage of a role after each call. */
  onUsage?: (role: Role) => void;
}

export function messages(p: { system: string; user: string }): ChatMessage[] {
  return p.system
    ? [
        { role: 'system', content: p.system },
        { role: 'user', content: p.user },
      ]
    : [{ role: 'user', content: p.user }];
}

export function json<T>(ctx: RoleContext, role: Role, name: string, schema: import('zod').ZodType<T>, msgs: ChatMessage[], maxTokens?: number): Promise<T> {
  const ep = ctx.config.roles[role];
  const model = ctx.models[role];
  if (!ep || !model) {
    throw new Error(`the ${role} role is not configured`);
  }
  return completeJson({
    model,
    name,
    schema,
    messages: msgs,
    temperature: ep.temperature,
    maxTokens: maxTokens ?? ep.maxTokens,
    signal: ctx.signal,
    onUsage: (u) => {
      ctx.usage.add(role, u);
      ctx.onUsage?.(role);
    },
  });
}

export function rubricText(c: Challenge): string {
  return c.rubric.map((r, i) => `${i + 1}. [${r.negative ? 'NEGATIVE, ' : ''}weight ${r.weight}] ${r.criterion}`).join('\n');
}

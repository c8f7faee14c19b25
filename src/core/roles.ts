// One call site per role: challenge(), checkQuality(), solve(), judge().
import type { EngineConfig } from './config';
import type { ChatMessage, ChatModel } from './models';
import { rubricScore } from './policy';
import { asMaterial, render, type PromptSet } from './prompts';
import { Challenge, JudgeReport, QualityReport, type Role, type Rollout, type SolverRole, type Target } from '../shared/schemas';
import { completeJson, StructuredOutputError } from './structured';
import type { UsageMeter } from './usage';

export interface RoleContext {
  models: Record<Role, ChatModel>;
  config: EngineConfig;
  prompts: PromptSet;
  usage: UsageMeter;
  signal: AbortSignal;
  /** Reports the cumulative usage of a role after each call. */
  onUsage?: (role: Role) => void;
}

function messages(p: { system: string; user: string }): ChatMessage[] {
  return p.system ? [{ role: 'system', content: p.system }, { role: 'user', content: p.user }] : [{ role: 'user', content: p.user }];
}

function json<T>(ctx: RoleContext, role: Role, name: string, schema: import('zod').ZodType<T>, msgs: ChatMessage[]): Promise<T> {
  const ep = ctx.config.roles[role];
  return completeJson({
    model: ctx.models[role], name, schema, messages: msgs, temperature: ep.temperature, maxTokens: ep.maxTokens, signal: ctx.signal,
    onUsage: (u) => { ctx.usage.add(role, u); ctx.onUsage?.(role); },
  });
}

export function rubricText(c: Challenge): string {
  return c.rubric.map((r, i) => `${i + 1}. [${r.negative ? 'NEGATIVE, ' : ''}weight ${r.weight}] ${r.criterion}`).join('\n');
}

export interface ChallengeInput { target: Target; history: string; note: string; recipe: string }

export function challenge(ctx: RoleContext, input: ChallengeInput): Promise<Challenge> {
  const p = render(ctx.prompts.challenger, {
    title: asMaterial(input.target.title), source: asMaterial(input.target.text), history: input.history,
    note: input.note ? `<note>\n${asMaterial(input.note)}\n</note>` : '', recipe: input.recipe,
  });
  return json(ctx, 'challenger', 'challenge', Challenge, messages(p));
}

export function checkQuality(ctx: RoleContext, target: Target, c: Challenge): Promise<QualityReport> {
  const p = render(ctx.prompts.quality, { source: asMaterial(target.text), question: asMaterial(c.question), rubric: asMaterial(rubricText(c)) });
  return json(ctx, 'quality', 'quality_check', QualityReport, messages(p));
}

/** Rollouts of one solver; an empty, refused or cut-off answer is retried with more tokens, then marked failed. */
export async function solve(ctx: RoleContext, solver: SolverRole, question: string, onDelta?: (index: number, text: string) => void): Promise<Rollout[]> {
  const ep = ctx.config.roles[solver];
  const n = ctx.config.rollouts[solver];
  const msgs = messages(render(ctx.prompts.solver, { question }));
  const call = async (count: number, maxTokens: number, delta?: (i: number, t: string) => void) => {
    const r = await ctx.models[solver].complete({ messages: msgs, n: count, temperature: ep.temperature, maxTokens, signal: ctx.signal, onDelta: delta });
    ctx.usage.add(solver, r); ctx.onUsage?.(solver);
    return r.choices;
  };
  const choices = await call(n, ep.maxTokens, onDelta);
  const rollouts: Rollout[] = choices.map((c, index) => ({ solver, index, answer: c.text, failure: answerFailure(c) }));
  // An answer whose budget went on reasoning was already asked for again, with a larger budget, by the model layer.
  const settled = new Set(choices.flatMap((c, index) => (c.failure ? [index] : [])));
  let budget = ep.maxTokens;
  for (let retry = 0; retry < ctx.config.truncationRetries; retry++) {
    const bad = rollouts.filter((r) => r.failure && !settled.has(r.index));
    if (bad.length === 0) { break; }
    budget *= 2;
    const again = await Promise.all(bad.map(() => call(1, budget)));
    bad.forEach((r, i) => { const c = again[i][0]; r.answer = c.text; r.failure = answerFailure(c); });
  }
  return rollouts;
}

function answerFailure(c: { text: string; finishReason: string; refusal?: string; failure?: string }): string | undefined {
  if (c.refusal) { return `refused: ${c.refusal}`; }
  if (c.finishReason === 'length') { return c.failure ?? 'cut off at max_tokens'; }
  if (!c.text.trim()) { return 'empty answer'; }
  if (c.finishReason === 'content_filter') { return 'stopped by the content filter'; }
  return undefined;
}

const LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Grades the measurable rollouts against the rubric, filling score and marks (or failure) in place. */
export async function judge(ctx: RoleContext, c: Challenge, rollouts: Rollout[]): Promise<void> {
  const gradable = rollouts.filter((r) => !r.failure);
  if (gradable.length === 0) { return; }
  const groups = ctx.config.judgeMode === 'batch' ? [gradable] : gradable.map((r) => [r]);
  await Promise.all(groups.map(async (group) => {
    try {
      const marks = await gradeGroup(ctx, c, group.map((r) => r.answer));
      group.forEach((r, i) => { r.marks = marks[i]; r.score = rubricScore(c.rubric, marks[i]); });
    } catch (e) {
      if (!(e instanceof StructuredOutputError)) { throw e; }
      for (const r of group) { r.failure = `judge failed: ${e.message}`; }
    }
  }));
}

async function gradeGroup(ctx: RoleContext, c: Challenge, answers: string[]) {
  const labels = answers.map((_, i) => LABELS[i] ?? `X${i}`);
  const k = c.rubric.length;
  // The judge never sees the reference answer, nor which solver wrote which answer.
  const schema = JudgeReport.superRefine((rep, z) => {
    for (const label of labels) {
      const g = rep.grades.find((x) => x.answer.trim().toUpperCase() === label);
      if (!g) { z.addIssue({ code: 'custom', message: `no grade for answer ${label}` }); continue; }
      const missing = Array.from({ length: k }, (_, i) => i + 1).filter((n) => !g.marks.some((m) => m.criterion === n));
      if (missing.length) { z.addIssue({ code: 'custom', message: `answer ${label} lacks marks for criteria ${missing.join(', ')}` }); }
      // One mark per criterion: a repeated one would count twice in the score.
      const repeated = [...new Set(g.marks.map((m) => m.criterion).filter((n, i, all) => all.indexOf(n) !== i))];
      if (repeated.length) { z.addIssue({ code: 'custom', message: `answer ${label} marks criteria ${repeated.join(', ')} more than once` }); }
    }
  });
  const p = render(ctx.prompts.judge, {
    question: asMaterial(c.question), rubric: asMaterial(rubricText(c)), labels: labels.join(', '), criteria: String(k),
    answers: answers.map((a, i) => `<answer label="${labels[i]}">\n${asMaterial(a)}\n</answer>`).join('\n'),
  });
  const report = await json(ctx, 'judge', 'grades', schema, messages(p));
  return labels.map((label) => {
    const g = report.grades.find((x) => x.answer.trim().toUpperCase() === label)!;
    return g.marks.filter((m) => m.criterion >= 1 && m.criterion <= k);
  });
}

// One call site per role: challenge(), checkQuality() (in verification.ts), solve(), judge().
import { createHash } from 'node:crypto';
import { gradeByAnswer } from './answer-match';
import type { ChatRequest } from './models';
import { rubricScore } from './policy';
import { asMaterial, render, type TemplateRole } from './prompts';
import { json, messages, rubricText, type RoleContext } from './role-call';
import { rubricRule } from './rubric-shape';
import { ChallengeDraft, JudgeReport, VerifiableDraft, type Challenge, type JudgeRole, type Rollout, type SolverRole, type Target } from '../shared/schemas';
import { StructuredOutputError } from './structured';
import { UnusableReplyError } from './unusable-reply';

export { checkQuality, verifyAccepted, type EarlierQuestion } from './verification';
export { rubricText, type RoleContext } from './role-call';

export interface ChallengeInput {
  target: Target;
  history: string;
  note: string;
  recipe: string;
}

/** The question a solver sees: the context, then the question. */
function joined(d: { context: string; question: string }): string {
  return d.context.trim() ? `${d.context.trim()}\n\n${d.question.trim()}` : d.question.trim();
}

export function fromDraft(d: ChallengeDraft | VerifiableDraft): Challenge {
  const head = {
    question: joined(d),
    ...(d.context.trim() ? { context: d.context.trim() } : {}),
    questionType: d.questionType,
    skills: d.skills,
    angle: d.angle,
    referenceAnswer: d.referenceAnswer,
    sourceQuote: d.sourceQuote,
    analysis: d.analysis,
  };
  if ('finalAnswer' in d) {
    // No rubric for verifiable answers: one criterion, met by a matching final answer, so scores and records keep one shape.
    return { ...head, rubric: [{ criterion: `The final answer matches ${d.finalAnswer}`, weight: 1, negative: false }], finalAnswer: d.finalAnswer };
  }
  return { ...head, rubric: d.rubric };
}

export async function challenge(ctx: RoleContext, input: ChallengeInput): Promise<Challenge> {
  const preset = ctx.config.preset;
  const template: TemplateRole = preset === 'legal' ? 'challengerLegal' : preset === 'verifiable' ? 'challengerVerifiable' : 'challenger';
  const p = render(ctx.prompts[template], {
    title: asMaterial(input.target.title),
    source: asMaterial(input.target.text),
    history: input.history,
    note: input.note ? `<note>\n${asMaterial(input.note)}\n</note>` : '',
    recipe: input.recipe,
    rubricRule: rubricRule(ctx.config.rubricShape),
  });
  const draft =
    preset === 'verifiable'
      ? await json(ctx, 'challenger', 'verifiable_challenge', VerifiableDraft, messages(p))
      : await json(ctx, 'challenger', 'challenge', ChallengeDraft, messages(p));
  return fromDraft(draft);
}

/**
 * Seeds for a solver's rollouts: distinct per rollout (identical seeds make separate requests return the same answer),
 * and the same for the same question, so a resumed attempt asks again with the seeds it recorded.
 */
export function rolloutSeeds(question: string, solver: SolverRole, n: number): number[] {
  // A multiple of 64 plus the index: distinct for up to 64 rollouts, and within 31 bits for every endpoint.
  const base = (createHash('sha256').update(`${solver}\0${question}`).digest().readUInt32BE(0) >>> 7) << 6;
  return Array.from({ length: n }, (_, i) => base + i);
}

/** Rollouts of one solver; an empty, refused or cut-off answer is retried with more tokens, then marked failed. */
export async function solve(ctx: RoleContext, solver: SolverRole, question: string, onDelta?: (index: number, text: string) => void): Promise<Rollout[]> {
  const ep = ctx.config.roles[solver];
  const n = ctx.config.rollouts[solver];
  const template: TemplateRole = ctx.config.preset === 'verifiable' ? 'solverVerifiable' : 'solver';
  const msgs = messages(render(ctx.prompts[template], { question }));
  const seeds = ctx.config.rolloutSeeds ? rolloutSeeds(question, solver, n) : undefined;
  const call = async (count: number, maxTokens: number, seed?: number, delta?: (i: number, t: string) => void) => {
    const req: ChatRequest = {
      messages: msgs,
      n: count,
      temperature: ep.temperature,
      maxTokens,
      signal: ctx.signal,
      onDelta: delta,
      ...(seed !== undefined ? { seed } : {}),
    };
    const r = await ctx.models[solver].complete(req);
    ctx.usage.add(solver, r);
    ctx.onUsage?.(solver);
    // Reasoning tokens are reported per request: they belong to a rollout only when the request gave one choice.
    return r.choices.map((c) => ({
      ...c,
      reasoningTokens: r.choices.length === 1 && r.calls === 1 ? r.reasoningTokens : undefined,
      seedDropped: r.seedDropped,
    }));
  };
  /** What a rollout keeps of a choice's reasoning (for the journal; the answer is `text` alone). */
  const reasoningOf = (c: { reasoning?: string; reasoningTokens?: number }) => ({
    ...(c.reasoning ? { reasoning: c.reasoning } : {}),
    ...(c.reasoningTokens !== undefined ? { reasoningTokens: c.reasoningTokens } : {}),
  });
  // With seeds, one request per rollout (each its own seed), all at once; without, one request for all `n`.
  const choices = seeds
    ? (await Promise.all(seeds.map((seed, i) => call(1, ep.maxTokens, seed, onDelta && ((_, t) => onDelta(i, t)))))).map((c) => c[0])
    : await call(n, ep.maxTokens, undefined, onDelta);
  const rollouts: Rollout[] = choices.map((c, index) => ({
    solver,
    index,
    answer: capped(c.text),
    failure: answerFailure(c),
    // A seed is recorded only where it was sent (an endpoint that rejects seeds gets none).
    ...(seeds && !c.seedDropped ? { seed: seeds[index] } : {}),
    ...reasoningOf(c),
  }));
  // An answer whose budget went on reasoning was already asked for again, with a larger budget, by the model layer.
  const settled = new Set(choices.flatMap((c, index) => (c.failure ? [index] : [])));
  let budget = ep.maxTokens;
  for (let retry = 0; retry < ctx.config.truncationRetries; retry++) {
    const bad = rollouts.filter((r) => r.failure && !settled.has(r.index));
    if (bad.length === 0) {
      break;
    }
    budget *= 2;
    // A retry keeps its rollout's seed: the same sample, given room to finish.
    const again = await Promise.all(bad.map((r) => call(1, budget, r.seed)));
    bad.forEach((r, i) => {
      const c = again[i][0];
      r.answer = capped(c.text);
      r.failure = answerFailure(c);
      delete r.reasoning;
      delete r.reasoningTokens;
      Object.assign(r, reasoningOf(c));
    });
  }
  return rollouts;
}

/** The longest solver answer kept and graded; a longer one is cut there and marked failed (never graded). */
export const MAX_ANSWER_CHARS = 64_000;

function capped(text: string): string {
  return text.length > MAX_ANSWER_CHARS ? text.slice(0, MAX_ANSWER_CHARS) : text;
}

function answerFailure(c: { text: string; finishReason: string; refusal?: string; failure?: string }): string | undefined {
  if (c.refusal) {
    return `refused: ${c.refusal}`;
  }
  if (c.text.length > MAX_ANSWER_CHARS) {
    return `the answer is ${c.text.length} characters long, over the limit of ${MAX_ANSWER_CHARS}: kept cut short, not graded`;
  }
  if (c.finishReason === 'length') {
    return c.failure ?? 'cut off at max_tokens';
  }
  if (!c.text.trim()) {
    return 'empty answer';
  }
  if (c.finishReason === 'content_filter') {
    return 'stopped by the content filter';
  }
  return undefined;
}

const LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Tokens per mark (criterion number, verdict, a one-sentence reason, JSON) and per graded answer, with headroom. */
const TOKENS_PER_MARK = 60;
const TOKENS_PER_ANSWER = 40;

/** The judge's token budget for a call: sized to criteria × answers (with reasons), never below the configured one. */
export function judgeMaxTokens(criteria: number, answers: number, configured: number): number {
  return Math.max(configured, 200 + answers * (TOKENS_PER_ANSWER + criteria * TOKENS_PER_MARK));
}

/**
 * Grades the measurable rollouts, filling score and marks (or failure) in place. By default each rollout in its own
 * call, all at once, so no grade depends on the other answers of the batch; in batch mode one call per solver, so weak
 * and strong answers never share a call. Verifiable answers are matched, not judged. `grader`: the Judge, or the second
 * judge (same prompt, same rubric).
 */
export async function judge(ctx: RoleContext, c: Challenge, rollouts: Rollout[], grader: JudgeRole = 'judge'): Promise<void> {
  const gradable = rollouts.filter((r) => !r.failure);
  if (gradable.length === 0) {
    return;
  }
  if (c.finalAnswer !== undefined) {
    gradeByAnswer(c.finalAnswer, gradable);
    return;
  }
  const groups =
    ctx.config.judgeMode === 'batch'
      ? (['weak', 'strong'] as const).map((s) => gradable.filter((r) => r.solver === s)).filter((g) => g.length > 0)
      : gradable.map((r) => [r]);
  await Promise.all(
    groups.map(async (group) => {
      let last: StructuredOutputError | undefined;
      for (let round = 0; round < JUDGE_ROUNDS; round++) {
        try {
          const marks = await gradeGroup(
            ctx,
            c,
            group.map((r) => r.answer),
            grader,
          );
          group.forEach((r, i) => {
            r.marks = marks[i];
            r.score = rubricScore(c.rubric, marks[i]);
          });
          return;
        } catch (e) {
          if (!(e instanceof StructuredOutputError)) {
            throw e;
          }
          last = e;
        }
      }
      // A judge that cannot grade says nothing about the question: the attempt ends without counting (run-loop.ts).
      const who = grader === 'judge' ? 'judge' : 'second judge';
      throw new UnusableReplyError(grader, `the ${who}'s grades could not be used (${JUDGE_ROUNDS} requests, each with a repair): ${last?.message}`);
    }),
  );
}

/** Requests (each with its repair) for one grading before the judge's replies count as unusable. */
const JUDGE_ROUNDS = 2;

/** The judge's reply schema per number of answers and criteria, made once (so its JSON Schema is rendered once too). */
const gradesSchemas = new Map<string, ReturnType<typeof gradesSchema>>();

function gradesSchema(labels: readonly string[], k: number) {
  return JudgeReport.superRefine((rep, z) => {
    for (const label of labels) {
      const g = rep.grades.find((x) => x.answer.trim().toUpperCase() === label);
      if (!g) {
        z.addIssue({ code: 'custom', message: `no grade for answer ${label}` });
        continue;
      }
      const missing = Array.from({ length: k }, (_, i) => i + 1).filter((n) => !g.marks.some((m) => m.criterion === n));
      if (missing.length) {
        z.addIssue({ code: 'custom', message: `answer ${label} lacks marks for criteria ${missing.join(', ')}` });
      }
      // One mark per criterion: a repeated one would count twice in the score.
      const repeated = [...new Set(g.marks.map((m) => m.criterion).filter((n, i, all) => all.indexOf(n) !== i))];
      if (repeated.length) {
        z.addIssue({ code: 'custom', message: `answer ${label} marks criteria ${repeated.join(', ')} more than once` });
      }
    }
  });
}

async function gradeGroup(ctx: RoleContext, c: Challenge, answers: string[], grader: JudgeRole) {
  const labels = answers.map((_, i) => LABELS[i] ?? `X${i}`);
  const k = c.rubric.length;
  const key = `${labels.length}:${k}`;
  let schema = gradesSchemas.get(key);
  if (!schema) {
    schema = gradesSchema(labels, k);
    gradesSchemas.set(key, schema);
  }
  // The judge never sees the reference answer, nor which solver wrote which answer.
  const p = render(ctx.prompts.judge, {
    question: asMaterial(c.question),
    rubric: asMaterial(rubricText(c)),
    labels: labels.join(', '),
    criteria: String(k),
    answers: answers.map((a, i) => `<answer label="${labels[i]}">\n${asMaterial(a)}\n</answer>`).join('\n'),
  });
  const configured = (ctx.config.roles[grader] ?? ctx.config.roles.judge).maxTokens;
  const report = await json(ctx, grader, 'grades', schema, messages(p), judgeMaxTokens(k, answers.length, configured));
  return labels.map((label) => {
    const g = report.grades.find((x) => x.answer.trim().toUpperCase() === label)!;
    return g.marks.filter((m) => m.criterion >= 1 && m.criterion <= k);
  });
}

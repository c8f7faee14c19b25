// Realistic engine event streams for the panel: a seeded run of many attempts (verdicts from the real policy, marks,
// feedback, records, usage) and a small hand-written showcase. Used by the webview unit tests and the render benchmark.
import { POLICY_PRESETS, type PolicyThresholds } from '../../src/shared/thresholds';
import type { EngineEvent, EventBody } from '../../src/shared/events';
import { feedbackFor } from '../../src/core/feedback';
import { decide, decideFromWeak, mean, rubricScore } from '../../src/core/policy';
import { buildRecord } from '../../src/core/record';
import type { Challenge, CriterionMark, ModelNames, Role, Rollout, RubricItem, Verdict } from '../../src/shared/schemas';
import type { PanelRun } from '../../src/protocol';
import { seededRandom } from '../../src/core/seeded-random';

export const SHA = 'c0ffee'.padEnd(64, '0');
export const MODELS: ModelNames = { challenger: 'kimi-k2.6', quality: 'kimi-k2.6', weak: 'qwen3.5-4b', strong: 'qwen3.5-397b-a17b', judge: 'kimi-k2.6' };

/** Stamps event bodies with run id, sequence numbers and times, as the orchestrator does. */
export class Stamper {
  seq = 0;
  private readonly start = Date.parse('2026-06-30T09:00:00Z');
  constructor(readonly runId: string) {}
  stamp(body: EventBody): EngineEvent {
    this.seq++;
    return { ...body, runId: this.runId, seq: this.seq, at: new Date(this.start + this.seq * 250).toISOString() } as EngineEvent;
  }
}

export function panelRun(runId = 'run-2026-06-30-bench', thresholds: PolicyThresholds = POLICY_PRESETS.paperAppendix, extra: Partial<PanelRun> = {}): PanelRun {
  return {
    runId,
    title: 'autodata-paper.md',
    documentPath: '/workspace/papers/autodata-paper.md',
    thresholds,
    solveOrder: 'cost',
    mode: 'run',
    live: true,
    ...extra,
  };
}

const TOPICS = [
  'rubric grading',
  'weak–strong gap',
  'quality check',
  'GRPO variance',
  'orchestrator feedback',
  'meta-optimization',
  'truncated answers',
  'legal verdicts',
  'acceptance thresholds',
  'Boltzmann sampling',
  'judge calibration',
  'reward hacking',
  'CoT Self-Instruct',
  'held-out sources',
];
const VERBS = ['Explain why', 'Derive how', 'Compare how', 'Argue whether', 'Predict what happens when', 'Critique the claim that'];
const CRITERIA = [
  'States the mechanism rather than restating the result',
  'Connects the threshold to the variance GRPO needs',
  'Identifies the failure mode of scoring empty answers as zero',
  'Quantifies the effect with the right order of magnitude',
  "Distinguishes the weak solver's role from the strong solver's",
  'Gives a counterexample where the rule fails',
  'Names the assumption behind the judge not seeing the reference',
  'Explains why skipping strong rollouts saves cost',
  'Relates the borderline band to human review',
  'Proposes a test that would falsify the claim',
  'Keeps the answer self-contained',
  "Avoids quoting the paper's exact numbers as the argument",
];
const NEGATIVE = ['Confuses the weak and the strong solver', 'Claims the judge sees the reference answer', 'Pads the answer with unrelated background'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function makeChallenge(r: () => number, title: string, n: number): Challenge {
  const topic = pick(r, TOPICS);
  const k = 6 + Math.floor(r() * 6);
  const rubric: RubricItem[] = [];
  for (let i = 0; i < k; i++) {
    rubric.push({ criterion: CRITERIA[(i + n) % CRITERIA.length], weight: 2 + Math.floor(r() * 8), negative: false });
  }
  for (let i = 0; i < 2; i++) {
    rubric.push({ criterion: NEGATIVE[(i + n) % NEGATIVE.length], weight: 3 + Math.floor(r() * 5), negative: true });
  }
  return {
    question: `${pick(r, VERBS)} ${topic} matters in "${title}": a team keeps only items where a 4B model's mean rubric score stays below 0.65 while a 397B model scores between 0.60 and 0.95. Walk through what this selects for, and what it would miss if attempt ${n} used a single rollout per solver.`,
    questionType: pick(r, ['explanation', 'derivation', 'comparison', 'critique', 'application']),
    skills: ['causal reasoning', 'quantitative estimation'],
    angle: `${topic} from the trainer's side`,
    referenceAnswer: `The rule selects items with learning signal: the weak model fails often but not always, so GRPO sees variance. ${'With one rollout per solver, the means are noisy and the gap is unreliable. '.repeat(3)}`,
    rubric,
    sourceQuote: 'keep an example only where the weak solver fails and the strong solver succeeds',
  };
}

/** Marks that meet roughly `level` of the positive weight; the score is computed from them by the real rubric rule. */
function graded(r: () => number, c: Challenge, solver: 'weak' | 'strong', index: number, level: number, failure?: string): Rollout {
  const answer = `${solver === 'weak' ? 'The weak model' : 'The strong model'} answers: the thresholds keep items with a gap between the solvers, because ${'the policy needs variance in rewards and a question a capable model can answer. '.repeat(1 + Math.floor(r() * 4))}`;
  if (failure) {
    return { solver, index, answer: answer.slice(0, 120), failure };
  }
  // Positive criteria met in a random order until about `level` of their weight is reached: scores land near the level.
  const positives = c.rubric
    .map((item, i) => ({ item, i, key: r() }))
    .filter((x) => !x.item.negative)
    .sort((a, b) => a.key - b.key);
  const total = positives.reduce((s, x) => s + x.item.weight, 0);
  const met = new Set<number>();
  let got = 0;
  for (const x of positives) {
    if ((got + x.item.weight / 2) / total <= level) {
      met.add(x.i);
      got += x.item.weight;
    }
  }
  const marks: CriterionMark[] = c.rubric.map((item, i) => ({
    criterion: i + 1,
    met: item.negative ? r() < (1 - level) * 0.2 : met.has(i),
    reason: item.negative
      ? r() < 0.5
        ? 'The answer keeps the two roles apart.'
        : 'No padding: every paragraph serves the argument.'
      : met.has(i)
        ? 'The answer addresses this directly with a concrete step.'
        : 'Not addressed: the answer stays at the level of the result.',
  }));
  let score = rubricScore(c.rubric, marks);
  // Keep scores off exact zero (the paper's no-zero rule would make every low draw decisive).
  if (score === 0) {
    marks[0].met = true;
    score = rubricScore(c.rubric, marks);
  }
  return { solver, index, answer, score, marks };
}

type Plan = 'accepted' | 'borderline' | 'too_easy' | 'too_hard' | 'gap_too_small' | 'quality_failed' | 'failed';

const LEVELS: Record<Exclude<Plan, 'quality_failed' | 'failed'>, [number, number]> = {
  accepted: [0.35, 0.8],
  borderline: [0.5, 0.7],
  too_easy: [0.92, 0.95],
  too_hard: [0.3, 0.35],
  gap_too_small: [0.55, 0.65],
};

export class Usage {
  readonly totals: Partial<Record<Role, { promptTokens: number; completionTokens: number; calls: number }>> = {};
  add(role: Role, prompt: number, completion: number): EventBody {
    const t = (this.totals[role] ??= { promptTokens: 0, completionTokens: 0, calls: 0 });
    t.promptTokens += prompt;
    t.completionTokens += completion;
    t.calls += 1;
    return { type: 'usage', role, totals: { ...t } };
  }
  snapshot(): Record<string, { promptTokens: number; completionTokens: number; calls: number }> {
    return Object.fromEntries(Object.entries(this.totals).map(([k, v]) => [k, { ...v }]));
  }
  clone(): Usage {
    const u = new Usage();
    Object.assign(u.totals, this.snapshot());
    return u;
  }
  adopt(other: Usage): void {
    Object.assign(this.totals, other.snapshot());
  }
}

export interface AttemptFixture {
  attemptId: string;
  targetId: string;
  iteration: number;
  plan: Plan;
  verdict: Verdict;
  strongSkipped: boolean;
  events: EventBody[];
}

/** The events of one attempt, in the order the orchestrator emits them (cost order: strong only when weak can pass). */
export function attemptBodies(
  r: () => number,
  usage: Usage,
  t: { id: string; title: string },
  iteration: number,
  plan: Plan,
  thresholds: PolicyThresholds,
  given?: { challenge?: Challenge; levels?: [number, number]; jitter?: number },
): AttemptFixture {
  const attemptId = `${t.id}.${iteration}`;
  const out: EventBody[] = [{ type: 'attempt_started', targetId: t.id, attemptId, iteration }];
  const c = given?.challenge ?? makeChallenge(r, t.title, iteration);
  out.push(usage.add('challenger', 3200, 900));
  out.push({ type: 'challenge', attemptId, challenge: c, quoteRange: { start: 1000 + iteration * 10, end: 1080 + iteration * 10 } });
  out.push(usage.add('quality', 1400, 80));
  const finish = (verdict: Verdict, weak: Rollout[], strong: Rollout[], quality?: string): AttemptFixture => {
    const strongSkipped = strong.length === 0 && weak.length > 0;
    out.push({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped, usage: usage.snapshot() });
    if (verdict.kind === 'accepted' || verdict.kind === 'borderline') {
      const record = buildRecord({
        runId: 'fixture',
        attemptId,
        createdAt: '2026-06-30T09:30:00.000Z',
        challenge: c,
        document: { path: '/workspace/papers/autodata-paper.md', sha256: SHA },
        quoteRange: { start: 1000, end: 1080 },
        weak,
        strong,
        verdict,
        iterations: iteration,
        models: MODELS,
        promptVersion: 'p1',
      });
      out.push(verdict.kind === 'accepted' ? { type: 'item_accepted', attemptId, record } : { type: 'review_needed', attemptId, record });
    } else {
      out.push({ type: 'feedback', attemptId, targetId: t.id, text: feedbackFor({ challenge: c, verdict, weak, strong, quality }) });
    }
    return { attemptId, targetId: t.id, iteration, plan, verdict, strongSkipped, events: out };
  };
  if (plan === 'quality_failed') {
    const reason = "The question depends on the paper's exact table values, which a solver cannot know: it tests recall, not reasoning.";
    out.push({ type: 'quality', attemptId, report: { pass: false, reason } });
    return finish({ kind: 'quality_failed', reasons: [reason] }, [], [], reason);
  }
  out.push({ type: 'quality', attemptId, report: { pass: true, reason: 'Self-contained, answerable from the question, and not trivia.' } });
  const [wl, sl] = given?.levels ?? (plan === 'failed' ? [0.4, 0.8] : LEVELS[plan]);
  const jitter = given?.jitter ?? 0.12;
  const weak = [0, 1, 2].map((i) =>
    graded(r, c, 'weak', i, Math.min(0.98, Math.max(0.05, wl + (r() - 0.5) * jitter)), plan === 'failed' && i > 0 ? 'cut off at max_tokens' : undefined),
  );
  out.push({ type: 'rollouts', attemptId, solver: 'weak', rollouts: weak.map(({ score: _s, marks: _m, ...rest }) => rest) });
  out.push(usage.add('weak', 600, 2400));
  const weakScores = weak.filter((x) => !x.failure).map((x) => x.score!);
  out.push(usage.add('judge', 5200, 700));
  out.push({ type: 'grades', attemptId, solver: 'weak', rollouts: weak, mean: weakScores.length ? mean(weakScores) : null });
  if (plan === 'failed') {
    return finish(
      { kind: 'failed', reasons: [`only ${weakScores.length} of ${weak.length} weak rollouts could be measured (cut off at max_tokens)`] },
      weak,
      [],
    );
  }
  const early = decideFromWeak(thresholds, weakScores);
  if (early) {
    return finish(early, weak, []);
  }
  const strong = [0, 1, 2].map((i) => graded(r, c, 'strong', i, Math.min(0.98, Math.max(0.05, sl + (r() - 0.5) * jitter))));
  out.push({ type: 'rollouts', attemptId, solver: 'strong', rollouts: strong.map(({ score: _s, marks: _m, ...rest }) => rest) });
  out.push(usage.add('strong', 600, 3100));
  out.push(usage.add('judge', 5600, 760));
  const strongScores = strong.map((x) => x.score!);
  out.push({ type: 'grades', attemptId, solver: 'strong', rollouts: strong, mean: mean(strongScores) });
  return finish(decide(thresholds, weakScores, strongScores), weak, strong);
}

export interface GeneratedRun {
  run: PanelRun;
  events: EngineEvent[];
  attempts: AttemptFixture[];
}

/**
 * A run of `attempts` attempts over `targets` sections: each section's earlier attempts are rejected for mixed reasons and
 * its last one is accepted or handed to review; a share of review items is then decided. Verdicts come from the real policy.
 */
export function generateRun(opts: {
  attempts: number;
  targets: number;
  seed?: number;
  runId?: string;
  decideShare?: number;
  thresholds?: PolicyThresholds;
}): GeneratedRun {
  const r = seededRandom(opts.seed ?? 7);
  const thresholds = opts.thresholds ?? POLICY_PRESETS.paperAppendix;
  const run = panelRun(opts.runId, thresholds);
  const s = new Stamper(run.runId);
  const usage = new Usage();
  const targets = Array.from({ length: opts.targets }, (_, i) => ({
    id: `s${Math.floor(i / 9) + 1}.${(i % 9) + 1}`,
    title: `${Math.floor(i / 9) + 1}.${(i % 9) + 1} ${TOPICS[i % TOPICS.length].replace(/^./, (ch) => ch.toUpperCase())}`,
    range: { start: i * 4000, end: i * 4000 + 3900 },
  }));
  const counts = targets.map((_, i) => Math.floor(opts.attempts / opts.targets) + (i < opts.attempts % opts.targets ? 1 : 0));
  const events: EngineEvent[] = [
    s.stamp({
      type: 'run_started',
      document: { path: run.documentPath, sha256: SHA, length: opts.targets * 4000 },
      targets,
      models: MODELS,
      promptVersion: 'p1',
      mode: 'run',
      policy: thresholds,
      solveOrder: 'cost',
    }),
  ];
  const attempts: AttemptFixture[] = [];
  const rejects: Plan[] = ['too_easy', 'too_easy', 'too_easy', 'too_hard', 'gap_too_small', 'quality_failed', 'failed'];
  targets.forEach((t, ti) => {
    if (counts[ti] === 0) {
      return;
    }
    events.push(s.stamp({ type: 'target_started', targetId: t.id }));
    let outcome: 'accepted' | 'review' | 'exhausted' = 'exhausted';
    for (let it = 1; it <= counts[ti]; it++) {
      const last = it === counts[ti];
      const plan: Plan = last ? (r() < 0.8 ? 'accepted' : 'borderline') : pick(r, rejects);
      // Scores are drawn, and the real policy decides: draw again until the verdict fits the plan (kept or not).
      const kept = (a: AttemptFixture) => a.verdict.kind === 'accepted' || a.verdict.kind === 'borderline';
      let a: AttemptFixture;
      let u: Usage;
      let tries = 0;
      do {
        u = usage.clone();
        a = attemptBodies(r, u, t, it, plan, thresholds);
      } while (kept(a) !== last && ++tries < 40);
      usage.adopt(u);
      attempts.push(a);
      events.push(...a.events.map((b) => s.stamp(b)));
      outcome = a.verdict.kind === 'accepted' ? 'accepted' : a.verdict.kind === 'borderline' ? 'review' : 'exhausted';
    }
    events.push(s.stamp({ type: 'target_finished', targetId: t.id, outcome, iterations: counts[ti] }));
  });
  const share = opts.decideShare ?? 0;
  attempts
    .filter((a) => a.verdict.kind === 'borderline')
    .forEach((a, i) => {
      if (r() >= share) {
        return;
      }
      const approve = i % 2 === 0;
      events.push(
        s.stamp({
          type: 'review_decision',
          attemptId: a.attemptId,
          targetId: a.targetId,
          decision: approve ? 'approved' : 'rejected',
          reason: approve ? undefined : 'The rubric rewards length more than insight.',
        }),
      );
    });
  return { run, events, attempts };
}

/** One more accepted attempt (on a new section `x<n>`, attempt `x<n>.1`) for a run already shown: "one update among 1,000 cards". */
export function extraAttempt(after: GeneratedRun, n = 1): EngineEvent[] {
  const r = seededRandom(1000 + n);
  const s = new Stamper(after.run.runId);
  s.seq = (after.events.at(-1)?.seq ?? 0) + n * 100;
  const t = { id: `x${n}`, title: `Appendix ${n}: the acceptance prompt` };
  const a = attemptBodies(r, new Usage(), t, 1, 'accepted', after.run.thresholds, { levels: [0.4, 0.8], jitter: 0.04 });
  return [s.stamp({ type: 'target_started', targetId: t.id }), ...a.events.map((b) => s.stamp(b))];
}

// ---- a small hand-written run, for screenshots and the rendering tests ----

const SHOWCASE: Record<string, Challenge> = {
  tooEasy: {
    question: 'What two conditions must hold for Agentic Self-Instruct to keep a generated example?',
    questionType: 'recall',
    skills: ['reading comprehension'],
    angle: 'the acceptance rule, stated',
    referenceAnswer: 'The weak solver must fail (low mean rubric score) and the strong solver must succeed (high mean score), with a large enough gap.',
    rubric: [
      { criterion: 'Says the weak solver should fail', weight: 5, negative: false },
      { criterion: 'Says the strong solver should succeed', weight: 5, negative: false },
      { criterion: 'Mentions the gap between them', weight: 3, negative: false },
      { criterion: 'Confuses which solver is being trained', weight: 4, negative: true },
    ],
    sourceQuote: 'keep an example only where the weak solver fails and the strong solver succeeds',
  },
  accepted: {
    question:
      'A team trains a 4B model with GRPO on items accepted when the weak mean is at most 0.65 and the strong mean lies in [0.60, 0.95). Suppose they drop the upper bound on the strong mean and the "no weak rollout scores 0" rule. Predict how the accepted set changes, and explain what each change does to the reward variance GRPO sees during training.',
    questionType: 'counterfactual',
    skills: ['causal reasoning', 'understanding of RL fine-tuning'],
    angle: 'why the thresholds protect variance',
    referenceAnswer:
      'Without the upper bound, near-perfect strong items (too easy to be informative about answerability) enter; without the no-zero rule, items where the weak model always scores 0 enter, and a group of all-zero rewards gives GRPO no advantage signal, so those items contribute no gradient. The accepted set grows but its useful share falls.',
    rubric: [
      { criterion: 'Explains that all-zero reward groups give GRPO no advantage signal', weight: 7, negative: false },
      { criterion: 'Predicts that the accepted set grows', weight: 3, negative: false },
      { criterion: 'Explains what the upper bound on the strong mean guards against', weight: 5, negative: false },
      { criterion: 'Distinguishes variance within a group from difficulty across items', weight: 6, negative: false },
      { criterion: 'Concludes that the useful share of the data falls', weight: 4, negative: false },
      { criterion: 'Claims the judge sees the reference answer', weight: 5, negative: true },
      { criterion: 'Pads the answer with a summary of the paper', weight: 3, negative: true },
    ],
    sourceQuote: 'No zeros and no near-perfect strong scores keep variance for GRPO.',
  },
  failed: {
    question:
      'Derive, step by step, the expected number of judge calls per accepted item when 80% of failed rounds are too easy and strong rollouts are skipped after a too-easy weak result, assuming 6.59 rounds per accepted item, batch judging, and 3 rollouts per solver. Show every intermediate quantity.',
    questionType: 'derivation',
    skills: ['quantitative estimation'],
    angle: "cost of the paper's order",
    referenceAnswer:
      'Per round: one weak judge call; strong judge call only when not too easy. With 5.59 failed rounds of which 80% are too easy: 5.59 × 0.2 + 1 ≈ 2.1 strong judge calls, plus 6.59 weak ones: about 8.7 calls per accepted item.',
    rubric: [
      { criterion: 'Counts one weak judge call per round', weight: 5, negative: false },
      { criterion: 'Skips strong judging for too-easy rounds', weight: 6, negative: false },
      { criterion: 'Arrives at roughly 8 to 9 calls', weight: 4, negative: false },
    ],
    sourceQuote: 'skipping the strong rollouts after a too-easy weak result saves most of their cost',
  },
  borderline: {
    question:
      "The paper reports that truncated answers fell from 23.75% to 4.09% after moving to Agentic Self-Instruct. Why would a question-generation method change how often a solver's answer is cut off, and why must a cut-off answer be excluded from the mean rather than scored as zero?",
    questionType: 'explanation',
    skills: ['causal reasoning', 'measurement'],
    angle: 'truncation as a measurement failure',
    referenceAnswer:
      'Questions that need less sprawling output (focused, answerable in a few hundred words) are cut off less. A cut-off answer measures the token budget, not the model: scoring it 0 lowers the weak mean and can flip the gap negative, so it must be retried or excluded.',
    rubric: [
      { criterion: 'Links question scope to answer length', weight: 5, negative: false },
      { criterion: 'Calls a cut-off answer a failed measurement', weight: 6, negative: false },
      { criterion: 'Explains how a silent zero distorts the gap', weight: 6, negative: false },
      { criterion: 'Suggests retrying with a larger budget', weight: 3, negative: false },
      { criterion: 'Confuses the weak and the strong solver', weight: 4, negative: true },
    ],
    sourceQuote: 'Treat an empty or truncated answer as a failed measurement (retry with more tokens, or mark it), never as a silent zero.',
  },
  stepping: {
    question:
      'An analyser proposes editing the weak solver\'s system prompt to "answer briefly" because it raises the acceptance rate. Using the paper\'s account of meta-optimization, argue whether this change should be kept, and what it would do to the trained model.',
    questionType: 'critique',
    skills: ['argumentation', 'understanding of evaluation'],
    angle: 'cheating by weakening the weak solver',
    referenceAnswer:
      'It should be rejected: it makes the weak solver fail for a reason unrelated to the question, so accepted items no longer reflect what the model to be trained cannot do; the data would teach brevity-induced failure modes, not reasoning.',
    rubric: [
      { criterion: 'Recognizes the change as gaming the acceptance rule', weight: 7, negative: false },
      { criterion: "Explains that solver prompts are not the recipe's to change", weight: 5, negative: false },
      { criterion: 'Describes the effect on the trained model', weight: 5, negative: false },
      { criterion: 'Recommends keeping the change because the pass rate rises', weight: 6, negative: true },
    ],
    sourceQuote: "Agents sometimes tried to cheat (e.g. by weakening the weak solver's prompt): the solver prompts are not the recipe's to change.",
  },
};

/** Finds a seed for which the plan yields the wanted verdict under the thresholds (keeps the showcase honest). */
function seeded(
  want: Verdict['kind'],
  t: { id: string; title: string },
  iteration: number,
  plan: Plan,
  thresholds: PolicyThresholds,
  given: { challenge: Challenge; levels: [number, number] },
): number {
  for (let seed = 1; seed < 500; seed++) {
    if (attemptBodies(seededRandom(seed), new Usage(), t, iteration, plan, thresholds, { ...given, jitter: 0.06 }).verdict.kind === want) {
      return seed;
    }
  }
  throw new Error(`no seed gives ${want} for ${t.id}.${iteration}`);
}

/**
 * A short run in step mode as a person sees it: an accepted item after a too-easy one (strong skipped), a failed attempt
 * (cut off at max_tokens) then a borderline item in review, and an attempt waiting before its weak solver.
 */
export function showcaseRun(runId = 'run-2026-06-30-0912'): GeneratedRun {
  const thresholds = POLICY_PRESETS.paperAppendix;
  const run = panelRun(runId, thresholds, { mode: 'step' });
  const s = new Stamper(runId);
  const usage = new Usage();
  const targets = [
    { id: 's3.4', title: '3.4 Acceptance: when an example is kept', range: { start: 8200, end: 11900 } },
    { id: 's4.2', title: '4.2 Pitfalls: truncated and empty answers', range: { start: 15400, end: 17800 } },
    { id: 's5.1', title: '5.1 The outer loop: meta-optimizing the recipe', range: { start: 18000, end: 21500 } },
  ];
  const events: EngineEvent[] = [
    s.stamp({
      type: 'run_started',
      document: { path: run.documentPath, sha256: SHA, length: 24000 },
      targets,
      models: MODELS,
      promptVersion: 'p1',
      mode: 'step',
      policy: thresholds,
      solveOrder: 'cost',
    }),
  ];
  const attempts: AttemptFixture[] = [];
  const add = (t: (typeof targets)[number], iteration: number, plan: Plan, want: Verdict['kind'], challenge: Challenge, levels: [number, number]) => {
    const seed = seeded(want, t, iteration, plan, thresholds, { challenge, levels });
    const a = attemptBodies(seededRandom(seed), usage, t, iteration, plan, thresholds, { challenge, levels, jitter: 0.06 });
    attempts.push(a);
    events.push(...a.events.map((b) => s.stamp(b)));
  };
  events.push(s.stamp({ type: 'state', state: 'running' }));
  events.push(s.stamp({ type: 'target_started', targetId: 's3.4' }));
  add(targets[0], 1, 'too_easy', 'too_easy', SHOWCASE.tooEasy, [0.78, 0.9]);
  add(targets[0], 2, 'accepted', 'accepted', SHOWCASE.accepted, [0.4, 0.8]);
  events.push(s.stamp({ type: 'target_finished', targetId: 's3.4', outcome: 'accepted', iterations: 2 }));
  events.push(s.stamp({ type: 'target_started', targetId: 's4.2' }));
  add(targets[1], 1, 'failed', 'failed', SHOWCASE.failed, [0.4, 0.8]);
  events.push(
    s.stamp({ type: 'error', attemptId: 's4.2.1', message: 'weak solver: 2 of 3 answers were cut off at max_tokens (2048), also after a retry with 4096' }),
  );
  add(targets[1], 2, 'borderline', 'borderline', SHOWCASE.borderline, [0.47, 0.64]);
  events.push(s.stamp({ type: 'target_finished', targetId: 's4.2', outcome: 'review', iterations: 2 }));
  events.push(s.stamp({ type: 'state', state: 'stepping' }));
  events.push(s.stamp({ type: 'target_started', targetId: 's5.1' }));
  events.push(s.stamp({ type: 'attempt_started', targetId: 's5.1', attemptId: 's5.1.1', iteration: 1 }));
  events.push(s.stamp(usage.add('challenger', 3400, 1020)));
  events.push(s.stamp({ type: 'challenge', attemptId: 's5.1.1', challenge: SHOWCASE.stepping, quoteRange: { start: 19850, end: 19990 } }));
  events.push(s.stamp(usage.add('quality', 1500, 90)));
  events.push(
    s.stamp({
      type: 'quality',
      attemptId: 's5.1.1',
      report: { pass: true, reason: 'Self-contained; asks for a judgement grounded in the method, not for a number from the paper.' },
    }),
  );
  events.push(s.stamp({ type: 'waiting', attemptId: 's5.1.1', next: 'solve_weak' }));
  return { run, events, attempts };
}

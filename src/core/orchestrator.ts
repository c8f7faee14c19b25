// The Agentic Self-Instruct loop over a document's targets: challenge, check, solve, judge, decide, feed back.
import { budgetSpent, costOf } from './budget';
import { locateQuote, sha256 } from './chunks';
import { impossiblePolicy, type EngineConfig } from './config';
import { RunControl, StoppedError } from './control';
import type { DeltaEvent, EngineEvent, EventBody, Phase } from '../shared/events';
import { feedbackFor } from './feedback';
import { ModelError, type ChatModel } from './models';
import { decide, decideFromWeak, mean } from './policy';
import { DEFAULT_PROMPTS, promptVersion, type PromptSet } from './prompts';
import { buildRecord, measuredScores } from './record';
import { challenge, checkQuality, judge, solve, type RoleContext } from './roles';
import { Challenge, type DatasetRecord, type Role, type Rollout, type SourceRange, type Target, type Verdict } from '../shared/schemas';
import { StructuredOutputError } from './structured';
import { learnRecipe, type AttemptOutcome } from './recipe';
import { QuestionIndex } from './similarity';
import type { AttemptMemory, PendingAttempt, ResumePoint } from './resume';
import { UsageMeter } from './usage';

export interface RunOptions {
  runId: string;
  document: { path: string; text: string };
  targets: Target[];
  config: EngineConfig;
  models: Record<Role, ChatModel>;
  prompts?: PromptSet;
  /** Learnings included in every Challenger prompt, and their version; updated every `recipeEvery` attempts. */
  recipe?: string;
  recipeVersion?: number;
  mode?: 'run' | 'step';
  /** Stop once this many items are accepted (borderline items awaiting review do not count). */
  goal?: number;
  emit: (e: EngineEvent) => void;
  onDelta?: (d: DeltaEvent) => void;
  now?: () => Date;
  /** Questions already in the dataset: a new question too similar to one of them is rejected as a near-duplicate. */
  knownQuestions?: ReadonlyArray<{ id: string; question: string }>;
  /** Goes on with a run rebuilt from its journal (same runId), instead of starting one. */
  resume?: ResumePoint;
}

export interface RunSummary {
  outcome: 'completed' | 'stopped' | 'error';
  accepted: DatasetRecord[];
  review: DatasetRecord[];
  attempts: number;
  message?: string;
}


/** Consecutive transport failures after which the run pauses instead of burning through attempts. */
const PAUSE_AFTER_FAILURES = 3;

export class Orchestrator {
  readonly usage = new UsageMeter();
  private readonly control: RunControl;
  private readonly prompts: PromptSet;
  private readonly version: string;
  private readonly docHash: string;
  private seq = 0;
  private attempts = 0;
  private readonly accepted: DatasetRecord[] = [];
  private readonly review: DatasetRecord[] = [];
  private readonly notes: Array<{ text: string; targetId?: string }> = [];
  /** Challenges that may still be edited, by attempt, until the next step starts. */
  private readonly editable = new Map<string, Challenge>();
  private transportFailures = 0;
  /** Every target's attempts so far, so a target sent back by a person continues with its history. */
  private readonly histories = new Map<string, AttemptMemory[]>();
  private readonly iterations = new Map<string, number>();
  /** Tokens per target (all its attempts), the cost of the item it yields. */
  private readonly targetUsage = new Map<string, UsageMeter>();
  private readonly queue: Target[] = [];
  private finished = false;
  private budgetMessage: string | undefined;
  private recipe: string;
  private recipeVersion: number;
  private readonly batch: AttemptOutcome[] = [];
  private learning: Promise<void> | undefined;
  /** Questions of the dataset and of this run, for the near-duplicate check. */
  private readonly questionIndex: QuestionIndex | undefined;
  private readonly questionText = new Map<string, string>();

  constructor(private readonly o: RunOptions) {
    this.prompts = o.prompts ?? DEFAULT_PROMPTS;
    this.version = promptVersion(this.prompts);
    this.docHash = sha256(o.document.text);
    this.control = new RunControl(o.mode ?? 'run', (state) => this.emit({ type: 'state', state }));
    this.recipe = o.recipe ?? '';
    if (o.config.dedupeThreshold > 0) {
      this.questionIndex = new QuestionIndex(o.config.dedupeThreshold);
      for (const q of o.knownQuestions ?? []) { this.remember(q.id, q.question); }
      for (const [t, h] of o.resume?.histories ?? []) { h.forEach((m, i) => this.remember(`${t}#${i + 1}`, m.question)); }
    }
    this.recipeVersion = o.recipeVersion ?? 0;
    const r = o.resume;
    if (r) {
      this.seq = r.lastSeq;
      this.attempts = r.attempts;
      this.accepted.push(...r.accepted);
      this.review.push(...r.review);
      for (const [t, h] of r.histories) { this.histories.set(t, [...h]); }
      for (const [t, n] of r.iterations) { this.iterations.set(t, n); }
      for (const [role, u] of Object.entries(r.usage)) { this.usage.add(role as Role, u); }
      for (const n of r.notes) { this.notes.push(n); }
    }
  }

  get state() { return this.control.state; }
  pause(): void { this.control.pause(); }
  resume(): void { this.control.resume(); }
  /** Leaves step mode and runs on. */
  run(): void { this.control.run(); }
  step(): void { this.control.step(); }
  stop(): void { this.control.stop(); }

  /** A note for the next Challenger prompt (of one target, or of whichever target asks next). */
  addNote(text: string, targetId?: string): void {
    this.notes.push({ text, targetId });
    this.emit({ type: 'note', text, targetId });
  }

  /**
   * Sends a target back to the Challenger (a person rejected its borderline item), with the reason as a note.
   * Returns false when the run has already finished.
   */
  requeue(targetId: string, reason: string): boolean {
    const t = this.o.targets.find((x) => x.id === targetId);
    if (!t || this.finished || this.control.stopped) { return false; }
    this.addNote(`A person rejected the last question on this section: ${reason}`, targetId);
    if (!this.queue.includes(t)) { this.queue.push(t); }
    return true;
  }

  /** Replaces a proposed challenge before its solvers run. Returns false when it is too late or invalid. */
  editChallenge(attemptId: string, proposed: unknown): boolean {
    if (!this.editable.has(attemptId)) { return false; }
    const parsed = Challenge.safeParse(proposed);
    if (!parsed.success) { return false; }
    this.editable.set(attemptId, parsed.data);
    const target = this.o.targets.find((t) => attemptId.startsWith(`${t.id}.`));
    this.emit({ type: 'challenge', attemptId, challenge: parsed.data, edited: true, quoteRange: target ? locateQuote(target, parsed.data.sourceQuote) : undefined });
    return true;
  }

  async start(): Promise<RunSummary> {
    const { config: cfg, models } = this.o;
    const resume = this.o.resume;
    const todo = resume ? this.o.targets.filter((t) => !resume.done.has(t.id)) : this.o.targets;
    if (resume) {
      this.emit({ type: 'run_resumed', targets: todo.map((t) => t.id), reused: [...resume.pending.values()].map((p) => p.attemptId) });
    } else this.emit({
      type: 'run_started', document: { path: this.o.document.path, sha256: this.docHash, length: this.o.document.text.length },
      targets: this.o.targets.map((t) => ({ id: t.id, title: t.title, range: t.range })), promptVersion: this.version,
      models: { challenger: models.challenger.model, quality: models.quality.model, weak: models.weak.model, strong: models.strong.model, judge: models.judge.model },
      mode: this.o.mode ?? 'run', goal: this.o.goal, policy: cfg.policy, solveOrder: cfg.solveOrder, rollouts: cfg.rollouts, prompts: this.prompts,
    });
    const impossible = impossiblePolicy(cfg.policy);
    if (impossible) { return this.finish('error', `No item can pass these thresholds: ${impossible}.`); }
    if (cfg.budget.money > 0) {
      const unpriced = [...new Set(Object.values(models).map((m) => m.model))].filter((m) => !cfg.prices[m]);
      if (unpriced.length) { return this.finish('error', `A money budget needs a price for every model in use; autodata.prices has none for ${unpriced.join(', ')}.`); }
    }
    const queue = this.queue;
    queue.push(...todo);
    let fatal: Error | undefined;
    let active = 0;
    let settled: () => void = () => undefined;
    // With a goal, a target starts only if the ones in flight could still leave the goal short.
    const mayStart = () => this.o.goal === undefined || this.accepted.length + active < this.o.goal;
    const worker = async (): Promise<void> => {
      while (queue.length > 0 && !fatal && !this.control.stopped && !this.goalReached()) {
        if (!mayStart()) { await new Promise<void>((r) => { const prev = settled; settled = () => { prev(); r(); }; }); continue; }
        const t = queue.shift()!;
        active++;
        try { await this.runTarget(t); } catch (e) {
          if (!(e instanceof StoppedError)) { fatal = e as Error; this.control.stop(); }
        } finally {
          active--;
          const wake = settled; settled = () => undefined; wake();
        }
      }
      const wake = settled; settled = () => undefined; wake();
    };
    await Promise.all(Array.from({ length: Math.min(cfg.targetConcurrency, Math.max(1, queue.length)) }, worker));
    this.finished = true;
    if (fatal) { return this.finish('error', fatal.message); }
    return this.finish(this.control.stopped ? 'stopped' : 'completed');
  }

  private goalReached(): boolean { return this.o.goal !== undefined && this.accepted.length >= this.o.goal; }

  private cost(): number | undefined {
    const m = this.o.models;
    return costOf(this.usage.byRole, { challenger: m.challenger.model, quality: m.quality.model, weak: m.weak.model, strong: m.strong.model, judge: m.judge.model }, this.o.config.prices);
  }

  private finish(outcome: RunSummary['outcome'], message = this.budgetMessage): RunSummary {
    this.emit({ type: 'run_finished', outcome, accepted: this.accepted.length, review: this.review.length, attempts: this.attempts, usage: this.usage.snapshot(), cost: this.cost(), message });
    return { outcome, accepted: [...this.accepted], review: [...this.review], attempts: this.attempts, message };
  }

  private emit(body: EventBody): void {
    this.o.emit({ ...body, runId: this.o.runId, seq: ++this.seq, at: (this.o.now?.() ?? new Date()).toISOString() } as EngineEvent);
  }

  private gate(next: Phase, attemptId?: string): Promise<void> {
    return this.control.pass(() => this.emit({ type: 'waiting', next, attemptId }));
  }

  private context(usage: UsageMeter = this.usage): RoleContext {
    return {
      models: this.o.models, config: this.o.config, prompts: this.prompts, usage, signal: this.control.signal,
      onUsage: (role) => this.usageChanged(role),
    };
  }

  /** After every call: the role's totals to the listeners, and a clean stop once the budget is spent. */
  private usageChanged(role: Role): void {
    const cost = this.cost();
    this.emit({ type: 'usage', role, totals: this.usage.byRole[role]!, cost });
    const t = this.usage.total();
    const spent = budgetSpent(this.o.config.budget, t.promptTokens + t.completionTokens, cost);
    if (spent && !this.budgetMessage) { this.budgetMessage = `Stopped: ${spent}.`; this.control.stop(); }
  }

  private takeNote(targetId: string): string {
    const mine = this.notes.filter((n) => !n.targetId || n.targetId === targetId);
    for (const n of mine) { this.notes.splice(this.notes.indexOf(n), 1); }
    return mine.map((n) => n.text).join('\n');
  }

  private async runTarget(t: Target): Promise<void> {
    this.emit({ type: 'target_started', targetId: t.id });
    const history = this.histories.get(t.id) ?? [];
    this.histories.set(t.id, history);
    for (let iteration = (this.iterations.get(t.id) ?? 0) + 1; iteration <= this.o.config.maxIterations; iteration++) {
      this.iterations.set(t.id, iteration);
      if (this.goalReached()) { break; }
      const attemptId = `${t.id}.${iteration}`;
      let outcome: 'accepted' | 'review' | undefined;
      try {
        outcome = await this.attempt(t, attemptId, iteration, history);
        this.transportFailures = 0;
      } catch (e) {
        if (e instanceof StoppedError || this.control.stopped) {
          this.emit({ type: 'target_finished', targetId: t.id, outcome: 'stopped', iterations: iteration });
          throw new StoppedError();
        }
        if (!(e instanceof ModelError) || e.fatal) { throw e; }
        // A transport failure that outlived the SDK's retries: record it; after several in a row, pause the run.
        const verdict: Verdict = { kind: 'failed', reasons: [e.message] };
        this.emit({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped: false, usage: this.usage.snapshot() });
        this.emit({ type: 'error', message: e.message, attemptId });
        if (++this.transportFailures >= PAUSE_AFTER_FAILURES) { this.transportFailures = 0; this.control.pause(); }
        continue;
      }
      if (outcome) { this.emit({ type: 'target_finished', targetId: t.id, outcome, iterations: iteration }); }
      // The recipe is learned once the attempt's outcome is recorded: stopping now cannot undo that outcome.
      await this.maybeLearn().catch((e) => { if (!(e instanceof StoppedError || (e instanceof ModelError && e.kind === 'aborted'))) { throw e; } });
      if (outcome) { return; }
    }
    this.emit({ type: 'target_finished', targetId: t.id, outcome: 'exhausted', iterations: this.iterations.get(t.id) ?? 0 });
  }

  /** One round. Returns 'accepted' or 'review' when the target is done, undefined to try again. */
  private async attempt(t: Target, attemptId: string, iteration: number, history: AttemptMemory[]): Promise<'accepted' | 'review' | undefined> {
    const cfg = this.o.config;
    const targetUsage = this.targetUsage.get(t.id) ?? new UsageMeter(this.usage);
    this.targetUsage.set(t.id, targetUsage);
    const attemptUsage = new UsageMeter(targetUsage);
    const ctx = this.context(attemptUsage);
    this.attempts++;
    // An attempt interrupted by a crash is taken up where its journal ends: finished calls are not made again.
    const saved = this.o.resume?.pending.get(t.id);
    const reuse: PendingAttempt | undefined = saved?.attemptId === attemptId ? saved : undefined;
    if (reuse) { this.o.resume!.pending.delete(t.id); } else { this.emit({ type: 'attempt_started', targetId: t.id, attemptId, iteration }); }
    const reject = (verdict: Verdict, c?: Challenge, weak: Rollout[] = [], strong: Rollout[] = [], quality?: string) => {
      this.emit({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped: strong.length === 0 && weak.length > 0, usage: this.usage.snapshot(), attemptUsage: attemptUsage.total() });
      const text = feedbackFor({ challenge: c, verdict, weak, strong, quality });
      this.emit({ type: 'feedback', attemptId, targetId: t.id, text });
      history.push({ question: c?.question ?? '(no valid question)', angle: c?.angle ?? '', verdict, feedback: text });
      if (c) { this.batch.push({ question: c.question, angle: c.angle, verdict, feedback: text }); }
      return undefined;
    };

    let proposed: Challenge;
    if (reuse) { proposed = reuse.challenge; } else try {
      await this.gate('challenge', attemptId);
      proposed = await challenge(ctx, { target: t, history: historyText(history), note: this.takeNote(t.id), recipe: this.recipe ? `\nLearnings from earlier attempts (the recipe, v${this.recipeVersion}):\n${this.recipe}` : '' });
    } catch (e) {
      if (e instanceof StructuredOutputError) { return reject({ kind: 'failed', reasons: [`the Challenger's reply was unusable: ${e.message}`] }); }
      throw e;
    }
    let quoteRange = locateQuote(t, proposed.sourceQuote);
    if (!reuse) { this.emit({ type: 'challenge', attemptId, challenge: proposed, quoteRange }); }
    this.editable.set(attemptId, proposed);
    const current = () => this.editable.get(attemptId) ?? proposed;
    try {
      if (cfg.qualityCheck) { await this.gate('quality', attemptId); }
      let c = current();
      /** The checks before any solver runs; they run again on a question a person edits at the next pause. */
      const check = async (q: Challenge, skipQuality: boolean): Promise<Verdict | undefined> => {
        quoteRange = locateQuote(t, q.sourceQuote);
        const local = localProblem(q, quoteRange) ?? this.duplicateOf(q.question);
        if (local) { return { kind: 'quality_failed', reasons: [local] }; }
        if (!cfg.qualityCheck || skipQuality) { return undefined; }
        let report;
        try { report = await checkQuality(ctx, t, q); } catch (e) {
          if (e instanceof StructuredOutputError) { return { kind: 'failed', reasons: [`the quality check's reply was unusable: ${e.message}`] }; }
          throw e;
        }
        this.emit({ type: 'quality', attemptId, report });
        return report.pass ? undefined : { kind: 'quality_failed', reasons: [report.reason] };
      };
      let failed = await check(c, Boolean(reuse?.quality?.pass));
      if (!failed) {
        await this.gate('solve_weak', attemptId);
        if (current() !== c) { c = current(); failed = await check(c, false); }
      }
      // Every question the run asked counts for the near-duplicate check, the rejected ones too.
      this.remember(attemptId, c.question);
      if (failed) { return reject(failed, c, [], [], failed.reasons[0]); }
      this.editable.delete(attemptId);
      const { weak, strong, verdict } = await this.measure(ctx, attemptId, c, reuse);
      if (verdict.kind !== 'accepted' && verdict.kind !== 'borderline') { return reject(verdict, c, weak, strong); }
      this.emit({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped: false, usage: this.usage.snapshot(), attemptUsage: attemptUsage.total() });
      const record = buildRecord({
        runId: this.o.runId, attemptId, createdAt: (this.o.now?.() ?? new Date()).toISOString(), challenge: c,
        document: { path: this.o.document.path, sha256: this.docHash }, quoteRange: quoteRange as SourceRange, weak, strong, verdict,
        iterations: iteration, models: { challenger: this.o.models.challenger.model, quality: this.o.models.quality.model, weak: this.o.models.weak.model, strong: this.o.models.strong.model, judge: this.o.models.judge.model },
        promptVersion: this.version, usage: targetUsage.total(),
      });
      this.batch.push({ question: c.question, angle: c.angle, verdict });
      if (verdict.kind === 'accepted') {
        this.accepted.push(record);
        this.emit({ type: 'item_accepted', attemptId, record });
        return 'accepted';
      }
      this.review.push(record);
      history.push({ question: c.question, angle: c.angle, verdict, feedback: 'Borderline: sent to a person for review.' });
      this.emit({ type: 'review_needed', attemptId, record });
      return 'review';
    } finally {
      this.editable.delete(attemptId);
    }
  }

  private remember(id: string, question: string): void {
    if (!this.questionIndex) { return; }
    this.questionIndex.add(id, question);
    this.questionText.set(id, question);
  }

  /** Why a question is a near-duplicate of one in the dataset or this run, or undefined. No model call. */
  private duplicateOf(question: string): string | undefined {
    const hit = this.questionIndex?.mostSimilar(question);
    if (!hit) { return undefined; }
    const other = (this.questionText.get(hit.id) ?? '').slice(0, 150);
    return `the question is a near-duplicate (similarity ${hit.score.toFixed(2)}) of ${hit.id}: "${other}". Ask about another mechanism, claim or consequence of the source, not a rewording`;
  }

  /** The outer loop: every `recipeEvery` attempts, the recipe is rewritten from what the batch showed. */
  private async maybeLearn(): Promise<void> {
    const every = this.o.config.recipeEvery;
    if (every <= 0 || this.batch.length < every || this.learning) { return this.learning; }
    const batch = this.batch.splice(0);
    const ep = this.o.config.roles.challenger;
    this.learning = (async () => {
      try {
        const update = await learnRecipe(this.o.models.challenger, this.recipe, batch, {
          temperature: ep.temperature, maxTokens: ep.maxTokens, signal: this.control.signal,
          onUsage: (u) => { this.usage.add('challenger', u); this.usageChanged('challenger'); },
        });
        this.recipe = update.recipe;
        this.recipeVersion++;
        this.emit({ type: 'recipe_updated', version: this.recipeVersion, recipe: update.recipe, changes: update.changes, attempts: batch.length });
      } catch (e) {
        if (!(e instanceof StructuredOutputError) && !(e instanceof ModelError && !e.fatal)) { throw e; }
        this.emit({ type: 'error', message: `The recipe was not updated: ${e.message}` });
      } finally { this.learning = undefined; }
    })();
    return this.learning;
  }

  /** Weak and strong rollouts and their grades, in the configured order, and the verdict. */
  private async measure(ctx: RoleContext, attemptId: string, c: Challenge, saved?: PendingAttempt): Promise<{ weak: Rollout[]; strong: Rollout[]; verdict: Verdict }> {
    const cfg = this.o.config;
    const delta = (solver: 'weak' | 'strong') => (this.o.onDelta ? (index: number, text: string) => this.o.onDelta!({ type: 'delta', attemptId, solver, index, text }) : undefined);
    const emitRollouts = (solver: 'weak' | 'strong', rs: Rollout[]) => this.emit({ type: 'rollouts', attemptId, solver, rollouts: rs.map((r) => ({ ...r })) });
    const emitGrades = (solver: 'weak' | 'strong', rs: Rollout[]) => {
      const s = measuredScores(rs);
      this.emit({ type: 'grades', attemptId, solver, rollouts: rs.map((r) => ({ ...r })), mean: s.length ? mean(s) : null });
    };
    if (cfg.solveOrder === 'latency' && saved?.weak && saved.strong) {
      return { weak: saved.weak, strong: saved.strong, verdict: this.verdictOf(saved.weak, saved.strong) };
    }
    if (cfg.solveOrder === 'latency') {
      const [weak, strong] = await Promise.all([solve(ctx, 'weak', c.question, delta('weak')), solve(ctx, 'strong', c.question, delta('strong'))]);
      emitRollouts('weak', weak); emitRollouts('strong', strong);
      await this.gate('judge_weak', attemptId);
      // One judge call for both solvers, interleaved so position does not reveal the solver.
      await judge(ctx, c, interleave(weak, strong));
      emitGrades('weak', weak); emitGrades('strong', strong);
      return { weak, strong, verdict: this.verdictOf(weak, strong) };
    }
    let weak = saved?.weak;
    if (!weak) {
      weak = await solve(ctx, 'weak', c.question, delta('weak'));
      emitRollouts('weak', weak);
      await this.gate('judge_weak', attemptId);
      await judge(ctx, c, weak);
      emitGrades('weak', weak);
    }
    const tooFew = this.unmeasured('weak', weak);
    if (tooFew) { return { weak, strong: [], verdict: tooFew }; }
    const early = cfg.earlyDecisions ? decideFromWeak(cfg.policy, measuredScores(weak)) : undefined;
    if (early) { return { weak, strong: [], verdict: early }; }
    if (saved?.strong) { return { weak, strong: saved.strong, verdict: this.verdictOf(weak, saved.strong) }; }
    await this.gate('solve_strong', attemptId);
    const strong = await solve(ctx, 'strong', c.question, delta('strong'));
    emitRollouts('strong', strong);
    await this.gate('judge_strong', attemptId);
    await judge(ctx, c, strong);
    emitGrades('strong', strong);
    return { weak, strong, verdict: this.verdictOf(weak, strong) };
  }

  /** A failed verdict when too few rollouts of a solver could be measured (never a silent zero). */
  private unmeasured(solver: 'weak' | 'strong', rs: Rollout[]): Verdict | undefined {
    const ok = measuredScores(rs).length;
    if (ok * 2 >= rs.length && ok > 0) { return undefined; }
    const why = [...new Set(rs.filter((r) => r.failure).map((r) => r.failure!))].join('; ');
    return { kind: 'failed', reasons: [`only ${ok} of ${rs.length} ${solver} rollouts could be measured (${why})`] };
  }

  private verdictOf(weak: Rollout[], strong: Rollout[]): Verdict {
    return this.unmeasured('weak', weak) ?? this.unmeasured('strong', strong) ?? decide(this.o.config.policy, measuredScores(weak), measuredScores(strong));
  }
}

function localProblem(c: Challenge, quote: SourceRange | undefined): string | undefined {
  if (!c.rubric.some((r) => !r.negative)) { return 'the rubric has no positive criterion, so no answer can score above 0'; }
  if (!quote) { return 'the source quote does not appear in the section: quote it verbatim'; }
  return undefined;
}

function interleave<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i % 2 === 0) { if (i < b.length) { out.push(b[i]); } if (i < a.length) { out.push(a[i]); } } else {
      if (i < a.length) { out.push(a[i]); } if (i < b.length) { out.push(b[i]); }
    }
  }
  return out;
}

function historyText(history: AttemptMemory[]): string {
  if (history.length === 0) { return ''; }
  const items = history.map((h, i) => `<attempt n="${i + 1}" verdict="${h.verdict.kind}">\nQuestion: ${h.question}\nAngle: ${h.angle}\nFeedback: ${h.feedback}\n</attempt>`);
  return `Earlier attempts on this source, none accepted. Take an angle none of them took.\n${items.join('\n')}`;
}

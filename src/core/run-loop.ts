// A run from start to finish: its first event, the targets through the scheduler, each target's attempts, the last event.
import { runAttempt, type AttemptResult } from './attempt';
import { impossiblePolicy } from './config';
import { StoppedError } from './control';
import { ModelError } from './models';
import { RecipeLearning } from './recipe-learning';
import { itemId } from './record';
import type { RunContext } from './run-context';
import { schedule } from './scheduler';
import { UnusableReplyError } from './unusable-reply';
import type { DatasetRecord, Target, Verdict } from '../shared/schemas';

/** Attempts in a row ended by a grader's unusable replies, after which the run stops instead of asking again. */
const MAX_UNUSABLE_IN_A_ROW = 3;

export interface RunSummary {
  outcome: 'completed' | 'stopped' | 'error';
  /** The accepted items (none when the run was told not to keep them: see `keepItems`). */
  accepted: DatasetRecord[];
  /** How many items were accepted, kept or not. */
  acceptedCount: number;
  review: DatasetRecord[];
  attempts: number;
  message?: string;
}

export class RunLoop {
  private readonly queue: Target[] = [];
  private finished = false;
  /** Attempts in a row whose grader's replies could not be used. */
  private unusableInARow = 0;
  private readonly recipe: RecipeLearning;

  constructor(private readonly run: RunContext) {
    this.recipe = new RecipeLearning(run);
  }

  async start(): Promise<RunSummary> {
    const { run } = this;
    const { config: cfg, models, targets, resume } = run.options;
    const todo = resume ? targets.filter((t) => !resume.done.has(t.id)) : targets;
    if (resume) {
      run.emit({ type: 'run_resumed', targets: todo.map((t) => t.id), reused: [...resume.pending.values()].map((p) => p.attemptId) });
    } else
      run.emit({
        type: 'run_started',
        document: { path: run.options.document.path, sha256: run.docHash, length: run.options.document.text.length },
        targets: targets.map((t) => ({ id: t.id, title: t.title, range: t.range })),
        promptVersion: run.promptVersion,
        models: run.modelNames,
        mode: run.options.mode ?? 'run',
        goal: run.options.goal,
        policy: cfg.policy,
        solveOrder: cfg.solveOrder,
        rollouts: cfg.rollouts,
        prompts: run.prompts,
      });
    const impossible = impossiblePolicy(cfg.policy);
    if (impossible) {
      return this.finish('error', `No item can pass these thresholds: ${impossible}.`);
    }
    if (cfg.budget.money > 0) {
      const unpriced = [...new Set(Object.values(models).map((m) => m.model))].filter((m) => !cfg.prices[m]);
      if (unpriced.length) {
        return this.finish('error', `A money budget needs a price for every model in use; autodata.prices has none for ${unpriced.join(', ')}.`);
      }
    }
    // Sections held out for recipe trials are not the run's to work on (recipe-learning.ts).
    const heldOut = new Set(this.recipe.heldOut.map((t) => t.id));
    this.queue.push(...todo.filter((t) => !heldOut.has(t.id)));
    const slots = run.options.sectionSlots;
    const fatal = await schedule({
      queue: this.queue,
      // Shared slots cap the sections of every run at once; this run's own workers then only need one per section.
      concurrency: slots ? Math.max(1, this.queue.length) : cfg.targetConcurrency,
      slots,
      signal: run.control.signal,
      goal: run.options.goal,
      accepted: () => run.state.acceptedCount,
      stopped: () => run.control.stopped,
      work: (t) => this.runTarget(t),
      stop: () => run.control.stop(),
    });
    this.finished = true;
    if (fatal) {
      return this.finish('error', fatal.message);
    }
    try {
      await this.recipe.settle();
    } catch (e) {
      return this.finish('error', (e as Error).message);
    }
    return this.finish(run.control.stopped ? 'stopped' : 'completed');
  }

  /**
   * Sends a target back to the Challenger (a person rejected its borderline item), with the reason as a note.
   * Returns false when the run has already finished.
   */
  requeue(targetId: string, reason: string): boolean {
    const t = this.run.options.targets.find((x) => x.id === targetId);
    if (!t || this.finished || this.run.control.stopped) {
      return false;
    }
    this.run.addNote(`A person rejected the last question on this section: ${reason}`, targetId);
    if (!this.queue.includes(t)) {
      this.queue.push(t);
    }
    return true;
  }

  private goalReached(): boolean {
    return this.run.options.goal !== undefined && this.run.state.acceptedCount >= this.run.options.goal;
  }

  /** Attempts on one target until it yields an item, runs out of iterations, or the goal is reached. */
  private async runTarget(t: Target): Promise<void> {
    const { run } = this;
    const iterations = run.state.iterations;
    run.emit({ type: 'target_started', targetId: t.id });
    let iteration = (iterations.get(t.id) ?? 0) + 1;
    while (iteration <= run.config.maxIterations) {
      iterations.set(t.id, iteration);
      if (this.goalReached()) {
        break;
      }
      const attemptId = this.attemptIdFor(t, iteration);
      let outcome: AttemptResult;
      try {
        outcome = await runAttempt(run, t, attemptId, iteration);
        this.unusableInARow = 0;
      } catch (e) {
        if (e instanceof StoppedError || run.control.stopped) {
          run.emit({ type: 'target_finished', targetId: t.id, outcome: 'stopped', iterations: iteration });
          throw new StoppedError();
        }
        if (e instanceof UnusableReplyError) {
          // The grader failed, not the question: the attempt ends uncounted and the same iteration is tried again, with a
          // new question. A grader that keeps failing stops the run (resumable) instead of looping.
          const verdict: Verdict = { kind: 'failed', reasons: [`not counted: ${e.message}`], uncounted: true };
          run.emit({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped: false, usage: run.state.usage.snapshot() });
          run.emit({ type: 'error', message: e.message, attemptId });
          if (++this.unusableInARow >= MAX_UNUSABLE_IN_A_ROW) {
            const who = `${e.role} (${run.options.models[e.role]?.model})`;
            run.interrupt(
              `Interrupted: the replies of the ${who} could not be used ${this.unusableInARow} times in a row (last: ${e.message}). Check roles.${e.role} (its model and structuredOutput), then resume the run.`,
            );
            run.emit({ type: 'target_finished', targetId: t.id, outcome: 'stopped', iterations: iteration });
            throw new StoppedError();
          }
          continue;
        }
        if (!(e instanceof ModelError) || e.fatal) {
          throw e;
        }
        // A failure of this request itself (a content filter): the attempt fails and the section goes on. Outages never
        // get here: the calls wait them out (call-watch.ts).
        const verdict: Verdict = { kind: 'failed', reasons: [e.message] };
        run.emit({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped: false, usage: run.state.usage.snapshot() });
        run.emit({ type: 'error', message: e.message, attemptId });
        iteration++;
        continue;
      }
      if (outcome) {
        run.emit({ type: 'target_finished', targetId: t.id, outcome, iterations: iteration });
        if (outcome === 'accepted') {
          run.state.forget(t.id, { id: attemptId, itemId: itemId(run.options.runId, attemptId) });
        }
      }
      // The recipe is learned from recorded outcomes, in the background: this target goes on with the current recipe.
      this.recipe.maybeLearn();
      if (outcome) {
        return;
      }
      iteration++;
    }
    run.emit({ type: 'target_finished', targetId: t.id, outcome: 'exhausted', iterations: iterations.get(t.id) ?? 0 });
    run.state.forget(t.id);
  }

  /**
   * The id of the next attempt at this iteration: an interrupted one's own id (it is taken up again), else
   * `<target>.<iteration>`, or `<target>.<iteration>-<k>` when an uncounted attempt already used that.
   */
  private attemptIdFor(t: Target, iteration: number): string {
    const pending = this.run.options.resume?.pending.get(t.id);
    const used = this.run.state.attemptIds;
    let id = pending && pending.iteration === iteration ? pending.attemptId : `${t.id}.${iteration}`;
    for (let k = 2; used.has(id) && id !== pending?.attemptId; k++) {
      id = `${t.id}.${iteration}-${k}`;
    }
    used.add(id);
    return id;
  }

  private async finish(outcome: RunSummary['outcome'], message?: string): Promise<RunSummary> {
    const { run } = this;
    await run.settleCalls();
    message ??= run.stopReason;
    const s = run.state;
    run.emit({
      type: 'run_finished',
      outcome,
      accepted: s.acceptedCount,
      review: s.review.length,
      attempts: s.attempts,
      usage: s.usage.snapshot(),
      cost: run.cost(),
      message,
    });
    return { outcome, accepted: [...s.accepted], acceptedCount: s.acceptedCount, review: [...s.review], attempts: s.attempts, message };
  }
}

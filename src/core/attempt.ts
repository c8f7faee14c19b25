// One attempt on a target: challenge, local checks and the quality check, measurement, verdict, then a record or feedback.
import { answerLeakProblem, benchmarkProblem } from './leakage';
import { closedBookVerdict, probeClosedBook, type ClosedBookResult } from './closed-book';
import { locateQuote } from './chunks';
import { feedbackFor } from './feedback';
import { measure } from './measure';
import { recipeSlot } from './recipe';
import { buildRecord } from './record';
import type { AttemptMemory, PendingAttempt } from './resume';
import { decideByLoopJudge } from './loop-judge';
import { challenge, checkQuality, verifyAccepted, type EarlierQuestion } from './roles';
import type { RunContext } from './run-context';
import { Challenge, type QualityReport, type Rollout, type SourceRange, type Target, type Verdict } from '../shared/schemas';
import { StructuredOutputError } from './structured';
import { UnusableReplyError } from './unusable-reply';
import { UsageMeter } from './usage';

/** Where an attempt left its target: done with an item ('accepted' or 'review'), or undefined to try again. */
export type AttemptResult = 'accepted' | 'review' | undefined;

/** One round. An attempt interrupted by a crash is taken up where its journal ends: finished calls are not made again. */
export async function runAttempt(run: RunContext, t: Target, attemptId: string, iteration: number): Promise<AttemptResult> {
  const { state, config: cfg } = run;
  const history = state.historyOf(t.id);
  const targetUsage = state.usageOf(t.id);
  const attemptUsage = new UsageMeter(targetUsage);
  const ctx = run.roleContext(attemptUsage, { attemptId, targetId: t.id });
  state.attempts++;
  const saved = run.options.resume?.pending.get(t.id);
  const reuse: PendingAttempt | undefined = saved?.attemptId === attemptId ? saved : undefined;
  if (reuse) {
    run.options.resume!.pending.delete(t.id);
  } else {
    run.emit({ type: 'attempt_started', targetId: t.id, attemptId, iteration });
  }
  const reject = (verdict: Verdict, c?: Challenge, weak: Rollout[] = [], strong: Rollout[] = [], quality?: string) => {
    run.emit({
      type: 'verdict',
      attemptId,
      targetId: t.id,
      verdict,
      strongSkipped: strong.length === 0 && weak.length > 0,
      usage: state.usage.snapshot(),
      attemptUsage: attemptUsage.total(),
    });
    const text = feedbackFor({ challenge: c, verdict, weak, strong, quality });
    run.emit({ type: 'feedback', attemptId, targetId: t.id, text });
    history.push({ question: c?.question ?? '(no valid question)', angle: c?.angle ?? '', verdict: { kind: verdict.kind }, feedback: text });
    if (c) {
      state.batch.push({ question: c.question, angle: c.angle, verdict, feedback: text });
    }
    return undefined;
  };

  let proposed: Challenge;
  if (reuse) {
    proposed = reuse.challenge;
  } else
    try {
      await run.gate('challenge', attemptId);
      const recipe = recipeSlot(state.recipe, `v${state.recipeVersion}`);
      proposed = await challenge(ctx, { target: t, history: historyText(history), note: state.takeNotes(t.id), recipe });
    } catch (e) {
      if (e instanceof StructuredOutputError) {
        return reject({ kind: 'failed', reasons: [`the Challenger's reply was unusable: ${e.message}`] });
      }
      throw e;
    }
  let quoteRange = locateQuote(t, proposed.sourceQuote);
  if (!reuse) {
    run.emit({ type: 'challenge', attemptId, challenge: proposed, quoteRange });
  }
  state.editable.set(attemptId, proposed);
  const current = () => state.editable.get(attemptId) ?? proposed;
  try {
    if (cfg.qualityCheck) {
      await run.gate('quality', attemptId);
    }
    let c = current();
    /** The checks before any solver runs; they run again on a question a person edits at the next pause. */
    const check = async (q: Challenge, skipQuality: boolean): Promise<Verdict | undefined> => {
      quoteRange = locateQuote(t, q.sourceQuote);
      const local =
        localProblem(q, quoteRange) ??
        state.asked.duplicateOf(q.question) ??
        answerLeakProblem(q.question, q.referenceAnswer) ??
        benchmarkProblem(run.options.benchmarks, q.question, q.referenceAnswer);
      if (local) {
        return { kind: 'quality_failed', reasons: [local] };
      }
      if (!cfg.qualityCheck || skipQuality) {
        return undefined;
      }
      let report;
      try {
        report = await checkQuality(ctx, t, q, earlierOf(history));
      } catch (e) {
        if (e instanceof StructuredOutputError) {
          // The verifier's failure, not the question's: the attempt ends without counting (run-loop.ts).
          throw new UnusableReplyError('quality', `the quality check's reply could not be used: ${e.message}`);
        }
        throw e;
      }
      run.emit({ type: 'quality', attemptId, report });
      return report.pass ? undefined : { kind: 'quality_failed', reasons: [report.reason] };
    };
    let failed = await check(c, Boolean(reuse?.quality?.pass));
    if (!failed) {
      await run.gate('solve_weak', attemptId);
      if (current() !== c) {
        c = current();
        failed = await check(c, false);
      }
    }
    // Every question the run asked counts for the near-duplicate check, the rejected ones too.
    state.asked.add(attemptId, c.question, t.id);
    if (failed) {
      return reject(failed, c, [], [], failed.reasons[0]);
    }
    state.editable.delete(attemptId);
    const measured = await measure(run, ctx, attemptId, c, reuse);
    const { weak, strong } = measured;
    let verdict = measured.verdict;
    // The legal preset: a loop judge that reads every rollout decides, instead of thresholds (a weak result that ended
    // the measurement early, or rollouts that could not be measured, are decided as they stand).
    if (cfg.preset === 'legal' && strong.length > 0 && verdict.kind !== 'failed') {
      verdict = await decideByLoopJudge(ctx, c, weak, strong);
    }
    if (verdict.kind !== 'accepted' && verdict.kind !== 'borderline') {
      return reject(verdict, c, weak, strong);
    }
    // The closed-book probe (off by default): an item the strong solver answers without its context needs no document.
    let closedBook: ClosedBookResult | undefined;
    if (cfg.closedBook !== 'off') {
      closedBook = await probeClosedBook(ctx, c);
      const flagged = closedBookVerdict(cfg.closedBook, verdict, closedBook);
      if (flagged?.kind === 'quality_failed') {
        return reject(flagged, c, weak, strong, flagged.reasons[0]);
      }
      verdict = flagged ?? verdict;
    }
    // The final verification of the item before it is written: every check once more, on the question as measured.
    let verification: QualityReport | undefined;
    if (cfg.qualityCheck && cfg.finalVerification) {
      verification = reuse?.verified;
      if (!verification) {
        try {
          verification = await verifyAccepted(ctx, t, c, quoteRange, earlierOf(history));
        } catch (e) {
          if (e instanceof StructuredOutputError) {
            throw new UnusableReplyError('quality', `the final verification's reply could not be used: ${e.message}`);
          }
          throw e;
        }
        run.emit({ type: 'quality', attemptId, report: verification });
      }
      if (!verification.pass) {
        return reject({ kind: 'quality_failed', reasons: [`the final verification failed: ${verification.reason}`] }, c, weak, strong, verification.reason);
      }
    }
    run.emit({ type: 'verdict', attemptId, targetId: t.id, verdict, strongSkipped: false, usage: state.usage.snapshot(), attemptUsage: attemptUsage.total() });
    const record = buildRecord({
      runId: run.options.runId,
      attemptId,
      createdAt: run.now(),
      challenge: c,
      document: { path: run.options.document.path, sha256: run.docHash, text: run.options.document.text },
      quoteRange: quoteRange as SourceRange,
      weak,
      strong,
      verdict,
      iterations: iteration,
      models: run.modelNames,
      promptVersion: run.promptVersion,
      usage: targetUsage.total(),
      config: cfg,
      recipeVersion: state.recipeVersion,
      verification,
      closedBook,
    });
    state.batch.push({ question: c.question, angle: c.angle, verdict });
    if (verdict.kind === 'accepted') {
      state.accept(record);
      run.emit({ type: 'item_accepted', attemptId, record });
      return 'accepted';
    }
    state.review.push(record);
    history.push({ question: c.question, angle: c.angle, verdict: { kind: verdict.kind }, feedback: 'Borderline: sent to a person for review.' });
    run.emit({ type: 'review_needed', attemptId, record });
    return 'review';
  } finally {
    state.editable.delete(attemptId);
  }
}

/** Replaces a proposed challenge before its solvers run. Returns false when it is too late or invalid. */
export function editChallenge(run: RunContext, attemptId: string, proposed: unknown): boolean {
  if (!run.state.editable.has(attemptId)) {
    return false;
  }
  const parsed = Challenge.safeParse(proposed);
  if (!parsed.success) {
    return false;
  }
  run.state.editable.set(attemptId, parsed.data);
  const target = run.options.targets.find((t) => attemptId.startsWith(`${t.id}.`));
  run.emit({
    type: 'challenge',
    attemptId,
    challenge: parsed.data,
    edited: true,
    quoteRange: target ? locateQuote(target, parsed.data.sourceQuote) : undefined,
  });
  return true;
}

/** What is wrong with a question before any model sees it, or undefined. */
function localProblem(c: Challenge, quote: SourceRange | undefined): string | undefined {
  if (!c.rubric.some((r) => !r.negative)) {
    return 'the rubric has no positive criterion, so no answer can score above 0';
  }
  if (!quote) {
    return 'the source quote does not appear in the section: quote it verbatim';
  }
  return undefined;
}

/** The section's earlier questions and their angles, for the verifier's novelty check. */
function earlierOf(history: readonly AttemptMemory[]): EarlierQuestion[] {
  return history.filter((h) => h.question !== '(no valid question)').map((h) => ({ question: h.question, angle: h.angle }));
}

function historyText(history: AttemptMemory[]): string {
  if (history.length === 0) {
    return '';
  }
  const items = history.map(
    (h, i) => `<attempt n="${i + 1}" verdict="${h.verdict.kind}">\nQuestion: ${h.question}\nAngle: ${h.angle}\nFeedback: ${h.feedback}\n</attempt>`,
  );
  return `Earlier attempts on this source, none accepted. Take an angle none of them took.\n${items.join('\n')}`;
}

// A person's decisions on borderline items: approve (optionally edited) into the dataset, or reject with a reason.
import type { EngineEvent, EventOf } from '../shared/events';
import type { ChallengeEdit, DatasetRecord } from '../shared/schemas';
import type { Dataset } from './dataset';
import type { JsonlWriter } from './jsonl';
import { LabelLog, labelOf, labelsFileOf } from './labels';
import { reconcileDataset } from './reconcile';

type Decision = EventOf<'review_decision'>;

export class Review {
  /** Every decision is also kept as a label (labels.jsonl beside the dataset). */
  readonly labels: LabelLog;

  constructor(
    private readonly runId: string,
    private readonly journal: JsonlWriter,
    private readonly dataset: Dataset,
    /** The workspace folder: its journals' accepted items missing from the dataset are written with each approval. */
    private readonly workspace?: string,
  ) {
    this.labels = new LabelLog(labelsFileOf(dataset.file), workspace);
  }

  /** Appends the item with `decision.by = "human"`, keeps the decision as a label, then journals it. */
  async approve(targetId: string, record: DatasetRecord, edit?: ChallengeEdit, now = new Date()): Promise<Decision> {
    const approved: DatasetRecord = {
      ...record,
      ...(edit
        ? {
            question: edit.question,
            referenceAnswer: edit.referenceAnswer,
            rubric: edit.rubric.map((r) => ({ criterion: r.criterion, weight: r.weight, negative: r.negative })),
          }
        : {}),
      decision: { by: 'human', borderline: true, ...(edit ? { note: 'edited before approval' } : {}) },
    };
    const event = this.decision(targetId, record.id, 'approved', now, { record: approved });
    if (this.workspace) {
      await reconcileDataset(this.workspace, this.dataset);
    }
    // Dataset first (appends are idempotent by id, and durable when they resolve), then the label, then the journal: a
    // crash between them loses nothing (the item is decided again, and the later label of an item replaces the earlier).
    await this.dataset.append(approved);
    await this.labels.append(labelOf(event, record));
    await this.journal.append(event);
    return event;
  }

  /** Journals the rejection; with the item as it waited (`record`), keeps it as a label too. */
  async reject(targetId: string, attemptId: string, reason: string, now = new Date(), record?: DatasetRecord): Promise<Decision> {
    const event = this.decision(targetId, attemptId, 'rejected', now, { reason });
    if (record) {
      await this.labels.append(labelOf(event, record));
    }
    await this.journal.append(event);
    return event;
  }

  private decision(targetId: string, idOrAttempt: string, decision: 'approved' | 'rejected', now: Date, extra: Partial<Decision>): Decision {
    // Record ids are `<runId>:<attemptId>`.
    const attemptId = idOrAttempt.startsWith(`${this.runId}:`) ? idOrAttempt.slice(this.runId.length + 1) : idOrAttempt;
    // seq 0 marks an event written by the host rather than the engine.
    return { type: 'review_decision', runId: this.runId, seq: 0, at: now.toISOString(), attemptId, targetId, decision, ...extra };
  }
}

/** Borderline items still waiting for a person, from a run's events. */
export function pendingReview(events: readonly EngineEvent[]): Map<string, { targetId: string; record: DatasetRecord }> {
  const targets = new Map<string, string>();
  const pending = new Map<string, { targetId: string; record: DatasetRecord }>();
  for (const e of events) {
    if (e.type === 'attempt_started') {
      targets.set(e.attemptId, e.targetId);
    }
    if (e.type === 'review_needed') {
      pending.set(e.attemptId, { targetId: targets.get(e.attemptId) ?? '', record: e.record });
    }
    if (e.type === 'review_decision') {
      pending.delete(e.attemptId);
    }
  }
  return pending;
}

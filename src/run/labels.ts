// A person's review decisions kept as labels: one line per approval, edit-then-approval or rejection, with what each
// judge said of the item, in labels.jsonl next to the dataset: every run's labels in one place, for calibrating the
// judges beyond one run (the panel's Calibration section reads the same decisions from the run's journal).
import * as path from 'node:path';
import { z } from 'zod';
import type { EventOf } from '../shared/events';
import { VerdictKind, type DatasetRecord } from '../shared/schemas';
import { JsonlWriter, readJsonl } from './jsonl';

export const Label = z.object({
  at: z.string(),
  runId: z.string(),
  attemptId: z.string(),
  /** The dataset record's id (`<runId>:<attemptId>`). */
  itemId: z.string(),
  targetId: z.string(),
  decision: z.enum(['approved', 'edited', 'rejected']),
  reason: z.string().optional(),
  /** What each judge's grades gave under the policy; `judge2` only when a second judge graded the item. */
  judges: z.object({ judge: VerdictKind, judge2: VerdictKind.optional(), disagree: z.boolean() }),
  models: z.object({ judge: z.string(), judge2: z.string().optional() }),
});
export type Label = z.infer<typeof Label>;

/** The labels file of a dataset: beside it. */
export function labelsFileOf(datasetFile: string): string {
  return path.join(path.dirname(datasetFile), 'labels.jsonl');
}

/** The label of one decision on the item `record` (the item as it waited for review). */
export function labelOf(decision: EventOf<'review_decision'>, record: DatasetRecord): Label {
  const edited = decision.decision === 'approved' && decision.record?.decision.note === 'edited before approval';
  return {
    at: decision.at,
    runId: decision.runId,
    attemptId: decision.attemptId,
    itemId: record.id,
    targetId: decision.targetId,
    decision: decision.decision === 'rejected' ? 'rejected' : edited ? 'edited' : 'approved',
    ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
    judges: {
      // Without a second judge an item waits for review because the Judge's verdict was borderline.
      judge: record.judges?.first ?? 'borderline',
      ...(record.judges ? { judge2: record.judges.second } : {}),
      disagree: record.judges?.disagree ?? false,
    },
    models: { judge: record.models.judge, ...(record.models.judge2 ? { judge2: record.models.judge2 } : {}) },
  };
}

/** Appends labels durably (a label is on disk when its append resolves). */
export class LabelLog {
  private readonly writer: JsonlWriter;

  constructor(
    readonly file: string,
    workspace?: string,
  ) {
    this.writer = new JsonlWriter(file, { durable: true, closeWhenIdle: true, ...(workspace ? { workspace } : {}) });
  }

  append(label: Label): Promise<void> {
    return this.writer.append(Label.parse(label));
  }
}

/**
 * The labels of a labels file, one per item in the order first decided (the later label of an item replaces an earlier
 * one: an item decided again after a crash); none when the file does not exist. Lines that are not labels are counted.
 */
export async function readLabels(file: string): Promise<{ labels: Label[]; badLines: number }> {
  const { values, badLines } = await readJsonl(file);
  const byItem = new Map<string, Label>();
  let bad = badLines.length;
  for (const v of values) {
    const r = Label.safeParse(v);
    if (r.success) {
      byItem.set(r.data.itemId, r.data);
    } else {
      bad++;
    }
  }
  return { labels: [...byItem.values()], badLines: bad };
}

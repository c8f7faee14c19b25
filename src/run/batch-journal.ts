// The workspace's batch journal (.autodata/batches.jsonl): each batch submitted in batch mode, recorded (synced) before
// it is waited for, and each batch collected. A resumed run collects the batches recorded and not collected instead of
// submitting their requests again.
import * as path from 'node:path';
import { z } from 'zod';
import type { BatchLog, BatchRecord } from '../core/batch/batch-queue';
import { JsonlWriter, readJsonl } from './jsonl';

export function batchJournalFile(workspace: string): string {
  return path.join(workspace, '.autodata', 'batches.jsonl');
}

const Submitted = z.object({
  type: z.literal('batch_submitted'),
  batchId: z.string(),
  fileId: z.string(),
  baseURL: z.string(),
  model: z.string(),
  customIds: z.array(z.string()),
  at: z.string(),
});
const Collected = z.object({ type: z.literal('batch_collected'), batchId: z.string(), at: z.string() });
const BatchEvent = z.discriminatedUnion('type', [Submitted, Collected]);

/** Batches recorded as submitted and never recorded as collected, in the order they were submitted. */
export async function uncollectedBatches(workspace: string): Promise<BatchRecord[]> {
  const { values } = await readJsonl(batchJournalFile(workspace));
  const open = new Map<string, BatchRecord>();
  for (const v of values) {
    const e = BatchEvent.safeParse(v);
    if (!e.success) {
      continue;
    }
    if (e.data.type === 'batch_submitted') {
      const { batchId, fileId, baseURL, model, customIds } = e.data;
      open.set(batchId, { batchId, fileId, baseURL, model, customIds });
    } else {
      open.delete(e.data.batchId);
    }
  }
  return [...open.values()];
}

/** Appends the batch journal's lines, each synced before its promise resolves. */
export function batchJournal(workspace: string): BatchLog & { close(): Promise<void> } {
  const writer = new JsonlWriter(batchJournalFile(workspace), { durable: true, workspace });
  const at = () => new Date().toISOString();
  return {
    submitted: (r) => writer.append({ type: 'batch_submitted', ...r, at: at() }),
    collected: (batchId) => writer.append({ type: 'batch_collected', batchId, at: at() }),
    close: () => writer.close(),
  };
}

// Re-measure a dataset against a new weak model: every accepted item is solved by that model and graded by the judge,
// one result line per item in `.autodata/remeasure/<label>.jsonl` (so each item's weak scores are kept per model
// version, and a stopped re-measure goes on where it stopped), and the still-learnable subset can be written out.
import * as path from 'node:path';
import type { ChatModel } from '../core/models';
import { PromptSet } from '../core/prompts';
import { Remeasured, remeasureItem, type RemeasureStatus } from '../core/remeasure';
import { UsageMeter } from '../core/usage';
import { DatasetRecord, type WithSecondJudge } from '../shared/schemas';
import type { PolicyThresholds } from '../shared/thresholds';
import { writeFileAtomic } from './atomic-file';
import { JsonlWriter, readJsonl } from './jsonl';
import type { RunSettings } from './settings';

export class RemeasureError extends Error {}

export function remeasureFile(root: string, label: string): string {
  if (!/^[\w.-]+$/.test(label) || label.startsWith('.')) {
    throw new RemeasureError(`a model label is letters, digits, dots, dashes and underscores (e.g. step-1200), not "${label}"`);
  }
  return path.join(root, '.autodata', 'remeasure', `${label}.jsonl`);
}

/** The dataset's valid records, first of each id. */
export async function readRecords(datasetFile: string): Promise<{ records: DatasetRecord[]; invalid: number }> {
  const { values, badLines } = await readJsonl(datasetFile);
  const seen = new Set<string>();
  const records: DatasetRecord[] = [];
  let invalid = badLines.length;
  for (const v of values) {
    const r = DatasetRecord.safeParse(v);
    if (!r.success) {
      invalid++;
    } else if (!seen.has(r.data.id)) {
      seen.add(r.data.id);
      records.push(r.data);
    }
  }
  return { records, invalid };
}

/** Results already written for a label, by item id (the last line of an id wins). */
export async function readRemeasured(file: string): Promise<Map<string, Remeasured>> {
  const out = new Map<string, Remeasured>();
  for (const v of (await readJsonl(file)).values) {
    const r = Remeasured.safeParse(v);
    if (r.success) {
      out.set(r.data.id, r.data);
    }
  }
  return out;
}

export interface RemeasureRequest {
  root: string;
  datasetFile: string;
  label: string;
  settings: RunSettings;
  models: WithSecondJudge<ChatModel>;
  prompts: PromptSet;
  policy?: PolicyThresholds;
  signal?: AbortSignal;
  onItem?: (r: Remeasured, done: number, total: number) => void;
}

export interface RemeasureReport {
  file: string;
  total: number;
  /** Items measured by this call (the rest were in the results file already). */
  measured: number;
  counts: Record<RemeasureStatus, number>;
  invalid: number;
  usage: Record<string, { promptTokens: number; completionTokens: number; calls: number }>;
  stopped: boolean;
}

export async function remeasureDataset(req: RemeasureRequest): Promise<RemeasureReport> {
  const file = remeasureFile(req.root, req.label);
  const { records, invalid } = await readRecords(req.datasetFile);
  if (records.length === 0) {
    throw new RemeasureError(`no dataset items in ${req.datasetFile}`);
  }
  const done = await readRemeasured(file);
  const writer = new JsonlWriter(file, { workspace: req.root });
  const usage = new UsageMeter();
  const controller = new AbortController();
  const stop = () => controller.abort();
  req.signal?.addEventListener('abort', stop);
  const ctx = { models: req.models, config: req.settings.engine, prompts: req.prompts, usage, signal: controller.signal };
  const policy = req.policy ?? req.settings.engine.policy;
  const model = req.settings.engine.roles.weak.model;
  const todo = records.filter((r) => !done.has(r.id));
  let measured = 0;
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (next < todo.length && !controller.signal.aborted && failure === undefined) {
      const record = todo[next++];
      try {
        const r = await remeasureItem(ctx, record, policy, req.label, model);
        await writer.append(r);
        done.set(r.id, r);
        measured++;
        req.onItem?.(r, done.size, records.length);
      } catch (e) {
        if (!controller.signal.aborted) {
          failure = e;
          controller.abort();
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(req.settings.requestConcurrency, todo.length)) }, worker));
  } finally {
    req.signal?.removeEventListener('abort', stop);
    await writer.close();
  }
  if (failure !== undefined) {
    throw failure;
  }
  const counts: Record<RemeasureStatus, number> = { learnable: 0, too_easy: 0, too_hard: 0, flat: 0, failed: 0 };
  for (const r of records) {
    const m = done.get(r.id);
    if (m) {
      counts[m.status]++;
    }
  }
  return { file, total: records.length, measured, counts, invalid, usage: usage.snapshot(), stopped: done.size < records.length };
}

/** The counts of a re-measure in one line (the CLI prints it; the editor shows it). */
export function remeasureSummary(report: RemeasureReport): string {
  const c = report.counts;
  return (
    `${report.total} item(s): ${c.learnable} still learnable, ${c.too_easy} too easy now, ${c.too_hard} too hard, ${c.flat} with no spread, ${c.failed} not measured` +
    (report.measured < report.total ? ` (${report.total - report.measured} from an earlier run of this label)` : '')
  );
}

/** Writes the dataset records a label found learnable, in dataset order; returns how many. */
export async function writeLearnable(datasetFile: string, resultsFile: string, out: string): Promise<number> {
  if (path.resolve(out) === path.resolve(datasetFile)) {
    throw new RemeasureError('the learnable subset must not overwrite the dataset file itself');
  }
  const results = await readRemeasured(resultsFile);
  const keep = (await readRecords(datasetFile)).records.filter((r) => results.get(r.id)?.status === 'learnable');
  await writeFileAtomic(out, keep.map((r) => JSON.stringify(r)).join('\n') + (keep.length ? '\n' : ''));
  return keep.length;
}

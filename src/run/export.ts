// A dataset file to a training format (chat SFT, GRPO with rubrics, DPO pairs from the run journals), written
// atomically: one exporter behind `autodata export` and the editor's Export Dataset.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { exportRecords, indexRollouts, type ExportFormat, type PromptStyle, type RolloutIndex } from '../core/exporters';
import { QuestionIndex } from '../core/similarity';
import { DatasetRecord } from '../shared/schemas';
import { writeFileAtomic } from './atomic-file';
import { readJournal } from './journal';
import { readJsonl } from './jsonl';

export class ExportError extends Error {}

export interface ExportRequest {
  datasetFile: string;
  format: ExportFormat;
  out: string;
  /** Folder of run journals (DPO reads the answers there); default `<dataset folder>/runs`. */
  journals?: string;
  system?: string;
  style?: PromptStyle;
  /** Leave out questions at least this similar to an earlier one (word 3-gram Jaccard). */
  dedupe?: number;
}

export interface ExportReport {
  rows: number;
  out: string;
  format: ExportFormat;
  notes: string[];
  /** The dataset records the rows were made from (after repeated ids and near-duplicates were left out). */
  records: DatasetRecord[];
}

export async function exportDataset(req: ExportRequest): Promise<ExportReport> {
  const { datasetFile, format, out } = req;
  if (path.resolve(out) === path.resolve(datasetFile)) {
    throw new ExportError('the export must not overwrite the dataset file itself');
  }
  const notes: string[] = [];
  const { values, badLines } = await readJsonl(datasetFile);
  if (values.length === 0 && badLines.length === 0 && !(await fs.stat(datasetFile).catch(() => undefined))) {
    throw new ExportError(`no dataset at ${datasetFile}`);
  }
  let records: DatasetRecord[] = [];
  const invalid: number[] = [...badLines];
  const ids = new Set<string>();
  let repeated = 0;
  values.forEach((v, i) => {
    const r = DatasetRecord.safeParse(v);
    if (!r.success) {
      invalid.push(i + 1);
      return;
    }
    if (ids.has(r.data.id)) {
      repeated++;
      return;
    }
    ids.add(r.data.id);
    records.push(r.data);
  });
  if (invalid.length) {
    notes.push(`warning: ${invalid.length} line(s) of ${path.basename(datasetFile)} are not dataset records and were left out`);
  }
  if (repeated) {
    notes.push(`${repeated} repeated id(s) left out`);
  }
  if (req.dedupe !== undefined) {
    const index = new QuestionIndex(req.dedupe);
    const kept = records.filter((r) => {
      const dup = index.mostSimilar(r.question);
      if (!dup) {
        index.add(r.id, r.question);
      }
      return !dup;
    });
    if (kept.length < records.length) {
      notes.push(`${records.length - kept.length} near-duplicate question(s) left out (similarity ≥ ${req.dedupe})`);
    }
    records = kept;
  }
  let rollouts: RolloutIndex | undefined;
  if (format === 'dpo') {
    const dir = req.journals ?? path.join(path.dirname(datasetFile), 'runs');
    const names = await fs.readdir(dir).catch(() => undefined);
    if (!names) {
      throw new ExportError(`DPO pairs need the answers kept in the run journals, and ${dir} cannot be read: pass --journals <folder of .autodata/runs>`);
    }
    rollouts = new Map();
    for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) {
      indexRollouts((await readJournal(path.join(dir, name))).events, rollouts);
    }
  }
  const result = exportRecords(format, records, { system: req.system, style: req.style ?? 'conversational', rollouts });
  await writeFileAtomic(out, result.text);
  if (result.skipped) {
    const s = result.skipped;
    const total = s.noRollouts + s.noWeak + s.noStrong + s.noPreference;
    if (total) {
      notes.push(
        `${total} record(s) without a pair: ${s.noRollouts} not in the journals, ${s.noWeak} without a graded weak answer, ${s.noStrong} without a graded strong answer, ${s.noPreference} where the best strong answer did not outscore the worst weak one`,
      );
    }
  }
  if (result.rows === 0) {
    notes.push('warning: the export is empty');
  }
  return { rows: result.rows, out, format, notes, records };
}

// Export as a Hugging Face dataset repository: the training file under data/ and a README.md dataset card with the
// Hub's metadata and the data's provenance, read from the dataset records and their run journals.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { datasetCard, type RunCost } from '../core/dataset-card';
import type { EngineEvent } from '../shared/events';
import { ROLES, type Role } from '../shared/schemas';
import { writeFileAtomic } from './atomic-file';
import { exportDataset, ExportError, type ExportReport, type ExportRequest } from './export';
import { readJournal } from './journal';

export interface RepoExportRequest extends Omit<ExportRequest, 'out'> {
  /** The repository folder; created when missing. */
  folder: string;
  prettyName?: string;
  now?: () => Date;
}

export interface RepoExportReport extends ExportReport {
  folder: string;
  card: string;
}

/** Tokens per role and cost of a run, from the last `usage` events of its journal (they carry running totals). */
export function runCostOf(runId: string, events: Iterable<EngineEvent>): RunCost {
  const byRole: RunCost['byRole'] = {};
  let cost: number | undefined;
  let priced = true;
  for (const e of events) {
    if (e.type === 'usage') {
      byRole[e.role as Role] = e.totals;
      cost = e.cost;
      priced = e.cost !== undefined;
    } else if (e.type === 'run_finished') {
      for (const role of ROLES) {
        if (e.usage[role]) {
          byRole[role] = e.usage[role];
        }
      }
      cost = e.cost;
      priced = e.cost !== undefined;
    }
  }
  return { runId, byRole, cost: priced ? cost : undefined };
}

export async function exportDatasetRepo(req: RepoExportRequest): Promise<RepoExportReport> {
  const folder = path.resolve(req.folder);
  const existing = await fs.stat(folder).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new ExportError(`${folder} is a file; a dataset repository is written into a folder`);
  }
  const dataFile = 'data/train.jsonl';
  const out = path.join(folder, ...dataFile.split('/'));
  await fs.mkdir(path.dirname(out), { recursive: true });
  const report = await exportDataset({ ...req, out });
  const journals = req.journals ?? path.join(path.dirname(req.datasetFile), 'runs');
  const runs: RunCost[] = [];
  const missing: string[] = [];
  for (const runId of [...new Set(report.records.map((r) => r.runId))].sort()) {
    const file = path.join(journals, `${runId}.jsonl`);
    if (!/^[\w.-]+$/.test(runId) || !(await fs.stat(file).catch(() => undefined))) {
      missing.push(runId);
      continue;
    }
    runs.push(runCostOf(runId, (await readJournal(file)).events));
  }
  const notes = [...report.notes];
  if (missing.length) {
    notes.push(`${missing.length} run journal(s) not found in ${journals}: the card's tokens and cost leave those runs out`);
  }
  const card = datasetCard({
    records: report.records,
    runs,
    format: req.format,
    dataFile,
    rows: report.rows,
    missingRuns: missing.length,
    prettyName: req.prettyName ?? path.basename(folder),
    generatedAt: (req.now ?? (() => new Date()))().toISOString(),
  });
  await writeFileAtomic(path.join(folder, 'README.md'), card);
  return { ...report, notes, folder, card };
}

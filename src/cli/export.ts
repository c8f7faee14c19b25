// `autodata export`: a dataset file to a training format (chat SFT, GRPO with rubrics, DPO pairs from the run journals).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { EXPORT_FORMATS, exportRecords, indexRollouts, type ExportFormat, type PromptStyle, type RolloutIndex } from '../core/exporters';
import { DatasetRecord } from '../shared/schemas';
import { QuestionIndex } from '../core/similarity';
import { readJournal } from '../host/journal';
import { readJsonl } from '../host/jsonl';
import { parseArgs, UsageError } from './args';
import { writeFileAtomic } from './files';
import { CliFailure, EXIT, type CliIO } from './io';

const OPTIONS = { values: ['format', 'out', 'journals', 'system', 'style', 'dedupe'] } as const;

export async function exportDataset(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length !== 1) { throw new UsageError('give one dataset file to export'); }
  const format = args.values.get('format') as ExportFormat | undefined;
  if (!format || !EXPORT_FORMATS.includes(format)) { throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`); }
  const style = (args.values.get('style') ?? 'conversational') as PromptStyle;
  if (style !== 'conversational' && style !== 'standard') { throw new UsageError('--style must be conversational or standard'); }
  if (format === 'sft' && args.values.has('style')) { throw new UsageError('--style applies to grpo and dpo; sft is always conversational (messages)'); }
  const outArg = args.values.get('out');
  if (!outArg) { throw new UsageError('--out <file> is required'); }
  const dedupe = args.values.has('dedupe') ? Number(args.values.get('dedupe')) : undefined;
  if (dedupe !== undefined && !(dedupe > 0 && dedupe <= 1)) { throw new UsageError('--dedupe takes a similarity threshold above 0 and at most 1, e.g. 0.6'); }
  const datasetFile = path.resolve(io.cwd, args.positionals[0]);
  const out = path.resolve(io.cwd, outArg);
  if (out === datasetFile) { throw new UsageError('--out must not be the dataset file itself'); }

  const { values, badLines } = await readJsonl(datasetFile);
  if (values.length === 0 && badLines.length === 0) {
    if (!(await fs.stat(datasetFile).catch(() => undefined))) { throw new CliFailure(`no dataset at ${datasetFile}`); }
  }
  let records: DatasetRecord[] = [];
  const invalid: number[] = [...badLines];
  const ids = new Set<string>();
  let repeated = 0;
  values.forEach((v, i) => {
    const r = DatasetRecord.safeParse(v);
    if (!r.success) { invalid.push(i + 1); return; }
    if (ids.has(r.data.id)) { repeated++; return; }
    ids.add(r.data.id);
    records.push(r.data);
  });
  if (invalid.length) { io.stderr(`warning: ${invalid.length} line(s) of ${path.basename(datasetFile)} are not dataset records and were left out\n`); }
  if (repeated) { io.stderr(`${repeated} repeated id(s) left out\n`); }
  if (dedupe !== undefined) {
    const index = new QuestionIndex(dedupe);
    const kept = records.filter((r) => { const dup = index.mostSimilar(r.question); if (!dup) { index.add(r.id, r.question); } return !dup; });
    if (kept.length < records.length) { io.stderr(`${records.length - kept.length} near-duplicate question(s) left out (similarity ≥ ${dedupe})\n`); }
    records = kept;
  }

  let rollouts: RolloutIndex | undefined;
  if (format === 'dpo') {
    const dir = path.resolve(io.cwd, args.values.get('journals') ?? path.join(path.dirname(datasetFile), 'runs'));
    const names = await fs.readdir(dir).catch(() => undefined);
    if (!names) { throw new CliFailure(`DPO pairs need the answers kept in the run journals, and ${dir} cannot be read: pass --journals <folder of .autodata/runs>`); }
    rollouts = new Map();
    for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) { indexRollouts((await readJournal(path.join(dir, name))).events, rollouts); }
  }
  const result = exportRecords(format, records, { system: args.values.get('system'), style, rollouts });
  await writeFileAtomic(out, result.text);
  io.stdout(`${result.rows} ${format} row(s) → ${out}\n`);
  if (result.skipped) {
    const s = result.skipped;
    const total = s.noRollouts + s.noWeak + s.noStrong + s.noPreference;
    if (total) { io.stderr(`${total} record(s) without a pair: ${s.noRollouts} not in the journals, ${s.noWeak} without a graded weak answer, ${s.noStrong} without a graded strong answer, ${s.noPreference} where the best strong answer did not outscore the worst weak one\n`); }
  }
  if (result.rows === 0) { io.stderr('warning: the export is empty\n'); }
  return EXIT.ok;
}

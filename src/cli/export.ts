// `autodata export`: the command line over the run layer's exporter.
import * as path from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, type PromptStyle } from '../core/exporters';
import { exportDatasetRepo } from '../run/dataset-repo';
import { exportDataset as writeExport, ExportError } from '../run/export';
import { parseArgs, UsageError } from './args';
import { CliFailure, EXIT, type CliIO } from './io';

const OPTIONS = { values: ['format', 'out', 'repo', 'name', 'journals', 'system', 'style', 'dedupe'] } as const;

export async function exportDataset(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length !== 1) {
    throw new UsageError('give one dataset file to export');
  }
  const format = args.values.get('format') as ExportFormat | undefined;
  if (!format || !EXPORT_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
  const style = (args.values.get('style') ?? 'conversational') as PromptStyle;
  if (style !== 'conversational' && style !== 'standard') {
    throw new UsageError('--style must be conversational or standard');
  }
  if (format === 'sft' && args.values.has('style')) {
    throw new UsageError('--style applies to grpo and dpo; sft is always conversational (messages)');
  }
  const outArg = args.values.get('out');
  const repoArg = args.values.get('repo');
  if (!outArg === !repoArg) {
    throw new UsageError('give --out <file> for a training file, or --repo <folder> for a Hugging Face dataset repository (data file and dataset card)');
  }
  if (args.values.has('name') && !repoArg) {
    throw new UsageError('--name names the dataset in its card: it goes with --repo');
  }
  const dedupe = args.values.has('dedupe') ? Number(args.values.get('dedupe')) : undefined;
  if (dedupe !== undefined && !(dedupe > 0 && dedupe <= 1)) {
    throw new UsageError('--dedupe takes a similarity threshold above 0 and at most 1, e.g. 0.6');
  }
  const datasetFile = path.resolve(io.cwd, args.positionals[0]);
  const journals = args.values.has('journals') ? path.resolve(io.cwd, args.values.get('journals')!) : undefined;
  const common = { datasetFile, format, journals, system: args.values.get('system'), style, dedupe };
  let report;
  let out: string;
  try {
    if (repoArg) {
      const folder = path.resolve(io.cwd, repoArg);
      const repo = await exportDatasetRepo({ ...common, folder, prettyName: args.values.get('name') });
      report = repo;
      out = `${path.join(folder, 'data', 'train.jsonl')} and ${path.join(folder, 'README.md')} (dataset card)`;
    } else {
      out = path.resolve(io.cwd, outArg!);
      if (out === datasetFile) {
        throw new UsageError('--out must not be the dataset file itself');
      }
      report = await writeExport({ ...common, out });
    }
  } catch (e) {
    if (e instanceof ExportError) {
      throw new CliFailure(e.message);
    }
    throw e;
  }
  io.stdout(`${report.rows} ${format} row(s) → ${out}\n`);
  for (const n of report.notes) {
    io.stderr(`${n}\n`);
  }
  return EXIT.ok;
}

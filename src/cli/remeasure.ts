// `autodata remeasure`: the dataset's items against a new weak model (the config's weak role), each item's weak scores
// kept under a label, the items that became too easy counted, and the still-learnable subset written on request.
import * as path from 'node:path';
import { buildModels } from '../run/models';
import { loadPrompts } from '../run/prompt-files';
import { resolveInside } from '../run/jsonl';
import { RemeasureError, remeasureDataset, remeasureFile, remeasureSummary, writeLearnable } from '../run/remeasure';
import { parseArgs, UsageError } from './args';
import { keysFor, loadSettings } from './config';
import { CliFailure, EXIT, type CliIO } from './io';

const OPTIONS = { values: ['config', 'label', 'out', 'workspace'] } as const;

export async function remeasure(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const configArg = args.values.get('config');
  const label = args.values.get('label');
  if (!configArg || !label) {
    throw new UsageError('--config <file.json> (its weak role is the model to measure) and --label <model version> are required');
  }
  if (args.positionals.length > 1) {
    throw new UsageError('give at most one dataset file');
  }
  const settings = await loadSettings(path.resolve(io.cwd, configArg));
  if (args.values.has('workspace')) {
    settings.workspace = path.resolve(io.cwd, args.values.get('workspace')!);
  }
  const root = settings.workspace;
  const datasetFile = args.positionals[0] ? path.resolve(io.cwd, args.positionals[0]) : await resolveInside(root, settings.datasetPath);
  const models = buildModels(settings, keysFor(settings.engine, io.env));
  const { prompts } = await loadPrompts(root);
  let report;
  try {
    const file = remeasureFile(root, label);
    io.stdout(`measuring ${path.basename(datasetFile)} against ${settings.engine.roles.weak.model} as "${label}" (results: ${file})\n`);
    report = await remeasureDataset({
      root,
      datasetFile,
      label,
      settings,
      models,
      prompts,
      signal: io.signal,
      onItem: (r, done, total) =>
        io.stdout(`  ${done}/${total} ${r.id}: ${r.status}${r.mean === null ? '' : ` (weak mean ${r.mean.toFixed(2)}, was ${r.before.toFixed(2)})`}\n`),
    });
  } catch (e) {
    if (e instanceof RemeasureError) {
      throw new CliFailure(e.message);
    }
    throw e;
  }
  io.stdout(`${remeasureSummary(report)}\n`);
  if (report.invalid) {
    io.stderr(`warning: ${report.invalid} line(s) of the dataset are not dataset records and were left out\n`);
  }
  if (report.stopped) {
    io.stderr(`stopped before every item was measured; run the same command again to go on\n`);
    return io.signal?.aborted ? EXIT.stopped : EXIT.unfinished;
  }
  const out = args.values.get('out');
  if (out) {
    const n = await writeLearnable(datasetFile, report.file, path.resolve(io.cwd, out));
    io.stdout(`${n} learnable item(s) → ${path.resolve(io.cwd, out)}\n`);
  }
  return EXIT.ok;
}

// `autodata merge`: the dataset parts written by shards (default: .autodata/parts/*.jsonl) into one dataset, each item
// exactly once by id; running it again writes nothing twice.
import * as path from 'node:path';
import { DatasetFileError } from '../run/dataset';
import { MergeError, mergeParts, partsIn } from '../run/merge-parts';
import { parseArgs } from './args';
import { CliFailure, EXIT, type CliIO } from './io';

const OPTIONS = { values: ['out', 'workspace'] } as const;

export async function merge(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const workspace = path.resolve(io.cwd, args.values.get('workspace') ?? '.');
  const out = path.resolve(workspace, args.values.get('out') ?? path.join('.autodata', 'dataset.jsonl'));
  const parts = args.positionals.length ? args.positionals.map((p) => path.resolve(io.cwd, p)) : await partsIn(path.join(workspace, '.autodata', 'parts'));
  try {
    const r = await mergeParts(parts, out, workspace);
    io.stdout(
      `${r.items} item(s) from ${r.parts} part(s): ${r.written} written to ${out}, ${r.items - r.written} already there${r.repeated ? `, ${r.repeated} repeated line(s) counted once` : ''}\n`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof MergeError || e instanceof DatasetFileError) {
      throw new CliFailure(e.message);
    }
    throw e;
  }
}

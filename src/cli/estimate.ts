// `autodata estimate`: a short pilot run over a sample of the files' sections, then the whole run's calls, tokens and
// cost extrapolated from it, with a range. The pilot is an ordinary run: its items are kept in the dataset.
import * as path from 'node:path';
import { sameWeakAndStrong } from '../core/model-pairs';
import { readRecipe } from '../run/recipe-file';
import { estimateLines, estimateRun, PILOT_DEFAULTS, pilotSample, PilotTally, runPlan, type PilotSize } from '../run/estimate';
import { parseArgs, UsageError } from './args';
import { context, runIdFor, runJobs } from './generate';
import { EXIT, type CliIO } from './io';
import { readSources } from './sources';

const OPTIONS = { values: ['config', 'dataset', 'workspace', 'pilot-sections', 'pilot-attempts'], flags: ['allow-same-model'] } as const;

function count(values: ReadonlyMap<string, string>, name: string, fallback: number): number {
  const v = values.get(name);
  if (v === undefined) {
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new UsageError(`--${name} takes a whole number from 1 to 100, not "${v}"`);
  }
  return n;
}

export async function estimate(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length === 0) {
    throw new UsageError('give at least one file to estimate the run of');
  }
  const size: PilotSize = {
    sections: count(args.values, 'pilot-sections', PILOT_DEFAULTS.sections),
    attempts: count(args.values, 'pilot-attempts', PILOT_DEFAULTS.attempts),
  };
  const ctx = await context(args.values, io);
  const same = sameWeakAndStrong(ctx.settings.engine);
  if (same && !args.flags.has('allow-same-model')) {
    throw new UsageError(`${same.message} Pass --allow-same-model to run anyway.`);
  }
  const { settings } = ctx;
  const sources = await readSources(
    args.positionals.map((f) => path.resolve(io.cwd, f)),
    settings.workspace,
    settings.sectionMaxChars,
    (why) => io.stderr(`skipped: ${why}\n`),
  );
  const all = sources.flatMap((s) => s.targets.map((t) => ({ s, t })));
  if (all.length === 0) {
    io.stdout('nothing to estimate: the files have no text\n');
    return EXIT.ok;
  }
  const sample = pilotSample(all, size.sections);
  // The pilot runs under the run's own settings but for the attempts it is allowed, and with no goal.
  const pilotSettings = { ...settings, itemsPerRun: 0, engine: { ...settings.engine, maxIterations: size.attempts } };
  const recipe = await readRecipe(settings.workspace);
  const jobs = sources
    .map((s) => ({ s, targets: sample.filter((x) => x.s === s).map((x) => x.t) }))
    .filter((j) => j.targets.length > 0)
    .map(({ s, targets }) => ({
      runId: runIdFor(undefined),
      document: { path: s.docPath, text: s.text },
      targets,
      settings: pilotSettings,
      prompts: ctx.ws.prompts,
      recipe,
    }));
  io.stdout(`pilot: ${sample.length} of ${all.length} section(s), at most ${size.attempts} attempt(s) each; its items are kept in the dataset\n`);
  const tally = new PilotTally();
  const code = await runJobs(ctx, jobs, undefined, (e) => tally.add(e));
  if (code !== EXIT.ok) {
    io.stderr('the pilot did not finish, so there is no estimate\n');
    return code;
  }
  const plan = runPlan(
    settings,
    sources.map((src) => src.targets.length),
  );
  const e = estimateRun(tally, plan);
  if (!e) {
    io.stderr('the pilot reached no verdict, so there is nothing to extrapolate from; try more pilot attempts (--pilot-attempts)\n');
    return EXIT.error;
  }
  io.stdout(`${estimateLines(e, plan).join('\n')}\n`);
  return EXIT.ok;
}

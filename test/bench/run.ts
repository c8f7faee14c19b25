// npm run bench: runs every benchmark once, prints the issue's targets with their measured figures (met / not met)
// and the detailed figures, draws the growth curves, and writes BENCHMARKS.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as runDocuments, type DocumentsFigure } from './documents.bench';
import { run as runExtension, type ExtensionFigures } from './extension.bench';
import { run as runLoop, type LoopFigures } from './loop.bench';
import { run as runRecipe, type RecipeFigures } from './recipe.bench';
import { notMeasured, targetTable, type TargetRow } from './targets';

const root = path.resolve(__dirname, '../..');
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const mark = (ok: boolean) => (ok ? 'met' : 'not met');

interface Row {
  figure: string;
  value: string;
  target: string;
  status: string;
}

interface Figures {
  loop: LoopFigures;
  documents: DocumentsFigure[];
  ext: ExtensionFigures;
  recipe: RecipeFigures;
  panel?: Record<string, number>;
}

async function panelFigures(): Promise<Record<string, number> | undefined> {
  const file = path.join(__dirname, 'panel-render.bench.js');
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const mod = require(file) as { run: () => Promise<Record<string, number>> };
  return mod.run();
}

function targets(f: Figures): TargetRow[] {
  const out: TargetRow[] = [];
  const docs32 = f.documents.find((d) => d.documents === 32);
  out.push(
    docs32
      ? {
          what: '32 documents × 2 sections, endpoint cap 16 (CLI; the editor runs the same runDocuments)',
          target: '≥ 0.9 × the endpoint’s limit',
          measured: `${f2(docs32.utilisation)} × the limit (${f.documents.map((d) => `${d.documents} docs: ${f2(d.utilisation)}`).join(', ')})`,
          met: docs32.utilisation >= 0.9,
        }
      : notMeasured('32 documents × 2 sections, endpoint cap 16', '≥ 0.9 × the endpoint’s limit'),
  );
  out.push(notMeasured('run start with 100k / 1M items in the dataset', '< 1 s, < 200 MB extra, no block > 50 ms'));
  out.push(notMeasured('a recipe update', 'no section waits for it'));
  out.push(notMeasured('resume or "nothing to resume" with 50 finished runs', '< 0.5 s; memory while resuming ≤ 2× the journal'));
  out.push(notMeasured('panel with 10,000 attempts', 'first paint < 300 ms, one more in constant time, DOM bounded, every card reachable'));
  out.push(notMeasured('a 10,000-attempt CLI run', 'memory flat after warm-up, journal on disk within 1 s of each event'));
  for (const o of f.loop.overhead) {
    out.push({
      what: `loop overhead, ${o.mode} order${o.mode === 'cost' ? ' (default)' : ''}`,
      target: '≤ 1.03 × the critical path',
      measured: `${f3(o.ratio)} (${f1(o.perIterationMs)} ms vs ${f1(o.criticalPathMs)} ms per iteration)`,
      met: o.ratio <= 1.03,
    });
  }
  return out;
}

function details(f: Figures): Row[] {
  const { loop, ext, panel, recipe } = f;
  const out: Row[] = [];
  const [defaults, baseline] = loop.baseline;
  for (const b of loop.baseline) {
    out.push({
      figure: `per accepted item, ${b.mode}`,
      value: `${f1(b.msPerAccepted)} ms, ${f1(b.callsPerAccepted)} calls, ${Math.round(b.tokensPerAccepted)} tokens (${b.accepted} accepted of ${b.attempts})`,
      target: 'report',
      status: '',
    });
  }
  out.push({
    figure: 'defaults ÷ baseline per accepted item: time, calls, tokens',
    value: `${f2(defaults.msPerAccepted / baseline.msPerAccepted)}, ${f2(defaults.callsPerAccepted / baseline.callsPerAccepted)}, ${f2(defaults.tokensPerAccepted / baseline.tokensPerAccepted)}`,
    target: '≤ 1 (no worse than the baseline)',
    status: mark(defaults.msPerAccepted <= baseline.msPerAccepted && defaults.tokensPerAccepted <= baseline.tokensPerAccepted),
  });
  for (const p of loop.parallel) {
    out.push({
      figure: `C = ${p.c} sections at once, endpoint cap 16, client limit 24 (cap exceeded on purpose)`,
      value: `${f1(p.itemsPerMinute)} items/min, endpoint ${f2(p.utilisation)} × its limit, ${p.status429} × 429, at most ${p.maxInFlight} open`,
      target: 'no 429 storm (429s ≤ requests the client exceeded the cap by, times retries)',
      status: mark(p.status429 <= 8 * p.c * 6),
    });
  }
  for (const d of f.documents) {
    out.push({
      figure: `${d.documents} documents × 2 sections through the CLI, endpoint cap 16`,
      value: `endpoint ${f2(d.utilisation)} × its limit, ${d.accepted} accepted in ${f1(d.ms / 1000)} s, ${d.status429} × 429`,
      target: 'report (growth)',
      status: '',
    });
  }
  for (const c of loop.cost) {
    out.push({
      figure: `calls / tokens per accepted item, ${c.mode}`,
      value: `${f1(c.callsPerAccepted)} calls, ${Math.round(c.tokensPerAccepted)} tokens (${c.accepted} accepted of ${c.attempts})`,
      target: 'lower with early decisions',
      status: '',
    });
  }
  const [early, late] = loop.cost;
  out.push({ figure: 'accepted set identical in all three', value: String(loop.sameAcceptedSet), target: 'true', status: mark(loop.sameAcceptedSet) });
  out.push({
    figure: 'saving from early decisions',
    value: `${f1(100 * (1 - early.callsPerAccepted / late.callsPerAccepted))}% calls, ${f1(100 * (1 - early.tokensPerAccepted / late.tokensPerAccepted))}% tokens`,
    target: '> 0',
    status: mark(early.tokensPerAccepted < late.tokensPerAccepted),
  });
  out.push({ figure: 'extension bundle (minified)', value: `${f1(ext.bundleKB)} KB`, target: 'report', status: '' });
  out.push({ figure: 'webview bundle (minified)', value: `${f1(ext.webviewKB)} KB`, target: 'report', status: '' });
  out.push({ figure: '.vsix', value: ext.vsixKB === null ? 'not built' : `${f1(ext.vsixKB)} KB`, target: 'report', status: '' });
  out.push({
    figure: 'load + activate the bundle (Node, stand-in vscode module)',
    value: `${f1(ext.loadMs)} ms + ${f2(ext.activateMs)} ms`,
    target: 'report',
    status: '',
  });
  out.push({
    figure: 'append 10,000 items, fsync each',
    value: `${f1(ext.append.durableMs)} ms (${f3(ext.append.perItemDurableMs)} ms/item)`,
    target: 'report',
    status: '',
  });
  out.push({
    figure: 'append 10,000 items, no fsync (journal)',
    value: `${f1(ext.append.bufferedMs)} ms (${f3(ext.append.perItemBufferedMs)} ms/item)`,
    target: 'report',
    status: '',
  });
  out.push({
    figure: 'dataset append with validation + exactly-once, 10,000 already in the file',
    value: `${f3(ext.append.checkedDatasetMs)} ms/item`,
    target: 'report',
    status: '',
  });
  out.push({
    figure: 'recipe learning: acceptance per batch of 10 attempts (recipe version)',
    value: recipe.batches.map((b) => `${Math.round(b.rate * 100)}% (v${b.recipeVersion})`).join(' → '),
    target: 'rising',
    status: mark(recipe.batches.slice(1).every((b) => b.rate > recipe.batches[0].rate)),
  });
  out.push({
    figure: 'recipe learning: attempts per accepted item, with → without',
    value: `${f2(recipe.withRecipe.attemptsPerAccepted)} → ${f2(recipe.withoutRecipe.attemptsPerAccepted)} (${recipe.withRecipe.accepted} vs ${recipe.withoutRecipe.accepted} accepted in 60 attempts)`,
    target: 'falling',
    status: mark(recipe.withRecipe.attemptsPerAccepted < recipe.withoutRecipe.attemptsPerAccepted),
  });
  if (panel) {
    for (const [k, v] of Object.entries(panel)) {
      out.push({ figure: `panel: ${k}`, value: Number.isInteger(v) ? String(v) : f1(v), target: 'report', status: '' });
    }
  }
  return out;
}

function table(rs: Row[]): string {
  return ['| figure | value | target | |', '|---|---|---|---|', ...rs.map((r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.status} |`)].join('\n');
}

const HOW = `## How the figures are obtained
- **Latency model.** The scripted OpenAI-compatible server (\`test/fakes/\`) charges work, as a real server does: a solver request
  300 ms per sample it returns (\`n\` = 3 costs 900 ms), a judge call 150 ms per answer it grades plus 0.5 ms per token of those
  answers, the Challenger 400 ms, a quality check 200 ms. Earlier versions charged a judge call 200 ms however many answers it
  graded and \`n\` = 3 as much as \`n\` = 1, which flattered batching.
- **Loop overhead** runs the real engine and the real \`openai\` SDK over HTTP, one accepted attempt per section, sections one after
  another. The critical path is computed from what the server charged each request of each attempt: challenge + quality check +
  the slowest request of each dependent stage (weak rollouts, their grading, strong rollouts, their grading; in the latency order
  weak and strong at once) + the final verification.
- **Baseline.** The strongest simple loop: the cost order, every rollout its own request and all at once, one judge call per
  rollout, nothing skipped (no early decisions, no final verification). The defaults' figures come first. The earlier "naive"
  baseline allowed one request at a time, which no one would write; it is gone.
- **Endpoint cap.** The scripted endpoint admits 16 requests at once and answers 429 with \`retry-after\` beyond that. In the
  sections-at-once figures the client's own limit is 24, above the cap on purpose, so 429s and their handling are exercised; the
  endpoint's utilisation is the time its 16 admission slots were taken over 16 × the wall time.
- **Documents at once** run \`autodata generate\` (the CLI, in process) over 8, 16 and 32 two-section documents with
  \`requestConcurrency\` 16; the editor's **Autodata: Generate from Files** runs the same \`runDocuments\` (src/run/documents-at-once.ts).
- **Cost per accepted item**: a scripted population like the paper's failed rounds (60% too easy, 10% too hard for the strong
  solver, 10% failing the quality check, 20% good). Calls and tokens are the endpoints' own \`usage\`.
- **Extension costs**: sizes of the esbuild bundles and of the \`.vsix\` from \`vsce package\`; load and activation time of
  \`out/extension.js\` in Node with a stand-in \`vscode\` module; appending JSONL lines with and without an fsync per line.
- **Recipe learning** (\`test/bench/recipe.bench.ts\`): a scripted world where one question in four separates the solvers until the
  Challenger's prompt carries a learned pattern, and two in three after. It shows the outer loop's mechanics, not what a real
  model would learn.
- **Panel**: \`test/bench/panel-render.bench.js\` renders the webview bundle in Debian's Chromium (playwright-core).
`;

(async () => {
  const t0 = Date.now();
  const loop = await runLoop();
  const documents = await runDocuments();
  const ext = await runExtension();
  const recipe = await runRecipe();
  const panel = await panelFigures().catch((e) => {
    console.error(`panel benchmark failed: ${(e as Error).message}`);
    return undefined;
  });
  const f: Figures = { loop, documents, ext, recipe, panel };
  const tt = targetTable(targets(f));
  const dt = table(details(f));
  console.log(`${tt}\n\n${dt}`);
  const md = `# Benchmarks

Produced by \`npm run bench\` (${((Date.now() - t0) / 1000).toFixed(0)} s) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Timings are ratios measured within one run, since these machines are noisy; absolute times are shown for context only.

## Targets

${tt}

## Figures

${dt}

${HOW}`;
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), md);
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'latest.json'), JSON.stringify(f, null, 2));
  console.log(`\nwrote BENCHMARKS.md in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

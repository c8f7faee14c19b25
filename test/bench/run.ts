// npm run bench: runs every benchmark once, prints each figure next to its target, and writes BENCHMARKS.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as runExtension, type ExtensionFigures } from './extension.bench';
import { run as runLoop, type LoopFigures } from './loop.bench';
import { run as runRecipe, type RecipeFigures } from './recipe.bench';

const root = path.resolve(__dirname, '../..');
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

interface Row {
  figure: string;
  value: string;
  target: string;
  status: string;
}

async function panelFigures(): Promise<Record<string, number> | undefined> {
  const file = path.join(__dirname, 'panel-render.bench.js');
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const mod = require(file) as { run: () => Promise<Record<string, number>> };
  return mod.run();
}

function rows(loop: LoopFigures, ext: ExtensionFigures, panel: Record<string, number> | undefined, recipe: RecipeFigures): Row[] {
  const out: Row[] = [];
  for (const o of loop.overhead) {
    out.push({
      figure: `wall time per iteration ÷ critical path (${o.mode} order)`,
      value: `${f3(o.ratio)} (${f1(o.perIterationMs)} ms vs ${o.criticalPathMs} ms)`,
      target: '≤ 1.03',
      status: mark(o.ratio <= 1.03),
    });
  }
  out.push({
    figure: 'speed-up over the naive sequential loop',
    value: `${f2(loop.naive.speedup)}× (${f1(loop.naive.naiveMs)} → ${f1(loop.naive.oursMs)} ms per iteration)`,
    target: '> 1',
    status: mark(loop.naive.speedup > 1),
  });
  out.push({
    figure: 'LLM calls per iteration, naive → ours',
    value: `${f1(loop.naive.naiveCalls)} → ${f1(loop.naive.oursCalls)}`,
    target: 'fewer',
    status: mark(loop.naive.oursCalls < loop.naive.naiveCalls),
  });
  for (const p of loop.parallel) {
    out.push({
      figure: `accepted items per minute, C = ${p.c} sections at once`,
      value: `${f1(p.itemsPerMinute)} (${f2(p.ratioToC1)}× C=1, ${p.status429} × 429)`,
      target: `≥ ${f1(0.9 * p.c)}× C=1, no 429 storm`,
      status: mark(p.ratioToC1 >= 0.9 * p.c && p.status429 <= p.c),
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
  const [early, late] = loop.cost; // the same order with and without early decisions
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
  } else {
    out.push({ figure: 'panel rendering 1,000 attempts', value: 'not measured (no panel benchmark)', target: 'report', status: '' });
  }
  return out;
}

function table(rs: Row[]): string {
  return ['| figure | value | target | |', '|---|---|---|---|', ...rs.map((r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.status} |`)].join('\n');
}

(async () => {
  const t0 = Date.now();
  const loop = await runLoop();
  const ext = await runExtension();
  const recipe = await runRecipe();
  const panel = await panelFigures().catch((e) => {
    console.error(`panel benchmark failed: ${(e as Error).message}`);
    return undefined;
  });
  const rs = rows(loop, ext, panel, recipe);
  console.log(table(rs));
  const md = `# Benchmarks

Produced by \`npm run bench\` (${((Date.now() - t0) / 1000).toFixed(0)} s) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Timings are ratios measured within one run, since these machines are noisy; absolute times are shown for context only.

${table(rs)}

## How the figures are obtained
- **Loop figures** run the real engine (\`src/core\`) and the real \`openai\` SDK over HTTP against the scripted OpenAI-compatible server
  (\`test/fakes/\`) with injected latencies: Challenger ${400} ms, quality check 200 ms, each solver request 300 ms, Judge 200 ms.
  The critical path of one accepted iteration is challenge + quality check + slowest rollout + judge, with rollouts concurrent
  (the *cost* order adds the strong rollouts and their judging after the weak ones: 1,600 ms; the *latency* order runs both solvers
  at once and grades all six rollouts in one judge call: 1,100 ms).
- **Naive loop**: the same iterations with one request at a time (a limiter of 1), one rollout per request (no \`n\`) and one judge call
  per rollout, as the method is usually written. The paper's setup implies per-rollout grading (it scores "each rollout");
  this product grades all rollouts of an attempt in one call by default (\`autodata.judgeMode\`: \`batch\`), per rollout on request.
- **Parallel sections**: C sections worked on at once, against an endpoint that admits 16 requests at a time and answers 429 with
  \`retry-after\` beyond that; the extension's own per-endpoint limit (\`autodata.requestConcurrency\`, 16 here) keeps it from storming.
- **Cost per accepted item**: a scripted population like the paper's failed rounds (60% too easy, 10% too hard for the strong solver,
  10% failing the quality check, 20% good), run in the cost order with early decisions (no strong rollouts after a clearly too-easy
  weak result), the same order without them, and the latency order (every solver runs, one judge call for all rollouts). Calls and tokens are the endpoints' own \`usage\`.
- **Extension costs**: sizes of the esbuild bundles and of the \`.vsix\` from \`vsce package\`; load and activation time of
  \`out/extension.js\` in Node with a stand-in \`vscode\` module (this measures the extension's own module cost, not VS Code's);
  appending JSONL lines with and without an fsync per line.
- **Recipe learning** (\`test/bench/recipe.bench.ts\`): a scripted world where one question in four separates the solvers until
  the Challenger's prompt carries a learned pattern, and two in three after; the scripted learner writes that pattern
  once it has seen too-easy attempts. 60 attempts over 40 sections with a recipe update every 10 attempts, against the
  same run with recipe learning off. This shows the outer loop's mechanics end to end (the learning reaches the
  Challenger prompt and changes what is accepted); how much a real model gains depends on what it learns.
- **Panel**: \`test/bench/panel-render.bench.js\` renders the webview bundle in Debian's Chromium (playwright-core) with 1,000 attempts.
`;
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), md);
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'latest.json'), JSON.stringify({ loop, ext, panel, recipe }, null, 2));
  console.log(`\nwrote BENCHMARKS.md in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

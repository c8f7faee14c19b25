// A dataset card: the README of a Hugging Face dataset repository, with the YAML metadata the Hub reads (size, task,
// license, where the data files are) and the provenance a person needs to trust the data: models per role, prompt and
// recipe versions, acceptance rules, score distributions, rounds per item, tokens and cost, source documents and hashes.
//
// The Hub reads the YAML block at the top of README.md: `configs[].data_files` maps splits to files, `size_categories`
// takes one of its fixed buckets, and `license` one of its license ids ("unknown" until the person chooses one).
import type { ExportFormat } from './exporters';
import type { DatasetRecord } from '../shared/schemas';
import { ROLES, type Role } from '../shared/schemas';

/** What the run journals say a run cost: tokens and calls per role, and the money when every model had a price. */
export interface RunCost {
  runId: string;
  byRole: Partial<Record<Role, { promptTokens: number; completionTokens: number; calls: number }>>;
  cost?: number;
}

export interface CardInput {
  records: readonly DatasetRecord[];
  runs: readonly RunCost[];
  format: ExportFormat;
  /** Path of the data file inside the repository, e.g. data/train.jsonl. */
  dataFile: string;
  rows: number;
  prettyName: string;
  generatedAt: string;
  /** Runs that made items but whose journals could not be read: their tokens are not counted. */
  missingRuns?: number;
}

export interface Distribution {
  n: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  mean: number;
  /** Counts in ten equal bins over [0, 1]; the last bin includes 1. */
  histogram: number[];
}

/** The Hub's size buckets, by row count. */
export function sizeCategory(n: number): string {
  const buckets: Array<[number, string]> = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
    [1e8, '10M<n<100M'],
  ];
  return buckets.find(([limit]) => n < limit)?.[1] ?? '100M<n<1B';
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function distribution(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const histogram = new Array<number>(10).fill(0);
  for (const v of sorted) {
    histogram[Math.min(9, Math.max(0, Math.floor(v * 10)))]++;
  }
  return {
    n: sorted.length,
    min: sorted[0],
    p25: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    histogram,
  };
}

function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== undefined) {
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** A YAML scalar that cannot be misread: a double-quoted JSON string is valid YAML. */
const q = (s: string): string => JSON.stringify(s);
const f2 = (n: number): string => n.toFixed(2);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const TASKS: Record<ExportFormat, string[]> = {
  sft: ['question-answering', 'text-generation'],
  grpo: ['question-answering', 'reinforcement-learning'],
  dpo: ['text-generation'],
};

export interface CardStats {
  models: Record<Role, Array<[string, number]>>;
  /** The second judge's models, on items it graded; how many of those the two judges decided differently. */
  secondJudge: { models: Array<[string, number]>; graded: number; disagreed: number };
  /** Items the closed-book probe asked without their context, and how many it found answerable without the source. */
  closedBook: { probed: number; solved: number };
  promptVersions: Array<[string, number]>;
  recipeVersions: Array<[string, number]>;
  presets: Array<[string, number]>;
  policies: Array<[string, number]>;
  decisions: { policy: number; human: number; borderline: number };
  weak?: Distribution;
  strong?: Distribution;
  gap?: Distribution;
  rounds?: Distribution & { counts: Array<[string, number]> };
  flatWeak: number;
  sources: Array<{ path: string; sha256: string; items: number }>;
  tokens: { prompt: number; completion: number; calls: number; byRole: Partial<Record<Role, { prompt: number; completion: number; calls: number }>> };
  cost?: number;
  /** Runs whose cost is unknown (a model without a price). */
  unpricedRuns: number;
}

export function cardStats(records: readonly DatasetRecord[], runs: readonly RunCost[]): CardStats {
  const models = {} as Record<Role, Array<[string, number]>>;
  for (const role of ROLES) {
    models[role] = countBy(records, (r) => r.models[role]);
  }
  const sources = new Map<string, { path: string; sha256: string; items: number }>();
  for (const r of records) {
    const key = `${r.source.path}\0${r.source.sha256}`;
    const s = sources.get(key) ?? { path: r.source.path, sha256: r.source.sha256, items: 0 };
    s.items++;
    sources.set(key, s);
  }
  const byRole: CardStats['tokens']['byRole'] = {};
  let prompt = 0;
  let completion = 0;
  let calls = 0;
  for (const run of runs) {
    for (const role of ROLES) {
      const u = run.byRole[role];
      if (!u) {
        continue;
      }
      const t = (byRole[role] ??= { prompt: 0, completion: 0, calls: 0 });
      t.prompt += u.promptTokens;
      t.completion += u.completionTokens;
      t.calls += u.calls;
      prompt += u.promptTokens;
      completion += u.completionTokens;
      calls += u.calls;
    }
  }
  const priced = runs.filter((r) => r.cost !== undefined);
  const rounds = distribution(records.map((r) => r.iterations));
  const graded = records.filter((r) => r.judges);
  return {
    models,
    secondJudge: {
      models: countBy(records, (r) => r.models.judge2),
      graded: graded.length,
      disagreed: graded.filter((r) => r.judges!.disagree).length,
    },
    closedBook: { probed: records.filter((r) => r.closedBook).length, solved: records.filter((r) => r.closedBook?.solved).length },
    promptVersions: countBy(records, (r) => r.promptVersion),
    recipeVersions: countBy(records, (r) => (r.method ? `v${r.method.recipeVersion}` : undefined)),
    presets: countBy(records, (r) => r.method?.preset),
    policies: countBy(records, (r) => (r.method ? policyText(r.method) : undefined)),
    decisions: {
      policy: records.filter((r) => r.decision.by === 'policy').length,
      human: records.filter((r) => r.decision.by === 'human').length,
      borderline: records.filter((r) => r.decision.borderline).length,
    },
    weak: distribution(records.map((r) => r.scores.weak.mean)),
    strong: distribution(records.map((r) => r.scores.strong.mean)),
    gap: distribution(records.map((r) => r.scores.gap)),
    rounds: rounds && { ...rounds, counts: countBy(records, (r) => String(r.iterations)).sort((a, b) => Number(a[0]) - Number(b[0])) },
    flatWeak: records.filter((r) => r.learnability?.flat).length,
    sources: [...sources.values()].sort((a, b) => b.items - a.items || a.path.localeCompare(b.path)),
    tokens: { prompt, completion, calls, byRole },
    cost: priced.length && priced.length === runs.length ? priced.reduce((a, r) => a + (r.cost ?? 0), 0) : undefined,
    unpricedRuns: runs.length - priced.length,
  };
}

function policyText(m: NonNullable<DatasetRecord['method']>): string {
  const p = m.policy;
  const parts = [
    `weak mean ${p.weakMeanStrict ? '<' : '≤'} ${p.weakMeanMax}`,
    p.weakBestMax < 1 ? `best weak ≤ ${p.weakBestMax}` : '',
    `strong mean ≥ ${p.strongMeanMin}`,
    p.strongMeanMax < 1 ? `strong mean < ${p.strongMeanMax}` : '',
    `gap ≥ ${p.minGap}`,
    p.weakNoZero ? 'no weak rollout at 0' : '',
    p.strongNoZero ? 'no strong rollout at 0' : '',
    p.borderlineMargin > 0 ? `borderline band ${p.borderlineMargin} goes to a person` : '',
  ];
  return `${parts.filter(Boolean).join(', ')}; ${m.rollouts.weak} weak and ${m.rollouts.strong} strong rollouts; judge ${m.judgeMode === 'perRollout' ? 'per rollout' : 'in batches'}`;
}

function distRow(name: string, d: Distribution | undefined): string {
  return d
    ? `| ${name} | ${d.n} | ${f2(d.min)} | ${f2(d.p25)} | ${f2(d.median)} | ${f2(d.p75)} | ${f2(d.max)} | ${f2(d.mean)} |`
    : `| ${name} | 0 | | | | | | |`;
}

function histogramRow(name: string, d: Distribution | undefined): string {
  return `| ${name} | ${(d?.histogram ?? new Array<number>(10).fill(0)).join(' | ')} |`;
}

const list = (pairs: Array<[string, number]>): string => (pairs.length ? pairs.map(([k, n]) => `\`${cell(k)}\` (${n})`).join(', ') : 'not recorded');

/** The README.md of the dataset repository. */
export function datasetCard(input: CardInput): string {
  const s = cardStats(input.records, input.runs);
  const creators = s.decisions.human > 0 ? ['machine-generated', 'expert-generated'] : ['machine-generated'];
  const yaml = [
    '---',
    'license: unknown # choose the license of your source documents and data, e.g. cc-by-4.0',
    `pretty_name: ${q(input.prettyName)}`,
    'language:',
    '- en # change if your source documents are in another language',
    'task_categories:',
    ...TASKS[input.format].map((t) => `- ${t}`),
    'tags:',
    '- synthetic',
    '- autodata',
    `- ${input.format}`,
    ...(input.format === 'grpo' ? ['- rubric-rewards'] : []),
    'annotations_creators:',
    ...creators.map((c) => `- ${c}`),
    'language_creators:',
    '- machine-generated',
    'source_datasets:',
    '- original',
    'size_categories:',
    `- ${sizeCategory(input.rows)}`,
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    `    path: ${q(input.dataFile)}`,
    '---',
  ];
  const t = s.tokens;
  const body = [
    `# ${input.prettyName}`,
    '',
    `${input.rows} ${input.format.toUpperCase()} row(s) from ${input.records.length} item(s) that Autodata generated from ${s.sources.length} source document(s) with the Agentic Self-Instruct loop: a Challenger writes a question, a weighted rubric and a reference answer from a passage; a weak solver should fail it and a strong solver should succeed, judged criterion by criterion; an item is kept only when the weak solver scores low, the strong one high and the gap is wide, or when a person approved it.`,
    '',
    `Generated ${input.generatedAt}. Data file: \`${input.dataFile}\`.`,
    '',
    '## Models',
    '',
    '| role | model (items) |',
    '|---|---|',
    ...ROLES.map((role) => `| ${role} | ${list(s.models[role])} |`),
    ...(s.secondJudge.models.length ? [`| second judge | ${list(s.secondJudge.models)} |`] : []),
    '',
    '## Method',
    '',
    `- Prompt versions: ${list(s.promptVersions)}`,
    `- Recipe versions: ${list(s.recipeVersions)}`,
    `- Presets: ${list(s.presets)}`,
    `- Acceptance rules: ${list(s.policies)}`,
    `- Decisions: ${s.decisions.policy} by the acceptance rule, ${s.decisions.human} by a person; ${s.decisions.borderline} borderline`,
    `- Items whose weak rollouts all scored the same (no signal for GRPO): ${s.flatWeak}`,
    ...(s.secondJudge.graded
      ? [
          `- Second judge: graded ${s.secondJudge.graded} item(s); the two judges decided ${s.secondJudge.disagreed} of them differently (each went to a person)`,
        ]
      : []),
    ...(s.closedBook.probed
      ? [`- Closed-book probe: ${s.closedBook.probed} item(s) asked without their context; ${s.closedBook.solved} answered without the source`]
      : []),
    '',
    '## Scores',
    '',
    'Mean rubric scores per item, from 0 to 1.',
    '',
    '| score | n | min | p25 | median | p75 | max | mean |',
    '|---|---|---|---|---|---|---|---|',
    distRow('weak', s.weak),
    distRow('strong', s.strong),
    distRow('gap', s.gap),
    '',
    'Items per score bin:',
    '',
    '| score | 0–.1 | .1–.2 | .2–.3 | .3–.4 | .4–.5 | .5–.6 | .6–.7 | .7–.8 | .8–.9 | .9–1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    histogramRow('weak', s.weak),
    histogramRow('strong', s.strong),
    '',
    '## Rounds per item',
    '',
    s.rounds
      ? `Challenger attempts until the item was kept: median ${f2(s.rounds.median)}, mean ${f2(s.rounds.mean)}, max ${s.rounds.max}. Items by rounds: ${s.rounds.counts.map(([k, n]) => `${k}: ${n}`).join(', ')}.`
      : 'No items.',
    '',
    '## Tokens and cost',
    '',
    input.runs.length
      ? `Across ${input.runs.length} run(s): ${t.prompt.toLocaleString('en-US')} prompt and ${t.completion.toLocaleString('en-US')} completion tokens in ${t.calls.toLocaleString('en-US')} calls (every attempt, accepted or not).`
      : 'The run journals were not available, so tokens and cost are not known.',
    ...(input.missingRuns ? ['', `${input.missingRuns} run journal(s) were not found; their tokens and cost are not counted here.`] : []),
    ...(input.runs.length
      ? [
          '',
          '| role | prompt tokens | completion tokens | calls |',
          '|---|---|---|---|',
          ...ROLES.filter((r) => t.byRole[r]).map((r) => `| ${r} | ${t.byRole[r]!.prompt} | ${t.byRole[r]!.completion} | ${t.byRole[r]!.calls} |`),
          '',
          s.cost !== undefined
            ? `Cost: ${s.cost.toFixed(4)} (in the units of the price table the runs used).`
            : `Cost: unknown (${s.unpricedRuns} run(s) used a model without a price).`,
        ]
      : []),
    '',
    '## Source documents',
    '',
    '`sha256` is the hash of the document as it was read (for a PDF, of its extracted text file).',
    '',
    '| document | sha256 | items |',
    '|---|---|---|',
    ...s.sources.map((d) => `| ${cell(d.path)} | \`${d.sha256}\` | ${d.items} |`),
    '',
    '## Use',
    '',
    '```python',
    'from datasets import load_dataset',
    `ds = load_dataset("json", data_files=${JSON.stringify(input.dataFile)}, split="train")`,
    '```',
    '',
    'Upload the folder as a dataset repository with `huggingface-cli upload <user>/<name> . --repo-type dataset`.',
    'Fill in the license above before you publish: the data derives from your source documents.',
    '',
  ];
  return [...yaml, '', ...body].join('\n');
}

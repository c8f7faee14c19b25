// Batch mode against interactive calls on one scripted world (`autodata generate` in process, the same documents and
// the same scripted population, a price table at OpenAI's rates with batch at half): calls, tokens and cost per accepted
// item, HTTP requests to the endpoint, and how many waves the sections need, at three sizes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { DatasetRecord } from '../../src/shared/schemas';
import { startScriptedServer } from '../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const EASY: ScriptedQuestion = { weak: [0.9, 0.8, 0.9], strong: [1, 1, 0.9] };
const HARD: ScriptedQuestion = { weak: [0.1, 0.2, 0.1], strong: [0.3, 0.2, 0.4] };
/** Questions in the order the Challenger writes them: about one in two accepted, as sections that need a second try. */
const POPULATION = [GOOD, EASY, GOOD, HARD, GOOD, EASY];
const KEY = 'bench-key';
/** Per million tokens (gpt-4o-mini's interactive rates); batch: half, the default. */
const PRICE = { prompt: 0.15, completion: 0.6 };

function doc(i: number): string {
  const section = (title: string) =>
    `## ${title}\n\n${`${title} of paper ${i} explains one idea of the method in enough words to stand alone as a section for a question. `.repeat(5)}\n\n`;
  return `# Paper ${i}\n\n${section(`Mechanism ${i}a`)}${section(`Mechanism ${i}b`)}${section(`Mechanism ${i}c`)}${section(`Mechanism ${i}d`)}`;
}

export interface ModeFigure {
  accepted: number;
  attempts: number;
  /** Model calls (batch lines in batch mode), as the runs' usage counts them. */
  calls: number;
  tokens: number;
  cost: number;
  /** Every HTTP request the endpoint received (uploads, batch creation, status requests and result files included). */
  httpRequests: number;
  ms: number;
  /** Accepted items by section and scores, to compare the two modes. */
  kinds: string[];
  batches?: number;
  waves?: number;
}

export interface BatchFigure {
  sections: number;
  interactive: ModeFigure;
  batch: ModeFigure;
  sameItems: boolean;
}

async function once(documents: number, batch: boolean): Promise<ModeFigure> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-batch-'));
  const script = scriptRoles(POPULATION);
  const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: KEY, batchInProgressPolls: 1 });
  try {
    const files = Array.from({ length: documents }, (_, i) => {
      fs.writeFileSync(path.join(ws, `paper-${i}.md`), doc(i));
      return `paper-${i}.md`;
    });
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    const prices = Object.fromEntries(Object.values(MODELS).map((m) => [m, PRICE]));
    fs.writeFileSync(
      path.join(ws, 'autodata.json'),
      JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles, prices, requestConcurrency: 16 }),
    );
    let out = '';
    const t0 = performance.now();
    const code = await main(['generate', ...files, '--config', 'autodata.json', ...(batch ? ['--batch', '--batch-poll', '0.01'] : [])], {
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      env: { AUTODATA_API_KEY: KEY },
      cwd: ws,
    });
    const ms = performance.now() - t0;
    if (code !== 0) {
      throw new Error(`autodata generate${batch ? ' --batch' : ''} exited ${code}: ${out.slice(-400)}`);
    }
    const num = (re: RegExp) => Number((re.exec(out)?.[1] ?? 'NaN').replace(/,/g, ''));
    const records = fs
      .readFileSync(path.join(ws, '.autodata', 'dataset.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => DatasetRecord.parse(JSON.parse(l)));
    return {
      accepted: records.length,
      attempts: num(/(\d+) attempt\(s\)/),
      calls: num(/in ([\d,]+) call\(s\)/),
      tokens: num(/tokens: ([\d,]+) prompt/) + num(/([\d,]+) completion/),
      cost: num(/; cost (\d+\.\d+)/),
      httpRequests: server.requests.filter((r) => !r.headers['x-batch-line']).length,
      ms,
      kinds: records.map((r) => `${r.source.path}@${r.source.range.start}:${r.scores.weak.mean}:${r.scores.strong.mean}`).sort(),
      ...(batch ? { batches: num(/batch mode: (\d+) batch/), waves: num(/in (\d+) wave/) } : {}),
    };
  } finally {
    await server.close();
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

export async function run(documentCounts = [2, 4, 8]): Promise<BatchFigure[]> {
  const out: BatchFigure[] = [];
  for (const documents of documentCounts) {
    const interactive = await once(documents, false);
    const batch = await once(documents, true);
    out.push({ sections: documents * 4, interactive, batch, sameItems: JSON.stringify(interactive.kinds) === JSON.stringify(batch.kinds) });
  }
  return out;
}

const per = (x: number, f: ModeFigure) => x / Math.max(1, f.accepted);

/** The Batch mode table of BENCHMARKS.md. */
export function batchTable(figures: readonly BatchFigure[]): string {
  const rows = figures.flatMap((f) =>
    (['interactive', 'batch'] as const).map((mode) => {
      const m = f[mode];
      return `| ${f.sections} | ${mode} | ${m.accepted} of ${m.attempts} attempts | ${per(m.calls, m).toFixed(1)} | ${Math.round(per(m.tokens, m))} | ${per(m.cost, m).toFixed(6)} | ${per(m.httpRequests, m).toFixed(1)} | ${m.waves !== undefined ? `${m.waves} waves, ${m.batches} batches` : '–'} | ${mode === 'batch' ? (f.sameItems ? 'yes' : '**no**') : ''} |`;
    }),
  );
  return [
    '| sections | mode | accepted | calls / item | tokens / item | cost / item | HTTP requests / item | waves | same items |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (require.main === module) {
  void run().then((r) => {
    console.log(batchTable(r));
    console.log(
      JSON.stringify(
        r.map((f) => ({ ...f, interactive: { ...f.interactive, kinds: undefined }, batch: { ...f.batch, kinds: undefined } })),
        null,
        2,
      ),
    );
  });
}

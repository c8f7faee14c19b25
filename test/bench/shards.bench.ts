// Shards and replicas against the scripted server. Shards: one `autodata generate` process over 64 one-section
// documents against one capped endpoint, then 4 `autodata generate --shard auto` processes at once (a job array:
// JOB_COMPLETION_INDEX with AUTODATA_SHARD_COUNT), each against its own endpoint with the same cap (as separate machines
// would have), then `autodata merge`: the time ratio, and whether the merged dataset holds exactly the single run's items
// (by each item's source: document, range and quote; not by counts). Replicas: one process, every role over 1, 2 and 4
// replicas of capped endpoints: the throughput ratio.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { DatasetRecord } from '../../src/shared/schemas';
import { startScriptedServer, type ScriptedServer } from '../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';
import { LAT } from './loop.bench';
import type { TargetRow } from './targets';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'autodata.js');
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const KEY = 'bench-key';
const DOCUMENTS = 64;
const SHARDS = 4;
/** Each endpoint admits this many requests at once (429 beyond); the client's limit per endpoint is the same. */
const CAP = 8;
const REPLICA_DOCUMENTS = 32;
const REPLICA_CAP = 4;

export interface ShardsFigures {
  documents: number;
  shards: number;
  cap: number;
  /** The faster of the two single runs (before and after the shards). */
  singleMs: number;
  singleRunsMs: number[];
  /** From the start of the 4 processes until the last one exits. */
  shardsMs: number;
  /** One shard process alone (the others not running): what a shard takes when it has the machine to itself. */
  oneShardMs: number;
  mergeMs: number;
  ratio: number;
  /** With the merge included. */
  ratioWithMerge: number;
  singleItems: number;
  mergedItems: number;
  /** The merged dataset holds exactly the single run's items, each once. */
  sameItems: boolean;
  missing: number;
  extra: number;
  replicas: Array<{ replicas: number; ms: number; accepted: number; itemsPerMinute: number; ratio: number; status429: number; busy: number }>;
}

function doc(i: number): string {
  return `# Paper ${i}\n\n## Mechanism ${i}\n\n${`Mechanism ${i} explains one idea of the method in enough words to stand alone as a section for a question. `.repeat(5)}\n`;
}

function workspace(documents: number): { ws: string; files: string[] } {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-shards-'));
  const files = Array.from({ length: documents }, (_, i) => {
    const name = `paper-${String(i).padStart(3, '0')}.md`;
    fs.writeFileSync(path.join(ws, name), doc(i));
    return name;
  });
  return { ws, files };
}

function config(ws: string, name: string, baseURL: string, replicas: string[] = [], requestConcurrency = CAP): string {
  const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
  const endpoint = { baseURL, maxTokens: 512, ...(replicas.length ? { replicas } : {}) };
  fs.writeFileSync(path.join(ws, name), JSON.stringify({ endpoint, roles, requestConcurrency, itemsPerRun: 0 }));
  return name;
}

/** The built CLI in its own process; resolves with its exit code and output. */
function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, AUTODATA_API_KEY: KEY, OPENAI_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

async function ok(p: Promise<{ code: number | null; out: string }>, what: string): Promise<string> {
  const r = await p;
  if (r.code !== 0) {
    throw new Error(`${what} exited ${r.code}: ${r.out.slice(-400)}`);
  }
  return r.out;
}

/** Each item by its source (document, range, quote): what a single run and the merged shards must agree on. */
function itemKeys(ws: string): string[] {
  const file = path.join(ws, '.autodata', 'dataset.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => DatasetRecord.parse(JSON.parse(l)))
    .map((r) => `${r.source.path}#${r.source.range.start}-${r.source.range.end}#${r.source.sha256}#${r.source.quote}`);
}

async function server(script: ReturnType<typeof scriptRoles>, cap: number): Promise<ScriptedServer> {
  return startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: KEY, maxConcurrent: cap, retryAfterSeconds: 0.2 });
}

async function shards(): Promise<Omit<ShardsFigures, 'replicas'>> {
  const single = workspace(DOCUMENTS);
  const sharded = workspace(DOCUMENTS);
  const servers: ScriptedServer[] = [];
  try {
    // The single run goes before and after the shards; the faster of the two is compared (a load spike on this shared
    // machine must not flatter the shards).
    const singleRun = async (): Promise<number> => {
      fs.rmSync(path.join(single.ws, '.autodata'), { recursive: true, force: true });
      const one = await server(scriptRoles([GOOD], LAT), CAP);
      servers.push(one);
      const t0 = performance.now();
      await ok(cli(single.ws, ['generate', ...single.files, '--config', config(single.ws, 'autodata.json', one.baseURL)]), 'the single run');
      return performance.now() - t0;
    };
    const singleBefore = await singleRun();

    // One script plays the model behind the four endpoints, so question numbers stay distinct across shards.
    const script = scriptRoles([GOOD], LAT);
    const own = await Promise.all(Array.from({ length: SHARDS }, () => server(script, CAP)));
    servers.push(...own);
    const t1 = performance.now();
    await Promise.all(
      own.map((s, i) =>
        ok(
          cli(sharded.ws, ['generate', ...sharded.files, '--config', config(sharded.ws, `shard-${i}.json`, s.baseURL), '--shard', 'auto'], {
            JOB_COMPLETION_INDEX: String(i),
            AUTODATA_SHARD_COUNT: String(SHARDS),
          }),
          `shard ${i + 1} of ${SHARDS}`,
        ),
      ),
    );
    const shardsMs = performance.now() - t1;
    const alone = workspace(DOCUMENTS);
    let oneShardMs = 0;
    try {
      const s = await server(scriptRoles([GOOD], LAT), CAP);
      servers.push(s);
      const t3 = performance.now();
      await ok(cli(alone.ws, ['generate', ...alone.files, '--config', config(alone.ws, 'shard.json', s.baseURL), '--shard', `1/${SHARDS}`]), 'one shard alone');
      oneShardMs = performance.now() - t3;
    } finally {
      fs.rmSync(alone.ws, { recursive: true, force: true });
    }
    const t2 = performance.now();
    await ok(cli(sharded.ws, ['merge']), 'autodata merge');
    const mergeMs = performance.now() - t2;
    const singleAfter = await singleRun();
    const singleMs = Math.min(singleBefore, singleAfter);

    const a = itemKeys(single.ws);
    const b = itemKeys(sharded.ws);
    const sa = new Set(a);
    const sb = new Set(b);
    const missing = [...sa].filter((k) => !sb.has(k)).length;
    const extra = [...sb].filter((k) => !sa.has(k)).length;
    return {
      documents: DOCUMENTS,
      shards: SHARDS,
      cap: CAP,
      singleMs,
      singleRunsMs: [singleBefore, singleAfter],
      shardsMs,
      oneShardMs,
      mergeMs,
      ratio: shardsMs / singleMs,
      ratioWithMerge: (shardsMs + mergeMs) / singleMs,
      singleItems: a.length,
      mergedItems: b.length,
      sameItems: missing === 0 && extra === 0 && sa.size === a.length && sb.size === b.length && a.length === DOCUMENTS,
      missing,
      extra,
    };
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(single.ws, { recursive: true, force: true });
    fs.rmSync(sharded.ws, { recursive: true, force: true });
  }
}

/** One process (the CLI in process), every role over `count` replicas, each an endpoint capped at REPLICA_CAP. */
async function replicaRun(count: number): Promise<{ ms: number; accepted: number; status429: number; busy: number }> {
  const { ws, files } = workspace(REPLICA_DOCUMENTS);
  const script = scriptRoles([GOOD], LAT);
  const servers = await Promise.all(Array.from({ length: count }, () => server(script, REPLICA_CAP)));
  try {
    const [first, ...rest] = servers.map((s) => s.baseURL);
    const name = config(ws, 'autodata.json', first, rest, REPLICA_CAP);
    let out = '';
    const t0 = performance.now();
    const code = await main(['generate', ...files, '--config', name], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      env: { AUTODATA_API_KEY: KEY },
      cwd: ws,
    });
    const ms = performance.now() - t0;
    if (code !== 0) {
      throw new Error(`autodata generate over ${count} replica(s) exited ${code}: ${out.slice(-300)}`);
    }
    return {
      ms,
      accepted: Number(/(\d+) accepted/.exec(out)?.[1] ?? 0),
      status429: servers.reduce((a, s) => a + s.requests.filter((r) => r.status === 429).length, 0),
      // The share of all replicas' admission slots taken over the run.
      busy: servers.reduce((a, s) => a + s.admittedMs, 0) / (count * REPLICA_CAP * ms),
    };
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

/** One role over 1, 2 and 4 replicas: throughput against one replica. */
export async function replicaFigures(): Promise<ShardsFigures['replicas']> {
  const replicas: ShardsFigures['replicas'] = [];
  for (const count of [1, 2, 4]) {
    const r = await replicaRun(count);
    const itemsPerMinute = (r.accepted / r.ms) * 60_000;
    replicas.push({ ...r, replicas: count, itemsPerMinute, ratio: itemsPerMinute / (replicas[0]?.itemsPerMinute ?? itemsPerMinute) });
  }
  return replicas;
}

export async function run(): Promise<ShardsFigures> {
  if (!fs.existsSync(path.join(ROOT, 'out', 'cli.js'))) {
    throw new Error('out/cli.js is missing: run npm run build first');
  }
  const s = await shards();
  return { ...s, replicas: await replicaFigures() };
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** The issue's target rows for this benchmark. */
export function shardTargets(f: ShardsFigures): TargetRow[] {
  const r4 = f.replicas.find((r) => r.replicas === 4);
  return [
    {
      what: `${f.shards} shard processes over ${f.documents} documents, each against its own endpoint (cap ${f.cap}), then merge`,
      target: '≈ 0.25 × one process’s time; merged items = a single run’s items',
      measured: `${f2(f.ratio)} × (${f2(f.ratioWithMerge)} × with the merge); merged items ${f.sameItems ? 'equal' : `differ (${f.missing} missing, ${f.extra} extra)`}`,
      met: f.ratio <= 0.3 && f.sameItems,
    },
    {
      what: `one role over 1, 2, 4 replicas (cap ${REPLICA_CAP} each), ${REPLICA_DOCUMENTS} documents`,
      target: 'throughput grows with the replicas',
      measured: f.replicas.map((r) => `${r.replicas}: ${f2(r.ratio)}×`).join(', '),
      met: Boolean(r4 && r4.ratio >= 3),
    },
  ];
}

/** The "Shards and replicas" section of BENCHMARKS.md. */
export function shardsSection(f: ShardsFigures): string {
  return `## Shards and replicas

Measured by \`test/bench/shards.bench.ts\`. Shards: one \`autodata generate\` process over ${f.documents} one-section documents against
one scripted endpoint that admits ${f.cap} requests at once (the client's limit is ${f.cap} too), then ${f.shards} \`autodata generate
--shard auto\` processes started together as a Kubernetes Indexed Job would (\`JOB_COMPLETION_INDEX\`, \`AUTODATA_SHARD_COUNT\`), each
against its own endpoint with the same cap, as separate machines would have, then \`autodata merge\`. The item sets are compared by each
item's source (document, hash, range, quote), not by counts.

| what | value |
|---|---|
| one process (the faster of a run before and one after the shards) | ${f1(f.singleMs / 1000)} s (${f.singleRunsMs.map((x) => f1(x / 1000)).join(' s, ')} s), ${f.singleItems} items |
| ${f.shards} shard processes | ${f1(f.shardsMs / 1000)} s (${f2(f.ratio)} × one process) |
| one shard process alone (no other shard running) | ${f1(f.oneShardMs / 1000)} s (${f2(f.oneShardMs / f.singleMs)} × one process) |
| merge | ${f1(f.mergeMs / 1000)} s (${f2(f.ratioWithMerge)} × one process with the shards) |
| merged items equal the single run's | ${f.sameItems ? 'yes' : 'no'} (${f.mergedItems} merged, ${f.missing} missing, ${f.extra} extra) |
${f.replicas.map((r) => `| ${r.replicas} replica${r.replicas > 1 ? 's' : ''} × cap ${REPLICA_CAP}, ${REPLICA_DOCUMENTS} documents | ${f1(r.ms / 1000)} s, ${f1(r.itemsPerMinute)} items/min (${f2(r.ratio)} × one replica), slots busy ${f2(r.busy)}, ${r.status429} × 429 |`).join('\n')}

The scripted endpoints and all ${f.shards} shard processes share this machine's ${os.cpus().length} cores with the bench process (and
here with other work), so the shards compete for CPU that separate machines would not: each process's start-up (loading the CLI,
reading ${f.documents} documents to pick its sections) and JSON work run side by side on ${os.cpus().length} cores, and a quarter of
one process's time is out of reach when that part is not small. The endpoints' latency model is the one above.
`;
}

if (require.main === module) {
  run()
    .then((f) => {
      console.log(JSON.stringify(f, null, 2));
      console.log(shardsSection(f));
      console.log(
        shardTargets(f)
          .map((r) => `${r.what}: ${r.measured} (${r.met ? 'met' : 'not met'})`)
          .join('\n'),
      );
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}

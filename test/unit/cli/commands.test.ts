// The headless CLI against the scripted server: generate, shard, refuse keys in config, export, stop and resume.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yaml from 'js-yaml';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { findSecret, keysFor, settingsFrom } from '../../../src/cli/config';
import { writeFileAtomic } from '../../../src/run/atomic-file';
import { main, type CliIO } from '../../../src/cli/main';
import { parseShard, shardOf, type Source } from '../../../src/cli/sources';
import { shardFromEnv } from '../../../src/cli/shard-env';
import { splitSections } from '../../../src/core/chunks';
import { defaultEngineConfig } from '../../../src/core/config';
import { EngineEvent, type EventOf } from '../../../src/shared/events';
import { DpoRow, GrpoRow, SftRow } from '../../../src/core/exporters';
import { DatasetRecord } from '../../../src/shared/schemas';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { fact, MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const KEY = 'test-key-for-the-scripted-server';
const MAIN = path.resolve(__dirname, '../../../src/cli/main.ts');

function section(title: string, topic: string): string {
  return (
    `## ${title}\n\n${topic} is the subject of this section, which explains how it works and why it matters for the method. ` +
    `${`The ${topic.toLowerCase()} argument continues with more detail about its assumptions and trade-offs. `.repeat(6)}\n\n`
  );
}
const DOC_A = `# Paper A\n\n${section('Sparse attention', 'Sparse attention')}${section('Global tokens', 'Global tokens')}${section('Local windows', 'Local windows')}`;
const DOC_B = `# Paper B\n\n${section('Gradient noise', 'Gradient noise')}${section('Batch size', 'Batch size')}`;

interface Captured {
  io: CliIO;
  out: () => string;
  err: () => string;
}
function capture(cwd: string, extra: Partial<CliIO> = {}, onOut?: (text: string) => void): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (t) => {
        out += t;
        onOut?.(t);
      },
      stderr: (t) => {
        err += t;
      },
      env: { AUTODATA_API_KEY: KEY },
      cwd,
      ...extra,
    },
    out: () => out,
    err: () => err,
  };
}

const readLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
const journals = (ws: string) => {
  const dir = path.join(ws, '.autodata', 'runs');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => ({ name: f, events: readLines(path.join(dir, f)).map((e) => EngineEvent.parse(e)) }))
    : [];
};

describe('autodata CLI', function () {
  this.timeout(90_000);
  let ws: string;
  let server: ScriptedServer;
  let script: ReturnType<typeof scriptRoles>;

  async function serve(questions: ScriptedQuestion[], latency: Parameters<typeof scriptRoles>[1] = {}): Promise<void> {
    script = scriptRoles(questions, latency);
    server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: KEY });
  }
  function writeConfig(extra: Record<string, unknown> = {}, name = 'autodata.json'): string {
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(path.join(ws, name), JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles, ...extra }, null, 2));
    return name;
  }

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-cli-'));
    fs.writeFileSync(path.join(ws, 'a.md'), DOC_A);
    fs.writeFileSync(path.join(ws, 'b.md'), DOC_B);
  });
  afterEach(async () => {
    await server?.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  describe('generate', () => {
    it('runs every section of every file and writes dataset records and one journal per file', async () => {
      await serve([GOOD]);
      const c = capture(ws);
      const code = await main(['generate', 'a.md', 'b.md', '--config', writeConfig()], c.io);
      assert.equal(code, 0, c.err());
      const records = readLines(path.join(ws, '.autodata', 'dataset.jsonl')).map((r) => DatasetRecord.parse(r));
      assert.equal(records.length, 5);
      for (const r of records) {
        const text = r.source.path === 'a.md' ? DOC_A : DOC_B;
        assert.equal(text.slice(r.source.range.start, r.source.range.end), r.source.quote);
        assert.equal(r.models.weak, MODELS.weak);
      }
      const runs = journals(ws);
      assert.equal(runs.length, 2);
      for (const { events } of runs) {
        const started = events[0] as EventOf<'run_started'>;
        assert.equal(started.type, 'run_started');
        const last = events.at(-1) as EventOf<'run_finished'>;
        assert.equal(last.type, 'run_finished');
        assert.equal(last.outcome, 'completed');
        const accepted = events.filter((e): e is EventOf<'item_accepted'> => e.type === 'item_accepted').map((e) => e.record.id);
        assert.deepEqual(
          accepted,
          records.filter((r) => r.source.path === started.document.path).map((r) => r.id),
        );
      }
      assert.match(c.out(), /5 accepted, 0 for review/);
      assert.ok(
        server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`),
        'the key from AUTODATA_API_KEY is sent',
      );
    });

    it('draws one progress line in place on a terminal', async () => {
      await serve([GOOD]);
      const c = capture(ws, { tty: true, columns: 100 });
      assert.equal(await main(['generate', 'a.md', '--config', writeConfig()], c.io), 0, c.err());
      const out = c.out();
      assert.match(out, /\r\x1b\[2K\[#{20}\] 3\/3 sections · 3 accepted/);
      assert.doesNotMatch(out, /attempt 1\n/, 'no line per attempt on a terminal');
      assert.equal(out.match(/\n/g)?.length, 5, 'three accepted items, the summary and the tokens line stay as lines');
      const bars = out.split('\r\x1b[2K').filter((piece) => piece.startsWith('['));
      assert.ok(bars.length >= 3 && bars.every((bar) => bar.length < 100 && !bar.includes('\n')), 'the bar fits the width');
    });

    it('reads a PDF through its extracted text, which the records then point to', async () => {
      await serve([GOOD]);
      fs.copyFileSync(path.resolve(__dirname, '../../fixtures/workspace/curriculum.pdf'), path.join(ws, 'curriculum.pdf'));
      const c = capture(ws);
      assert.equal(await main(['generate', 'curriculum.pdf', '--config', writeConfig()], c.io), 0, c.err());
      const text = fs.readFileSync(path.join(ws, '.autodata', 'sources', 'curriculum.pdf.txt'), 'utf8');
      const records = readLines(path.join(ws, '.autodata', 'dataset.jsonl')).map((r) => DatasetRecord.parse(r));
      assert.ok(records.length >= 1);
      for (const r of records) {
        assert.equal(r.source.path, '.autodata/sources/curriculum.pdf.txt');
        // The scripted Challenger joins the quote's lines with spaces; the range covers the text as extracted.
        const flat = (x: string) => x.replace(/\s+/g, ' ');
        assert.equal(flat(text.slice(r.source.range.start, r.source.range.end)), flat(r.source.quote));
      }
    });

    it('with --shard i/n splits the sections between processes: no overlap, full coverage', async () => {
      await serve([GOOD]);
      const config = writeConfig();
      for (const i of [1, 2]) {
        const c = capture(ws);
        // Files in a different order on each "machine": the shards must not depend on it.
        const files = i === 1 ? ['a.md', 'b.md'] : ['b.md', 'a.md'];
        assert.equal(await main(['generate', ...files, '--config', config, '--shard', `${i}/2`, '--dataset', `.autodata/shard${i}.jsonl`], c.io), 0, c.err());
      }
      const byShard = new Map<string, Set<string>>();
      for (const { name, events } of journals(ws)) {
        const shard = /-s(\d)of2\.jsonl$/.exec(name)?.[1];
        assert.ok(shard, name);
        const started = events[0] as EventOf<'run_started'>;
        const set = byShard.get(shard) ?? new Set();
        for (const t of started.targets) {
          set.add(`${started.document.path}@${t.range.start}-${t.range.end}`);
        }
        byShard.set(shard, set);
      }
      const all = [
        ['a.md', DOC_A],
        ['b.md', DOC_B],
      ].flatMap(([p, text]) => splitSections(text).map((t) => `${p}@${t.range.start}-${t.range.end}`));
      const [one, two] = [byShard.get('1')!, byShard.get('2')!];
      assert.equal([...one].filter((x) => two.has(x)).length, 0, 'no section in both shards');
      assert.deepEqual([...one, ...two].sort(), [...all].sort(), 'together they cover every section');
      assert.deepEqual([one.size, two.size], [3, 2]);
      const s1 = readLines(path.join(ws, '.autodata', 'shard1.jsonl'));
      const s2 = readLines(path.join(ws, '.autodata', 'shard2.jsonl'));
      assert.equal(s1.length + s2.length, 5);
    });

    it('deals sections round-robin across files', () => {
      const src = (docPath: string, n: number): Source => ({
        docPath,
        text: '',
        targets: Array.from({ length: n }, (_, i) => ({ id: `s${i + 1}`, title: '', range: { start: i, end: i + 1 }, text: '' })),
      });
      const sources = [src('a', 3), src('b', 1), src('c', 2)];
      const ids = (s: Source[]) => s.flatMap((x) => x.targets.map((t) => `${x.docPath}${t.id}`));
      assert.deepEqual(ids(shardOf(sources, { index: 1, count: 3 })), ['as1', 'bs1']);
      assert.deepEqual(ids(shardOf(sources, { index: 2, count: 3 })), ['as2', 'cs1']);
      assert.deepEqual(ids(shardOf(sources, { index: 3, count: 3 })), ['as3', 'cs2']);
      assert.deepEqual(
        shardOf(sources, { index: 2, count: 6 }).map((s) => s.docPath),
        ['a'],
        'a file without a section of its own drops out',
      );
      assert.deepEqual(ids(shardOf(sources, undefined)), ids(sources));
    });

    it('refuses a config that holds an API key, naming the field and not the value, before any request', async () => {
      await serve([GOOD]);
      for (const extra of [
        { apiKey: 'sk-live-0123456789abcdefghij' },
        { roles: { weak: { model: MODELS.weak, api_key: 'x' } } },
        { endpoint: { baseURL: server.baseURL, Authorization: 'x' } },
      ]) {
        const c = capture(ws);
        const config = writeConfig(extra);
        assert.equal(await main(['generate', 'a.md', '--config', config], c.io), 1);
        assert.match(c.err(), /credential field/);
        assert.match(c.err(), /AUTODATA_API_KEY/);
        assert.doesNotMatch(c.err(), /sk-live/);
      }
      assert.equal(server.requests.length, 0);
      assert.equal(fs.existsSync(path.join(ws, '.autodata', 'dataset.jsonl')), false);
    });

    it('exits non-zero with a clear message on a typo, a missing key, a missing file or wrong usage', async () => {
      await serve([GOOD]);
      const cases: Array<[string[], Record<string, unknown>, Record<string, string | undefined>, number, RegExp]> = [
        [['generate', 'a.md'], { maxIteration: 3 }, { AUTODATA_API_KEY: KEY }, 1, /unknown setting maxIteration/],
        [['generate', 'a.md'], { roles: { weak: { modle: 'x' } } }, { AUTODATA_API_KEY: KEY }, 1, /unknown setting roles\.weak\.modle/],
        [
          ['generate', 'a.md'],
          { endpoint: { baseURL: 'https://api.example.com/v1' } },
          { OPENAI_API_KEY: 'sk-openai' },
          1,
          /no API key for https:\/\/api\.example\.com.*AUTODATA_API_KEY/,
        ],
        [['generate', 'missing.md'], {}, { AUTODATA_API_KEY: KEY }, 1, /cannot read .*missing\.md: no such file/],
        [['generate', 'a.md', '--shard', '3/2'], {}, { AUTODATA_API_KEY: KEY }, 2, /--shard takes i\/n/],
        [['generate', 'a.md', '--bogus'], {}, { AUTODATA_API_KEY: KEY }, 2, /unknown option --bogus/],
        [['frobnicate'], {}, {}, 2, /unknown command "frobnicate"/],
        [['generate', 'a.md', '--dataset', '../outside.jsonl'], {}, { AUTODATA_API_KEY: KEY }, 1, /outside the workspace/],
      ];
      for (const [argv, extra, env, code, message] of cases) {
        const c = capture(ws, { env });
        const withConfig = argv[0] === 'generate' ? [...argv, '--config', writeConfig(extra)] : argv;
        assert.equal(await main(withConfig, c.io), code, `${argv.join(' ')}: ${c.err()}`);
        assert.match(c.err(), message);
      }
      assert.equal(await main(['generate', 'a.md'], capture(ws).io), 2, '--config is required');
      assert.equal(server.requests.length, 0);
    });

    it('exits 1 with the run error when a model cannot be used, starting no further file', async () => {
      await serve([GOOD]);
      const more = ['c', 'd', 'e', 'f', 'g', 'h'];
      for (const x of more) {
        fs.writeFileSync(path.join(ws, `${x}.md`), DOC_B.replace('Paper B', `Paper ${x.toUpperCase()}`));
      }
      const c = capture(ws);
      // A limit of one request: a few documents at once share its section slots; the rest wait for one to end.
      const config = writeConfig({
        requestConcurrency: 1,
        roles: { ...Object.fromEntries(Object.entries(MODELS).map(([r, m]) => [r, { model: m }])), weak: { model: 'no-such-model' } },
      });
      assert.equal(await main(['generate', 'a.md', 'b.md', ...more.map((x) => `${x}.md`), '--config', config], c.io), 1);
      assert.match(c.err(), /error: run .* failed: .*does not know this model/);
      const started = journals(ws).length;
      assert.ok(started >= 2 && started < 8, `${started} of 8 documents started: none after the failure`);
    });

    it('prints a resume command that finds the run again: the workspace and dataset it was given go with it', async () => {
      await serve([GOOD], { solverLatencyMs: 300 });
      const config = writeConfig();
      fs.mkdirSync(path.join(ws, 'work'));
      const stop = new AbortController();
      const c = capture(ws, { signal: stop.signal }, (t) => {
        if (/attempt 1/.test(t)) {
          stop.abort();
        }
      });
      assert.equal(await main(['generate', 'a.md', '--config', config, '--workspace', 'work', '--dataset', 'data/items.jsonl'], c.io), 130);
      const hint = /resume with: (autodata resume .*)$/m.exec(c.err())?.[1];
      assert.equal(hint, 'autodata resume --config autodata.json --workspace work --dataset data/items.jsonl');
      // The printed command, as a person would paste it, finishes the run.
      const r = capture(ws);
      assert.equal(await main(hint!.split(' ').slice(1), r.io), 0, r.err());
      assert.ok(readLines(path.join(ws, 'work', 'data', 'items.jsonl')).length >= 1);
    });

    it('stops every document running at once on Ctrl-C, each journal ending in run_finished "stopped", and resume finishes them', async () => {
      await serve([GOOD], { solverLatencyMs: 300 });
      const config = writeConfig();
      const stop = new AbortController();
      const c = capture(ws, { signal: stop.signal }, (t) => {
        if (/attempt 1/.test(t)) {
          stop.abort();
        }
      });
      assert.equal(await main(['generate', 'a.md', 'b.md', '--config', config], c.io), 130);
      assert.match(c.err(), /resume with: autodata resume --config autodata\.json/);
      let runs = journals(ws);
      assert.equal(runs.length, 2, 'both documents ran at once');
      for (const run of runs) {
        const last = run.events.at(-1) as EventOf<'run_finished'>;
        assert.equal(last.type, 'run_finished');
        assert.equal(last.outcome, 'stopped');
      }

      const r = capture(ws);
      assert.equal(await main(['resume', '--config', config], r.io), 0, r.err());
      runs = journals(ws);
      for (const run of runs) {
        const finished = run.events.filter((e): e is EventOf<'run_finished'> => e.type === 'run_finished');
        assert.deepEqual(
          finished.map((e) => e.outcome),
          ['stopped', 'completed'],
        );
      }
      const records = readLines(path.join(ws, '.autodata', 'dataset.jsonl')).map((x) => DatasetRecord.parse(x));
      assert.equal(records.length, 5, 'every section of a.md and b.md, each once');
      assert.equal(new Set(records.map((x) => x.id)).size, 5);
      const again = capture(ws);
      assert.equal(await main(['resume', '--config', config], again.io), 0);
      assert.match(again.out(), /no interrupted run/);
    });

    it('resume with nothing to resume still writes the items a finished run journaled but never got into the dataset', async () => {
      await serve([GOOD]);
      const config = writeConfig();
      const c = capture(ws);
      assert.equal(await main(['generate', 'a.md', '--config', config], c.io), 0, c.err());
      const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
      const written = readLines(dataset).map((x) => DatasetRecord.parse(x).id);
      assert.ok(written.length > 0);
      // As after a hard kill between the journal's last lines and the dataset's: the journal has the items, the dataset not.
      fs.writeFileSync(dataset, '');
      const r = capture(ws);
      assert.equal(await main(['resume', '--config', config], r.io), 0, r.err());
      assert.match(
        r.out(),
        new RegExp(`no interrupted run to resume in this workspace; ${written.length} accepted item\\(s\\) from finished runs' journals written`),
      );
      assert.deepEqual(
        readLines(dataset)
          .map((x) => DatasetRecord.parse(x).id)
          .sort(),
        [...written].sort(),
      );
    });

    it('runs the documents at once, sharing one request limit', async () => {
      await serve([GOOD], { solverLatencyMs: 200 });
      const c = capture(ws);
      assert.equal(await main(['generate', 'a.md', 'b.md', '--config', writeConfig({ requestConcurrency: 2 })], c.io), 0, c.err());
      // Each document's run began before the other's ended (its own journal's first and last events say when).
      const spans = journals(ws).map(({ events }) => ({ start: Date.parse(events[0].at), end: Date.parse(events.at(-1)!.at) }));
      assert.equal(spans.length, 2);
      assert.ok(spans[0].start <= spans[1].end && spans[1].start <= spans[0].end, `the two runs overlapped: ${JSON.stringify(spans)}`);
      assert.ok(server.maxInFlightSeen <= 2, `at most the shared limit of 2 requests at once (saw ${server.maxInFlightSeen})`);
      assert.match(c.out(), /5 accepted/);
    });

    it('stops cleanly on SIGINT as a child process (exit 130, journal ends "stopped")', async () => {
      await serve([GOOD], { solverLatencyMs: 2000 });
      const config = writeConfig();
      const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN, 'generate', 'a.md', '--config', config], {
        cwd: ws,
        env: { ...process.env, AUTODATA_API_KEY: KEY, OPENAI_API_KEY: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (/attempt 1/.test(out)) {
            resolve();
          }
        });
        void exited.then(() => reject(new Error(`exited early: ${out}${err}`)));
      });
      // The solver request is in flight (2 s): the stop aborts it.
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      assert.equal(await exited, 130, err);
      assert.match(err, /Ctrl-C: stopping/);
      const [run] = journals(ws);
      const last = run.events.at(-1) as EventOf<'run_finished'>;
      assert.equal(last.type, 'run_finished');
      assert.equal(last.outcome, 'stopped');
    });
    it('survives a hard kill (SIGKILL) mid-run: resume finishes it and every accepted item is in the dataset exactly once', async () => {
      await serve([GOOD], { solverLatencyMs: 120 });
      // One request at a time, so the five items land one by one (the sections of both files share the slots).
      const config = writeConfig({ requestConcurrency: 1 });
      const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN, 'generate', 'a.md', 'b.md', '--config', config], {
        cwd: ws,
        env: { ...process.env, AUTODATA_API_KEY: KEY, OPENAI_API_KEY: '' },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
      const count = () => (fs.existsSync(dataset) ? fs.readFileSync(dataset, 'utf8').split('\n').filter(Boolean).length : 0);
      // Waits for the second item however loaded the machine is (the child also compiles the CLI first).
      for (let i = 0; i < 3000 && count() < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(count() >= 2 && count() < 5, `killed after ${count()} of 5 items`);
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const r = capture(ws);
      assert.equal(await main(['resume', '--config', config], r.io), 0, r.err());
      // b.md never started in the killed process: generate it, as the resume message says.
      if (!journals(ws).some((j) => (j.events[0] as EventOf<'run_started'>).document.path === 'b.md')) {
        const g = capture(ws);
        assert.equal(await main(['generate', 'b.md', '--config', config], g.io), 0, g.err());
      }
      const ids = readLines(dataset).map((x) => DatasetRecord.parse(x).id);
      assert.equal(ids.length, 5, `dataset ids: ${ids.join(', ')}`);
      assert.equal(new Set(ids).size, 5, 'no item twice');
    });
  });

  describe('export', () => {
    beforeEach(async () => {
      await serve([GOOD]);
      const c = capture(ws);
      assert.equal(await main(['generate', 'a.md', 'b.md', '--config', writeConfig()], c.io), 0, c.err());
    });

    it('writes SFT, GRPO and DPO files whose every line parses against its schema', async () => {
      const dataset = path.join('.autodata', 'dataset.jsonl');
      for (const [format, schema] of [
        ['sft', SftRow],
        ['grpo', GrpoRow],
        ['dpo', DpoRow],
      ] as const) {
        const c = capture(ws);
        assert.equal(await main(['export', dataset, '--format', format, '--out', `out/${format}.jsonl`], c.io), 0, c.err());
        const rows = readLines(path.join(ws, 'out', `${format}.jsonl`)).map((l) => schema.parse(l));
        assert.equal(rows.length, 5, format);
        assert.match(c.out(), new RegExp(`5 ${format} row\\(s\\)`));
      }
      const dpo = readLines(path.join(ws, 'out', 'dpo.jsonl')).map((l) => DpoRow.parse(l));
      for (const row of dpo) {
        assert.match(JSON.stringify(row.chosen), /STRONG#1 answer/);
        assert.match(JSON.stringify(row.rejected), /WEAK#0 answer/);
      }
      assert.deepEqual(fs.readdirSync(path.join(ws, 'out')).sort(), ['dpo.jsonl', 'grpo.jsonl', 'sft.jsonl'], 'no temporary files left');
    });

    it('leaves out near-duplicate questions with --dedupe', async () => {
      // Four items ask the first one's question again under a new label ("Q1: …", "Q2: …").
      const lines = readLines(path.join(ws, '.autodata', 'dataset.jsonl')) as Array<{ question: string }>;
      const base = lines[0].question.replace(/^Q\d+:\s*/, '');
      fs.writeFileSync(path.join(ws, 'dups.jsonl'), lines.map((r, i) => JSON.stringify({ ...r, question: `Q${i + 1}: ${base}` })).join('\n') + '\n');
      const c = capture(ws);
      assert.equal(await main(['export', 'dups.jsonl', '--format', 'sft', '--out', 'sft.jsonl', '--dedupe', '0.6'], c.io), 0, c.err());
      assert.equal(readLines(path.join(ws, 'sft.jsonl')).length, 1);
      assert.match(c.err(), /4 near-duplicate question\(s\) left out/);
    });

    it('says where the journals are missing for DPO, and refuses to overwrite the dataset', async () => {
      fs.renameSync(path.join(ws, '.autodata', 'runs'), path.join(ws, 'elsewhere'));
      const c = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'dpo', '--out', 'dpo.jsonl'], c.io), 1);
      assert.match(c.err(), /--journals/);
      const d = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'dpo', '--out', 'dpo.jsonl', '--journals', 'elsewhere'], d.io), 0, d.err());
      assert.equal(readLines(path.join(ws, 'dpo.jsonl')).length, 5);
      const e = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'sft', '--out', '.autodata/dataset.jsonl'], e.io), 2);
      assert.equal(readLines(path.join(ws, '.autodata', 'dataset.jsonl')).length, 5);
    });
  });

  describe('export as a dataset repository', () => {
    const PRICES = {
      'challenger-model': { prompt: 3, completion: 15 },
      'quality-model': { prompt: 1, completion: 2 },
      'weak-model': { prompt: 0.1, completion: 0.2 },
      'strong-model': { prompt: 2, completion: 8 },
      'judge-model': { prompt: 1, completion: 4 },
    };
    const frontMatter = (card: string): Record<string, unknown> => {
      const m = /^---\n([\s\S]*?)\n---\n/.exec(card);
      assert.ok(m, 'the card starts with a YAML block');
      return yaml.load(m[1]) as Record<string, unknown>;
    };
    const journalsUsage = (dir: string) => {
      const totals = { prompt: 0, completion: 0, cost: 0 };
      for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
        const finished = readLines(path.join(dir, name))
          .map((l) => EngineEvent.parse(l))
          .filter((e): e is EventOf<'run_finished'> => e.type === 'run_finished')
          .at(-1)!;
        for (const [role, u] of Object.entries(finished.usage)) {
          const p = PRICES[MODELS[role as keyof typeof MODELS]];
          totals.prompt += u.promptTokens;
          totals.completion += u.completionTokens;
          totals.cost += (u.promptTokens * p.prompt + u.completionTokens * p.completion) / 1e6;
        }
      }
      return totals;
    };

    it('writes data/train.jsonl and a card whose metadata the Hub can read and whose provenance matches the data and journals', async () => {
      await serve([GOOD]);
      const g = capture(ws);
      assert.equal(await main(['generate', 'a.md', 'b.md', '--config', writeConfig({ prices: PRICES })], g.io), 0, g.err());
      const c = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'grpo', '--repo', 'hub/notes', '--name', 'Attention notes'], c.io), 0, c.err());
      const repo = path.join(ws, 'hub', 'notes');
      assert.deepEqual(fs.readdirSync(repo).sort(), ['README.md', 'data']);
      const card = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
      const meta = frontMatter(card);
      assert.equal(meta.pretty_name, 'Attention notes');
      assert.equal(meta.license, 'unknown');
      assert.deepEqual(meta.size_categories, ['n<1K']);
      assert.ok((meta.task_categories as string[]).includes('reinforcement-learning'));
      const configs = meta.configs as Array<{ config_name: string; data_files: Array<{ split: string; path: string }> }>;
      assert.equal(configs[0].data_files[0].split, 'train');
      const rows = readLines(path.join(repo, ...configs[0].data_files[0].path.split('/'))).map((l) => GrpoRow.parse(l));
      assert.equal(rows.length, 5, 'the data file the metadata names holds every item');

      for (const [file, items] of [
        ['a.md', 3],
        ['b.md', 2],
      ] as const) {
        const hash = crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(ws, file), 'utf8'))
          .digest('hex');
        assert.match(card, new RegExp(`\\| [^|]*${file.replace('.', '\\.')} \\| \`${hash}\` \\| ${items} \\|`), `${file}: its hash and item count`);
      }
      assert.match(card, /\| weak \| `weak-model` \(5\) \|/);
      assert.match(card, /\| strong \| `strong-model` \(5\) \|/);
      assert.match(card, /5 by the acceptance rule, 0 by a person/);
      const used = journalsUsage(path.join(ws, '.autodata', 'runs'));
      assert.ok(
        card.includes(`${used.prompt.toLocaleString('en-US')} prompt and ${used.completion.toLocaleString('en-US')} completion tokens`),
        'tokens from the journals',
      );
      assert.ok(card.includes(`Cost: ${used.cost.toFixed(4)}`), `cost at the configured prices: ${used.cost.toFixed(4)}`);
      // The scripted judge gives each weak rollout 0.3–0.5 and each strong 0.8–0.9: the bins say so.
      assert.match(card, /\| weak \| 0 \| 0 \| 0 \| 0 \| 5 \| 0 \| 0 \| 0 \| 0 \| 0 \|/);
      assert.match(card, /\| strong \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 5 \| 0 \|/);
    });

    it('says when cost is unknown, notes missing journals, and refuses a file where the folder should be', async () => {
      await serve([GOOD]);
      const g = capture(ws);
      assert.equal(await main(['generate', 'b.md', '--config', writeConfig()], g.io), 0, g.err());
      const c = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'sft', '--repo', 'hub'], c.io), 0, c.err());
      const card = fs.readFileSync(path.join(ws, 'hub', 'README.md'), 'utf8');
      assert.match(card, /Cost: unknown \(1 run\(s\) used a model without a price\)/);
      assert.equal(frontMatter(card).pretty_name, 'hub');

      fs.rmSync(path.join(ws, '.autodata', 'runs'), { recursive: true });
      const d = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'sft', '--repo', 'hub2'], d.io), 0, d.err());
      assert.match(d.err(), /1 run journal\(s\) not found/);
      assert.match(fs.readFileSync(path.join(ws, 'hub2', 'README.md'), 'utf8'), /were not available, so tokens and cost are not known/);

      fs.writeFileSync(path.join(ws, 'taken'), 'x');
      const e = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'sft', '--repo', 'taken'], e.io), 1);
      assert.match(e.err(), /is a file; a dataset repository is written into a folder/);
      assert.equal(fs.readFileSync(path.join(ws, 'taken'), 'utf8'), 'x');
      const u = capture(ws);
      assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', 'sft', '--repo', 'hub', '--out', 'x.jsonl'], u.io), 2);
    });
  });

  describe('job arrays', () => {
    const runCli = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN, ...args], {
          cwd: ws,
          env: { ...process.env, AUTODATA_API_KEY: KEY, OPENAI_API_KEY: '', ...env },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => resolve({ code, out, err }));
      });

    it('--shard auto: four processes of a Slurm array write their own parts, and merge combines them once each', async () => {
      await serve([GOOD]);
      const config = writeConfig();
      const results = await Promise.all(
        [1, 2, 3, 4].map((task) =>
          runCli(['generate', 'a.md', 'b.md', '--config', config, '--shard', 'auto'], {
            SLURM_ARRAY_TASK_ID: String(task),
            SLURM_ARRAY_TASK_MIN: '1',
            SLURM_ARRAY_TASK_COUNT: '4',
          }),
        ),
      );
      results.forEach((r, i) => assert.equal(r.code, 0, `task ${i + 1}: ${r.err}`));
      const parts = fs.readdirSync(path.join(ws, '.autodata', 'parts')).sort();
      assert.deepEqual(parts, ['dataset.1-of-4.jsonl', 'dataset.2-of-4.jsonl', 'dataset.3-of-4.jsonl', 'dataset.4-of-4.jsonl']);
      assert.equal(fs.existsSync(path.join(ws, '.autodata', 'dataset.jsonl')), false, 'no shard appended to the shared dataset');
      const c = capture(ws);
      assert.equal(await main(['merge'], c.io), 0, c.err());
      const merged = readLines(path.join(ws, '.autodata', 'dataset.jsonl')).map((l) => DatasetRecord.parse(l));
      assert.equal(merged.length, 5);
      assert.equal(new Set(merged.map((r) => r.id)).size, 5);
      // Every section of both files, once: the item set a single run makes.
      const sections = (text: string, file: string) => splitSections(text).map((t) => `${file}:${t.range.start}`);
      const covered = merged.map(
        (r) =>
          `${r.source.path}:${splitSections(r.source.path === 'a.md' ? DOC_A : DOC_B).find((t) => t.range.start <= r.source.range.start && r.source.range.end <= t.range.end)!.range.start}`,
      );
      assert.deepEqual(covered.sort(), [...sections(DOC_A, 'a.md'), ...sections(DOC_B, 'b.md')].sort());
      const again = capture(ws);
      assert.equal(await main(['merge'], again.io), 0, again.err());
      assert.match(again.out(), /5 item\(s\) from 4 part\(s\): 0 written/);
      assert.equal(readLines(path.join(ws, '.autodata', 'dataset.jsonl')).length, 5);
    });

    it('a folder stands for the documents below it, as the job-array examples in README pass it (papers/)', async () => {
      await serve([GOOD]);
      const papers = path.join(ws, 'papers');
      fs.mkdirSync(path.join(papers, 'sub'), { recursive: true });
      fs.mkdirSync(path.join(papers, '.git'), { recursive: true });
      fs.mkdirSync(path.join(papers, 'node_modules'), { recursive: true });
      fs.writeFileSync(path.join(papers, 'a.md'), DOC_A);
      fs.writeFileSync(path.join(papers, 'sub', 'b.md'), DOC_B);
      fs.writeFileSync(path.join(papers, '.git', 'HEAD.md'), DOC_B.replace('Paper B', 'Not a paper'));
      fs.writeFileSync(path.join(papers, 'node_modules', 'readme.md'), DOC_B.replace('Paper B', 'Not a paper'));
      fs.writeFileSync(path.join(papers, 'figure.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
      const c = capture(ws);
      assert.equal(await main(['generate', 'papers/', '--config', writeConfig()], c.io), 0, c.err());
      const items = readLines(path.join(ws, '.autodata', 'dataset.jsonl')).map((l) => DatasetRecord.parse(l));
      assert.deepEqual([...new Set(items.map((r) => r.source.path))].sort(), ['papers/a.md', 'papers/sub/b.md']);
      fs.mkdirSync(path.join(ws, 'empty'));
      const e = capture(ws);
      assert.equal(await main(['generate', 'empty', '--config', writeConfig()], e.io), 0);
      assert.match(e.err(), /skipped: \S*\/empty holds no document \(\.md, \.markdown, \.txt, \.tex, \.pdf\)/);
      assert.match(e.out(), /nothing to do/);
    });

    it('merge refuses an id with two different items, and writes nothing', async () => {
      await serve([GOOD]);
      const c = capture(ws);
      assert.equal(await main(['generate', 'b.md', '--config', writeConfig(), '--shard', '1/1', '--dataset', 'p1.jsonl'], c.io), 0, c.err());
      const [first, ...rest] = readLines(path.join(ws, 'p1.jsonl')) as Array<Record<string, unknown>>;
      fs.writeFileSync(path.join(ws, 'p2.jsonl'), `${JSON.stringify({ ...first, question: `${String(first.question)} (edited)` })}\n`);
      const m = capture(ws);
      assert.equal(await main(['merge', 'p1.jsonl', 'p2.jsonl', '--out', 'all.jsonl'], m.io), 1);
      assert.match(m.err(), new RegExp(`item ${String(first.id)} differs between p1\\.jsonl and p2\\.jsonl; nothing was merged`));
      assert.equal(fs.existsSync(path.join(ws, 'all.jsonl')), false);
      assert.ok(rest.length >= 1);
    });

    it('--shard auto says what a Kubernetes Indexed Job must set, and takes its index when it does', async () => {
      const u = capture(ws, { env: { AUTODATA_API_KEY: KEY, JOB_COMPLETION_INDEX: '2' } });
      assert.equal(await main(['generate', 'b.md', '--config', 'none.json', '--shard', 'auto'], u.io), 2);
      assert.match(u.err(), /set AUTODATA_SHARD_COUNT to the Job's completions/);
      assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '2', AUTODATA_SHARD_COUNT: '4' }), { index: 3, count: 4 });
      assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' }), { index: 1, count: 2 });
      assert.throws(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }), /shard 5 of 4/);
      assert.throws(() => shardFromEnv({}), /found no job array/);
    });
  });

  describe('summary', () => {
    it("ends with the run's tokens and calls, as its journals count them", async () => {
      await serve([GOOD]);
      const c = capture(ws);
      assert.equal(await main(['generate', 'b.md', '--config', writeConfig()], c.io), 0, c.err());
      const m = /^tokens: ([\d,]+) prompt, ([\d,]+) completion in ([\d,]+) call\(s\)$/m.exec(c.out());
      assert.ok(m, c.out());
      const [run] = journals(ws);
      const finished = run.events.at(-1) as EventOf<'run_finished'>;
      const total = (k: 'promptTokens' | 'completionTokens' | 'calls') => Object.values(finished.usage).reduce((a, u) => a + u[k], 0);
      assert.deepEqual(
        m.slice(1).map((x) => Number(x.replace(/,/g, ''))),
        [total('promptTokens'), total('completionTokens'), total('calls')],
      );
    });
  });

  describe('remeasure', () => {
    // A new checkpoint that has learned the odd-numbered questions: it answers those as the strong model does, the others
    // as the old weak model; the scripted judge grades whatever facts the answer states.
    const CKPT = 'ckpt-model';
    const learnedOdd = (): void => {
      server.setResponder((req, ctx) => {
        if (req.model !== CKPT) {
          return script.respond(req, ctx);
        }
        const id = Number(/Q(\d+)/.exec(JSON.stringify(req.messages))?.[1]);
        return script.respond({ ...req, model: id % 2 === 1 ? MODELS.strong : MODELS.weak }, ctx);
      });
    };
    const ckptConfig = (extra: Record<string, unknown> = {}) => {
      const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model: role === 'weak' ? CKPT : model }]));
      fs.writeFileSync(path.join(ws, 'ckpt.json'), JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles, ...extra }, null, 2));
      return 'ckpt.json';
    };
    const idOf = (question: string) => Number(/^Q(\d+)/.exec(question)![1]);

    beforeEach(async () => {
      await serve([GOOD]);
      const g = capture(ws);
      assert.equal(await main(['generate', 'a.md', 'b.md', '--config', writeConfig()], g.io), 0, g.err());
      learnedOdd();
    });

    it('measures every item against the new weak model, keeps its scores under the label, and writes the still-learnable subset', async () => {
      const c = capture(ws);
      assert.equal(await main(['remeasure', '--config', ckptConfig(), '--label', 'step-100', '--out', 'learnable.jsonl'], c.io), 0, c.err());
      const items = readLines(path.join(ws, '.autodata', 'dataset.jsonl')).map((l) => DatasetRecord.parse(l));
      const results = readLines(path.join(ws, '.autodata', 'remeasure', 'step-100.jsonl')) as Array<{
        id: string;
        status: string;
        mean: number;
        label: string;
        model: string;
        before: number;
      }>;
      assert.equal(results.length, 5);
      for (const item of items) {
        const r = results.find((x) => x.id === item.id)!;
        assert.equal(r.model, CKPT);
        assert.equal(r.before, item.scores.weak.mean);
        const learned = idOf(item.question) % 2 === 1;
        assert.equal(r.status, learned ? 'too_easy' : 'learnable', `${item.question.slice(0, 4)}: mean ${r.mean}`);
        assert.ok(learned ? r.mean > 0.65 : r.mean <= 0.65);
      }
      const odd = items.filter((i) => idOf(i.question) % 2 === 1).length;
      const kept = readLines(path.join(ws, 'learnable.jsonl')).map((l) => DatasetRecord.parse(l));
      assert.deepEqual(
        kept.map((k) => k.id),
        items.filter((i) => idOf(i.question) % 2 === 0).map((i) => i.id),
      );
      assert.match(c.out(), new RegExp(`5 item\\(s\\): ${5 - odd} still learnable, ${odd} too easy now`));
    });

    it('goes on where a stopped re-measure ended, measuring only what is missing', async () => {
      const stop = new AbortController();
      let seen = 0;
      const c = capture(ws, { signal: stop.signal }, (t) => {
        if (/^ {2}\d+\/5 /m.test(t) && ++seen === 2) {
          stop.abort();
        }
      });
      // One request at a time, so the stop falls between items.
      assert.equal(await main(['remeasure', '--config', ckptConfig({ requestConcurrency: 1 }), '--label', 'step-100'], c.io), 130, c.err());
      assert.match(c.err(), /run the same command again to go on/);
      const first = readLines(path.join(ws, '.autodata', 'remeasure', 'step-100.jsonl')).length;
      assert.ok(first >= 2 && first < 5, `${first} measured before the stop`);
      const before = server.requests.filter((r) => r.model === CKPT).length;
      const d = capture(ws);
      assert.equal(await main(['remeasure', '--config', ckptConfig(), '--label', 'step-100'], d.io), 0, d.err());
      const lines = readLines(path.join(ws, '.autodata', 'remeasure', 'step-100.jsonl')) as Array<{ id: string }>;
      assert.equal(new Set(lines.map((l) => l.id)).size, 5);
      assert.equal(lines.length, 5, 'no item measured twice');
      const solved = server.requests.filter((r) => r.model === CKPT).length - before;
      assert.ok(solved >= 5 - first && solved <= (5 - first) * 3, `${solved} solver request(s) for ${5 - first} item(s)`);
      assert.match(d.out(), new RegExp(`\\(${first} from an earlier run of this label\\)`));
    });

    it('refuses a label that is not a file name, without writing anything', async () => {
      const c = capture(ws);
      assert.equal(await main(['remeasure', '--config', ckptConfig(), '--label', '../x'], c.io), 1);
      assert.match(c.err(), /a model label is letters, digits/);
      assert.equal(fs.existsSync(path.join(ws, '.autodata', 'remeasure')), false);
      const u = capture(ws);
      assert.equal(await main(['remeasure', '--config', ckptConfig()], u.io), 2);
    });
  });

  describe('leakage checks', () => {
    const BENCH = 'Which of the following best describes the role of the global tokens in a sparse transformer layer?';
    const allFacts = (n: number) => Array.from({ length: 10 }, (_, i) => fact(n, i + 1)).join(', ');

    it('refuses, before any solver call, a question that repeats a named benchmark or states its own answer, and tells the Challenger why', async () => {
      await serve([
        { ...GOOD, questionText: `${BENCH} Explain.` },
        { ...GOOD, questionText: `Given the reference answer for Q2: ${allFacts(2)}, explain it.` },
        GOOD,
      ]);
      fs.mkdirSync(path.join(ws, 'bench'));
      fs.writeFileSync(path.join(ws, 'bench', 'mmlu.jsonl'), `${JSON.stringify({ question: BENCH, choices: ['A', 'B'] })}\n`);
      const c = capture(ws);
      assert.equal(await main(['generate', 'b.md', '--config', writeConfig({ benchmarkFiles: ['bench/mmlu.jsonl'] })], c.io), 0, c.err());
      const journal = fs.readdirSync(path.join(ws, '.autodata', 'runs')).find((n) => n.endsWith('.jsonl'))!;
      const events = readLines(path.join(ws, '.autodata', 'runs', journal)).map((l) => EngineEvent.parse(l));
      const verdicts = events.filter((e): e is EventOf<'verdict'> => e.type === 'verdict');
      const challenges = events.filter((e): e is EventOf<'challenge'> => e.type === 'challenge');
      const verdictOf = (q: string) => verdicts.find((v) => v.attemptId === challenges.find((ch) => ch.challenge.question.startsWith(q))!.attemptId)!;
      assert.equal(verdictOf('Q1:').verdict.kind, 'quality_failed');
      assert.match(verdictOf('Q1:').verdict.reasons.join(' '), /repeats 13 consecutive words of the benchmark mmlu\.jsonl/);
      assert.equal(verdictOf('Q2:').verdict.kind, 'quality_failed');
      assert.match(verdictOf('Q2:').verdict.reasons.join(' '), /already states 100% of the reference answer/);
      const solverAsked = server.requests.filter((r) => r.model === MODELS.weak || r.model === MODELS.strong).map((r) => JSON.stringify(r.messages));
      assert.ok(!solverAsked.some((m) => /Q[12]:/.test(m)), 'no solver saw a refused question');
      assert.ok(
        script.challengerPrompts.slice(1).some((p) => p.includes('mmlu.jsonl')),
        'the Challenger is told which benchmark it repeated',
      );
      assert.equal(readLines(path.join(ws, '.autodata', 'dataset.jsonl')).length, 2);
    });

    it('stops at once, naming the setting, when a benchmark file cannot be read or is a pipe', async () => {
      await serve([GOOD]);
      const c = capture(ws);
      assert.equal(await main(['generate', 'b.md', '--config', writeConfig({ benchmarkFiles: ['missing.jsonl'] })], c.io), 1);
      assert.match(c.err(), /the benchmark file .*missing\.jsonl cannot be read \(no such file\)/);
      execFileSync('mkfifo', [path.join(ws, 'pipe')]);
      const d = capture(ws);
      assert.equal(await main(['generate', 'b.md', '--config', writeConfig({ benchmarkFiles: ['pipe'] })], d.io), 1);
      assert.match(d.err(), /is not a regular file/);
      assert.equal(server.requests.length, 0, 'no model call');
    });
  });

  describe('pieces', () => {
    it('parses options, values and positionals', () => {
      const a = parseArgs(['x.md', '--out=o.jsonl', '--format', 'sft', '--', '--literal'], { values: ['out', 'format'] });
      assert.deepEqual(a.positionals, ['x.md', '--literal']);
      assert.equal(a.values.get('out'), 'o.jsonl');
      assert.equal(a.values.get('format'), 'sft');
      assert.throws(() => parseArgs(['--format'], { values: ['format'] }), UsageError);
      assert.throws(() => parseArgs(['--format', '--out', 'x'], { values: ['format', 'out'] }), /needs a value/);
      assert.throws(() => parseArgs(['--out', 'a', '--out', 'b'], { values: ['out'] }), /twice/);
      assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
      assert.throws(() => parseShard('0/4'), UsageError);
      assert.throws(() => parseShard('1-4'), UsageError);
    });

    it("fills defaults, applies the shared endpoint and keeps the non-sampling roles' temperatures", () => {
      const s = settingsFrom(
        {
          endpoint: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', temperature: 0.7 },
          roles: { judge: { model: 'big' } },
          policyPreset: 'paperMainText',
          policy: { minGap: 0.3 },
          rollouts: { weak: 5 },
        },
        '/tmp/x',
      );
      const d = defaultEngineConfig();
      assert.equal(s.engine.roles.weak.temperature, 0.7);
      assert.equal(s.engine.roles.judge.temperature, d.roles.judge.temperature);
      assert.equal(s.engine.roles.judge.model, 'big');
      assert.equal(s.engine.roles.challenger.model, 'm');
      assert.equal(s.engine.policy.weakMeanMax, 0.5);
      assert.equal(s.engine.policy.minGap, 0.3);
      assert.deepEqual(s.engine.rollouts, { weak: 5, strong: 3 });
      assert.equal(s.workspace, '/tmp/x');
      assert.equal(s.datasetPath, '.autodata/dataset.jsonl');
      assert.throws(() => settingsFrom({ maxIterations: 0 }, '/tmp'), /maxIterations/);
      assert.throws(() => settingsFrom([], '/tmp'), /JSON object/);
      assert.throws(() => settingsFrom({ roles: { weak: 'gpt-4o' } }, '/tmp'), /roles\.weak must be an object/);
    });

    it('finds credentials by field name or by value, and not in ordinary token settings', () => {
      assert.match(findSecret({ roles: { weak: { apiKey: 'x' } } }) ?? '', /roles\.weak\.apiKey/);
      assert.match(findSecret({ OPENAI_API_KEY: 'x' }) ?? '', /credential/);
      assert.match(findSecret({ note: 'sk-abcdefghijklmnopqrstuvwx' }) ?? '', /looks like an API key/);
      assert.match(findSecret({ endpoint: { baseURL: 'https://user:pw@host/v1' } }) ?? '', /password in the URL/);
      assert.equal(findSecret({ budget: { tokens: 1000 }, roles: { weak: { maxTokens: 64 } }, prices: { m: { prompt: 1, completion: 2 } } }), undefined);
    });

    it('sends OPENAI_API_KEY to api.openai.com only', () => {
      const engine = defaultEngineConfig();
      assert.equal(keysFor(engine, { OPENAI_API_KEY: 'o' }).get('https://api.openai.com'), 'o');
      engine.roles.judge.baseURL = 'https://judge.example/v1';
      assert.throws(() => keysFor(engine, { OPENAI_API_KEY: 'o' }), /no API key for https:\/\/judge\.example/);
      assert.equal(keysFor(engine, { OPENAI_API_KEY: 'o', AUTODATA_API_KEY: 'a' }).get('https://judge.example'), 'a');
      engine.roles.judge.baseURL = 'http://localhost:11434/v1';
      assert.equal(keysFor(engine, { OPENAI_API_KEY: 'o' }).get('http://localhost:11434'), '');
    });

    it('writes a file atomically, replacing the old one and leaving no temporary file, also on failure', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-atomic-'));
      try {
        const f = path.join(dir, 'out.jsonl');
        fs.writeFileSync(f, 'old\n');
        await writeFileAtomic(f, 'new\n');
        assert.equal(fs.readFileSync(f, 'utf8'), 'new\n');
        fs.mkdirSync(path.join(dir, 'taken'));
        fs.writeFileSync(path.join(dir, 'taken', 'x'), '');
        await assert.rejects(writeFileAtomic(path.join(dir, 'taken'), 'data'));
        assert.deepEqual(fs.readdirSync(dir).sort(), ['out.jsonl', 'taken']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

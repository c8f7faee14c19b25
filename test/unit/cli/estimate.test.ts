// `autodata estimate` against the scripted server: a pilot over a sample of the sections, kept as an ordinary run, and
// the whole run's figures extrapolated from what the pilot really spent.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../../src/cli/main';
import { attemptsPerSection } from '../../../src/run/estimate';
import { DatasetRecord } from '../../../src/shared/schemas';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const KEY = 'test-key-for-the-scripted-server';
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const EASY: ScriptedQuestion = { weak: [0.9, 0.9, 1], strong: [1, 1, 1] };

function section(title: string): string {
  return `## ${title}\n\n${title} is the subject of this section, which explains how it works. ${`The ${title.toLowerCase()} argument continues with more detail about its assumptions. `.repeat(6)}\n\n`;
}
const DOC_A = `# Paper A\n\n${section('Sparse attention')}${section('Global tokens')}${section('Local windows')}`;
const DOC_B = `# Paper B\n\n${section('Gradient noise')}${section('Batch size')}`;

describe('autodata estimate', function () {
  this.timeout(60_000);
  let ws: string;
  let server: ScriptedServer;

  beforeEach(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-estimate-'));
    fs.writeFileSync(path.join(ws, 'a.md'), DOC_A);
    fs.writeFileSync(path.join(ws, 'b.md'), DOC_B);
    // The first question the pilot asks is accepted, the second too easy: one item in two attempts.
    server = await startScriptedServer({ respond: scriptRoles([GOOD, EASY]).respond, models: Object.values(MODELS), apiKey: KEY });
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    const prices = Object.fromEntries(Object.values(MODELS).map((m) => [m, { prompt: 1, completion: 4 }]));
    fs.writeFileSync(path.join(ws, 'autodata.json'), JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles, prices, recipeEvery: 0 }));
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  function run(args: string[]) {
    let out = '';
    let err = '';
    const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: { AUTODATA_API_KEY: KEY }, cwd: ws };
    return main(['estimate', 'a.md', 'b.md', '--config', 'autodata.json', ...args], io).then((code) => ({ code, out, err }));
  }

  it('runs a pilot of two sections, one attempt each, and extrapolates the whole run with a range', async () => {
    const { code, out, err } = await run([]);
    assert.equal(code, 0, err);
    assert.match(out, /pilot: 2 of 5 section\(s\), at most 1 attempt\(s\) each; its items are kept in the dataset/);
    // The pilot's items are kept: the accepted one is in the dataset, each file's sample in its own run journal.
    const items = fs
      .readFileSync(path.join(ws, '.autodata', 'dataset.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.equal(items.length, 1);
    const journals = fs.readdirSync(path.join(ws, '.autodata', 'runs')).filter((f) => f.endsWith('.jsonl'));
    assert.equal(journals.length, 2, 'first and last section: one of each file');
    assert.ok(journals.includes(`${items[0].runId}.jsonl`), 'the item belongs to a pilot run');
    // The basis is what the pilot really spent: every request the server answered is one call.
    const calls = server.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
    assert.ok(calls > 0);
    assert.match(out, new RegExp(`Basis: a pilot of 2 section\\(s\\): 2 attempt\\(s\\), 1 item\\(s\\) \\(accepted or for review\\), ${calls} calls`));
    assert.match(out, /50% of the time \(95% CI 9–91%\)/);
    // 5 sections, at most 10 attempts each, at 1 in 2: 5 × 1.998 attempts, and calls in proportion.
    const attempts = 5 * attemptsPerSection(0.5, 10);
    assert.match(out, /Estimate for 5 section\(s\), at most 10 attempt\(s\) each:/);
    assert.match(out, new RegExp(`attempts ${Math.round(attempts)} \\(\\d+–\\d+\\)`));
    assert.match(out, new RegExp(`calls ${Math.round((calls * attempts) / 2)} \\(\\d+–\\d+\\)`));
    assert.match(out, /cost \d+\.\d+ \(\d+\.\d+–\d+\.\d+\) in the price table's units/);
  });

  it('takes the pilot size from the command line and refuses a bad one', async () => {
    const bad = await run(['--pilot-attempts', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--pilot-attempts takes a whole number from 1 to 100/);
    const one = await run(['--pilot-sections', '1', '--pilot-attempts', '2']);
    assert.equal(one.code, 0, one.err);
    // One section: the first attempt is accepted, so one attempt in all.
    assert.match(one.out, /pilot: 1 of 5 section\(s\), at most 2 attempt\(s\) each/);
    assert.match(one.out, /Basis: a pilot of 1 section\(s\): 1 attempt\(s\), 1 item\(s\)/);
  });
});

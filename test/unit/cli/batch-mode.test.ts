// `autodata generate --batch` against the scripted server's files and batches endpoints: the same accepted items as an
// interactive run, waves across sections, expiry and failed lines asked again, a bad combination refused, and a process
// killed mid-poll resumed by collecting its recorded batch instead of uploading its lines again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../../src/cli/main';
import { DatasetRecord } from '../../../src/shared/schemas';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const TOO_EASY: ScriptedQuestion = { weak: [0.9, 0.9, 0.9], strong: [0.9, 0.9, 0.9] };
const KEY = 'test-key-for-the-scripted-server';
const MAIN = path.resolve(__dirname, '../../../src/cli/main.ts');

function section(title: string): string {
  return `## ${title}\n\n${title} is the subject of this section, which explains how it works and why it matters. ${`The ${title.toLowerCase()} argument continues with more detail about its assumptions and trade-offs. `.repeat(6)}\n\n`;
}
const DOC_A = `# Paper A\n\n${section('Sparse attention')}${section('Global tokens')}${section('Local windows')}`;
const DOC_B = `# Paper B\n\n${section('Gradient noise')}${section('Batch size')}`;

function capture(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: { AUTODATA_API_KEY: KEY }, cwd },
    out: () => out,
    err: () => err,
  };
}
const records = (ws: string) =>
  fs
    .readFileSync(path.join(ws, '.autodata', 'dataset.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => DatasetRecord.parse(JSON.parse(l)));
const batchJournal = (ws: string) => {
  const f = path.join(ws, '.autodata', 'batches.jsonl');
  return fs.existsSync(f)
    ? fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; batchId: string; customIds?: string[] })
    : [];
};
/** Chat requests the server answered for batch lines, and those sent to it directly. */
const lineRequests = (s: ScriptedServer) => s.requests.filter((r) => r.path === '/v1/chat/completions' && r.headers['x-batch-line']);
const directRequests = (s: ScriptedServer) => s.requests.filter((r) => r.path === '/v1/chat/completions' && !r.headers['x-batch-line']);

describe('autodata generate --batch', function () {
  this.timeout(120_000);
  let ws: string;
  let server: ScriptedServer | undefined;

  async function serve(questions: ScriptedQuestion[], opts: { inProgressPolls?: number } = {}): Promise<ScriptedServer> {
    const script = scriptRoles(questions);
    server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: KEY, batchInProgressPolls: opts.inProgressPolls });
    return server;
  }
  function writeConfig(s: ScriptedServer, extra: Record<string, unknown> = {}): string {
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    const prices = Object.fromEntries(Object.values(MODELS).map((m) => [m, { prompt: 2, completion: 8 }]));
    fs.writeFileSync(path.join(ws, 'autodata.json'), JSON.stringify({ endpoint: { baseURL: s.baseURL, maxTokens: 512 }, roles, prices, ...extra }, null, 2));
    return 'autodata.json';
  }

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-batch-'));
    fs.writeFileSync(path.join(ws, 'a.md'), DOC_A);
    fs.writeFileSync(path.join(ws, 'b.md'), DOC_B);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('accepts the same items as an interactive run, sending every request as a batch line, in waves across sections', async () => {
    const questions = [GOOD, TOO_EASY, GOOD, GOOD, TOO_EASY, GOOD];
    // Interactive run first, in a workspace of its own.
    const plain = await serve(questions);
    const c1 = capture(ws);
    assert.equal(await main(['generate', 'a.md', 'b.md', '--config', writeConfig(plain)], c1.io), 0, c1.err());
    const interactive = records(ws);
    await plain.close();
    fs.rmSync(path.join(ws, '.autodata'), { recursive: true, force: true });

    const s = await serve(questions);
    const c = capture(ws);
    assert.equal(await main(['generate', 'a.md', 'b.md', '--config', writeConfig(s), '--batch', '--batch-poll', '0.02'], c.io), 0, c.err());
    const batched = records(ws);
    assert.equal(batched.length, interactive.length);
    const kind = (r: DatasetRecord) => `${r.source.path}:${r.source.range.start}:${r.scores.weak.mean}:${r.scores.strong.mean}:${r.rubric.length}`;
    assert.deepEqual(batched.map(kind).sort(), interactive.map(kind).sort());
    assert.equal(directRequests(s).length, 0, 'no chat request went to the endpoint outside a batch');
    const lines = lineRequests(s).length;
    assert.equal(
      s.batch.uploads.reduce((n, u) => n + u.customIds.length, 0),
      lines,
      'every answered line was uploaded once',
    );
    // Five sections in flight: each wave carries the requests of several of them.
    assert.ok(s.batch.uploads.length < lines / 2, `${s.batch.uploads.length} batches for ${lines} lines`);
    const journal = batchJournal(ws);
    assert.equal(journal.filter((e) => e.type === 'batch_submitted').length, s.batch.created.length);
    assert.equal(journal.filter((e) => e.type === 'batch_collected').length, s.batch.created.length);
    const summary = /cost (\d+\.\d+) at batch prices, (\d+\.\d+) as interactive calls \(saving (\d+\.\d)%\)/.exec(c.out());
    assert.ok(summary, c.out());
    assert.equal(summary[3], '50.0', 'half price by default');
    assert.match(c.out(), /batch mode: \d+ batch\(es\) in \d+ wave\(s\)/);
  });

  it('asks again, in the next wave, the lines an expired batch left and the lines that failed with a 5xx', async () => {
    const s = await serve([GOOD]);
    s.batch.expireNext(2);
    s.batch.failNextLines(2, 503);
    const c = capture(ws);
    assert.equal(await main(['generate', 'a.md', '--config', writeConfig(s), '--batch', '--batch-poll', '0.02'], c.io), 0, c.err());
    assert.equal(records(ws).length, 3);
    assert.match(c.out(), /\(\d+ asked again\)/);
    const ids = s.batch.uploads.flatMap((u) => u.customIds);
    assert.equal(new Set(ids).size, ids.length, 'a line asked again has an id of its own');
    assert.ok(ids.some((id) => /-r1$/.test(id)));
  });

  it('stops with the endpoint’s error when a line fails for good (401 in the line)', async () => {
    const s = await serve([GOOD]);
    s.batch.failNextLines(100, 401);
    const c = capture(ws);
    const code = await main(['generate', 'a.md', '--config', writeConfig(s), '--batch', '--batch-poll', '0.02'], c.io);
    assert.notEqual(code, 0);
    assert.match(c.err(), /401|key/i);
    assert.match(c.err(), /resume with: autodata resume --config autodata.json --batch/);
  });

  it('refuses --batch for a role on a VS Code language model, and --batch-poll without --batch', async () => {
    const s = await serve([GOOD]);
    const config = writeConfig(s, {
      roles: { ...Object.fromEntries(Object.entries(MODELS).map(([r, m]) => [r, { model: m }])), judge: { model: 'vscode-lm:copilot/gpt-4o' } },
    });
    const c = capture(ws);
    assert.equal(await main(['generate', 'a.md', '--config', config, '--batch'], c.io), 2);
    assert.match(c.err(), /--batch needs every role on an endpoint with the files and batches endpoints; roles\.judge uses vscode-lm:copilot\/gpt-4o/);
    const d = capture(ws);
    assert.equal(await main(['generate', 'a.md', '--config', config, '--batch-poll', '1'], d.io), 2);
    assert.match(d.err(), /--batch-poll applies only with --batch/);
    assert.equal(s.requests.length, 0, 'nothing was sent');
  });

  it('a process killed (SIGKILL) while polling is resumed by collecting its recorded batch, with no second upload of its lines', async () => {
    const s = await serve([GOOD]);
    const config = writeConfig(s);
    s.batch.hold(true);
    const child = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), MAIN, 'generate', 'a.md', '--config', config, '--batch', '--batch-poll', '0.05'],
      {
        cwd: ws,
        env: { ...process.env, AUTODATA_API_KEY: KEY, OPENAI_API_KEY: '' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    // Waits until the first batch is recorded and polled a few times (the child compiles the CLI first).
    for (let i = 0; i < 3000 && !(batchJournal(ws).length >= 1 && s.batch.polls >= 3); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const submitted = batchJournal(ws).filter((e) => e.type === 'batch_submitted');
    assert.equal(submitted.length, 1, 'the first wave is recorded before it is waited for');
    child.kill('SIGKILL');
    // A batch is recorded only once the run's journal holds what came before it, so the run can be resumed.
    const runs = path.join(ws, '.autodata', 'runs');
    assert.match(
      fs.readFileSync(
        path.join(
          runs,
          fs.readdirSync(runs).find((f) => f.endsWith('.jsonl'))!,
        ),
        'utf8',
      ),
      /"type":"run_started"/,
    );
    assert.equal(await exited, 'SIGKILL');
    const first = submitted[0];
    assert.equal(s.batch.uploads.length, 1);
    s.batch.hold(false);

    const r = capture(ws);
    assert.equal(await main(['resume', '--config', config, '--batch', '--batch-poll', '0.02'], r.io), 0, r.err());
    assert.match(r.err(), new RegExp(`collecting 1 batch\\(es\\) submitted before the stop: ${first.batchId}`));
    assert.equal(records(ws).length, 3);
    const later = s.batch.uploads.slice(1).flatMap((u) => u.customIds);
    const laterBodies = new Set(s.batch.uploads.slice(1).flatMap((u) => u.bodies));
    for (const id of first.customIds!) {
      assert.ok(!later.includes(id), `line ${id} was uploaded again`);
    }
    for (const body of s.batch.uploads[0].bodies) {
      assert.ok(!laterBodies.has(body), 'a request of the recorded batch was uploaded again');
    }
    // Each recorded line was answered once, by the batch the killed process submitted.
    assert.equal(lineRequests(s).filter((q) => first.customIds!.includes(String(q.headers['x-batch-line']))).length, first.customIds!.length);
    assert.ok(
      batchJournal(ws).some((e) => e.type === 'batch_collected' && e.batchId === first.batchId),
      'the recorded batch is collected',
    );
    assert.match(r.out(), /1 collected from before the stop/);
  });

  it('Ctrl-C while a batch is out: exits 130 saying the batch is still out, and resume --batch collects it', async () => {
    const s = await serve([GOOD]);
    const config = writeConfig(s);
    s.batch.hold(true);
    const stop = new AbortController();
    const c = capture(ws);
    const running = main(['generate', 'a.md', '--config', config, '--batch', '--batch-poll', '0.02'], { ...c.io, signal: stop.signal });
    while (!(batchJournal(ws).length >= 1 && s.batch.polls >= 2)) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    assert.equal(await running, 130);
    assert.match(c.out(), /batch batch_\w+: 3 line\(s\) submitted/);
    assert.match(c.out(), /1 still out \(recorded in \.autodata\/batches\.jsonl: resume --batch collects them\)/);
    assert.match(c.err(), /resume with: autodata resume --config autodata.json --batch/);
    s.batch.hold(false);
    // A new generate meanwhile leaves the recorded batch alone, and says so.
    fs.writeFileSync(path.join(ws, 'empty.md'), '');
    const g = capture(ws);
    assert.equal(await main(['generate', 'empty.md', '--config', config, '--batch', '--batch-poll', '0.02'], g.io), 0, g.err());
    assert.match(g.err(), /note: 1 batch\(es\) submitted before a stop are not collected; "autodata resume --batch" collects them/);
    const r = capture(ws);
    assert.equal(await main(['resume', '--config', config, '--batch', '--batch-poll', '0.02'], r.io), 0, r.err());
    assert.equal(records(ws).length, 3);
    const first = new Set(s.batch.uploads[0].bodies);
    assert.ok(
      s.batch.uploads.slice(1).every((u) => u.bodies.every((b) => !first.has(b))),
      'nothing of the first batch uploaded again',
    );
    assert.doesNotMatch(r.out(), /still out/);
  });
});

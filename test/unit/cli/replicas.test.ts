// Replicas in the CLI's config file: `replicas` next to `baseURL` (shared or per role), checked like any base URL, a key
// asked for every replica's host; and the built CLI over two scripted replicas: both serve the run, and when both go
// down the run waits, stops at the outage limit with exit 3, and the resume finishes it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, keysFor, settingsFrom } from '../../../src/cli/config';
import { DatasetRecord } from '../../../src/shared/schemas';
import { runBuiltCli } from '../../fakes/built-cli';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const ROOT = path.resolve(__dirname, '../../..');
const KEY = 'sk-test-replica-key-0123456789';
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const section = (name: string) => `## ${name}\n\n${`${name} is the subject of this section, which explains how it works and why it matters. `.repeat(6)}\n`;

describe('replicas in the CLI config', () => {
  it('reads replicas shared and per role; a role with its own base URL does not inherit the shared ones', () => {
    const s = settingsFrom(
      {
        endpoint: { baseURL: 'http://localhost:8000/v1', replicas: ['http://gpu2:8000/v1', 'http://gpu3:8000/v1'] },
        roles: { weak: { baseURL: 'http://localhost:8001/v1', model: 'small' }, judge: { replicas: ['http://gpu4:8000/v1'] } },
      },
      '/tmp',
    );
    assert.deepEqual(s.engine.roles.strong.replicas, ['http://gpu2:8000/v1', 'http://gpu3:8000/v1']);
    assert.equal(s.engine.roles.weak.replicas, undefined);
    assert.deepEqual(s.engine.roles.judge.replicas, ['http://gpu4:8000/v1']);
    assert.deepEqual(s.engine.roles.quality.replicas, ['http://gpu4:8000/v1'], 'the quality check follows the judge');
  });

  it('refuses a replica that is not a URL, or holds credentials', () => {
    assert.throws(
      () => settingsFrom({ endpoint: { baseURL: 'http://localhost:8000/v1', replicas: ['gpu2 port 8000'] } }, '/tmp'),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /replicas/);
        return true;
      },
    );
    assert.throws(
      () => settingsFrom({ endpoint: { baseURL: 'http://localhost:8000/v1', replicas: ['http://u:p@gpu2:8000/v1'] } }, '/tmp'),
      /user name or password/,
    );
  });

  it('asks a key for every replica host that is not local', () => {
    const s = settingsFrom({ endpoint: { baseURL: 'http://localhost:8000/v1', replicas: ['https://gpu2.example.com/v1'] } }, '/tmp');
    assert.throws(() => keysFor(s.engine, {}), /no API key for https:\/\/gpu2\.example\.com/);
    const keys = keysFor(s.engine, { AUTODATA_API_KEY: 'k' });
    assert.equal(keys.get('https://gpu2.example.com'), 'k');
    assert.equal(keys.get('http://localhost:8000'), 'k');
  });
});

const cli = (cwd: string, args: string[]) => runBuiltCli(cwd, args, KEY);

describe('the built CLI over two replicas', function () {
  this.timeout(90_000);
  let ws: string;
  const servers: Array<ScriptedServer | undefined> = [undefined, undefined];
  const ports = [0, 0];
  const seen: RecordedRequest[][] = [[], []];
  const script = scriptRoles([GOOD, GOOD, GOOD], { solverLatencyMs: 200, judgeLatencyMs: 100 });
  let downAtJudge = false;

  async function up(i: number): Promise<void> {
    servers[i] = await startScriptedServer({
      port: ports[i] || undefined,
      models: Object.values(MODELS),
      apiKey: KEY,
      respond: (req, ctx) => {
        if (ctx.choiceIndex === 0) {
          seen[i].push(req);
        }
        if (downAtJudge && req.model === MODELS.judge) {
          downAtJudge = false;
          void servers[0]!.close();
          void servers[1]!.close();
        }
        return script.respond(req, ctx);
      },
    });
    ports[i] = Number(new URL(servers[i]!.baseURL).port);
  }

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'out', 'cli.js'))) {
      throw new Error('out/cli.js is missing: run npm run build first');
    }
  });
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-replicas-'));
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s?.close().catch(() => undefined)));
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('spreads a run over both replicas; with both down it exits 3 at the outage limit, and the resume finishes', async () => {
    await up(0);
    await up(1);
    const url = (i: number) => `http://127.0.0.1:${ports[i]}/v1`;
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(
      path.join(ws, 'autodata.json'),
      JSON.stringify({ endpoint: { baseURL: url(0), replicas: [url(1)], maxTokens: 512 }, roles, targetConcurrency: 2, maxRetries: 0, outageLimitSeconds: 1 }),
    );
    fs.writeFileSync(path.join(ws, 'a.md'), `# Paper\n\n${section('Gradient noise')}\n${section('Warm-up schedules')}`);
    const first = await cli(ws, ['generate', 'a.md', '--config', 'autodata.json']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^2 accepted, 0 for review/m);
    const chat = (i: number) => seen[i].filter((r) => r.path === '/v1/chat/completions').length;
    assert.ok(chat(0) > 0 && chat(1) > 0, `both replicas served the run: ${chat(0)} and ${chat(1)} requests`);

    // Both replicas go down for good when the judge is first asked in the next run.
    fs.writeFileSync(path.join(ws, 'b.md'), `# Paper\n\n${section('Sparse experts')}`);
    downAtJudge = true;
    const second = await cli(ws, ['generate', 'b.md', '--config', 'autodata.json']);
    assert.equal(second.code, 3, second.err);
    const group = `127\\.0\\.0\\.1:${ports[0]}, 127\\.0\\.0\\.1:${ports[1]}`;
    assert.match(second.out, /b\.md: 127\.0\.0\.1:\d+ set aside \(.*\); its replicas take its requests/);
    assert.match(second.out, new RegExp(`b\\.md: waiting for ${group} \\(judge: .*\\), retrying in [\\d.]+ s`));
    assert.match(second.err, new RegExp(`Interrupted: ${group} has not answered`));
    assert.match(second.err, /resume with: autodata resume --config autodata\.json$/m);
    assert.ok(!`${second.out}${second.err}`.includes(KEY), 'the key appears nowhere');

    await up(0);
    await up(1);
    const third = await cli(ws, ['resume', '--config', 'autodata.json']);
    assert.equal(third.code, 0, third.err);
    assert.match(third.out, /^1 accepted, 0 for review/m);
    const records = fs
      .readFileSync(path.join(ws, '.autodata', 'dataset.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.equal(records.length, 3);
    assert.ok(
      records.every((r) => r.iterations === 1),
      'the outage used no iteration',
    );
  });
});

// The built CLI (node bin/autodata.js, after npm run build) against an endpoint that goes down for good mid-run: it
// prints the waiting line, stops at the outage limit with its summary, exits 3 and prints the command that resumes
// it; once the endpoint is back that command finishes the run, exit 0, with no lock left behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineEvent, type EventOf } from '../../../src/shared/events';
import { DatasetRecord } from '../../../src/shared/schemas';
import { runBuiltCli } from '../../fakes/built-cli';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const ROOT = path.resolve(__dirname, '../../..');
const KEY = 'sk-test-outage-key-0123456789';
const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const DOC = `# Paper\n\n## Gradient noise\n\n${'Gradient noise is the subject of this section, which explains how it works and why it matters. '.repeat(6)}\n`;

const cli = (cwd: string, args: string[]) => runBuiltCli(cwd, args, KEY);

describe('the built CLI through an outage', function () {
  this.timeout(60_000);
  let ws: string;
  let server: ScriptedServer | undefined;
  const script = scriptRoles([GOOD]);
  let goDown = false;
  let port = 0;

  async function up(): Promise<void> {
    server = await startScriptedServer({
      port: port || undefined,
      models: Object.values(MODELS),
      apiKey: KEY,
      respond: (req, ctx) => {
        if (goDown && req.model === MODELS.weak) {
          goDown = false;
          void server!.close();
        }
        return script.respond(req, ctx);
      },
    });
    port = Number(new URL(server.baseURL).port);
  }

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'out', 'cli.js'))) {
      throw new Error('out/cli.js is missing: run npm run build first');
    }
  });
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-outage-'));
    fs.writeFileSync(path.join(ws, 'a.md'), DOC);
  });
  afterEach(async () => {
    await server?.close().catch(() => undefined);
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('exits 3 with its summary and the resume command at the outage limit; the resume finishes the run', async () => {
    goDown = true;
    await up();
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(
      path.join(ws, 'autodata.json'),
      JSON.stringify({ endpoint: { baseURL: server!.baseURL, maxTokens: 512 }, roles, maxRetries: 0, outageLimitSeconds: 1 }),
    );

    const first = await cli(ws, ['generate', 'a.md', '--config', 'autodata.json']);
    assert.equal(first.code, 3, first.err);
    assert.match(first.out, new RegExp(`a\\.md: waiting for 127\\.0\\.0\\.1:${port} \\(weak: .*\\), retrying in [\\d.]+ s`));
    assert.match(first.out, /^0 accepted, 0 for review, 1 attempt\(s\) in 1 run\(s\) → /m, 'the summary line');
    assert.match(first.err, /Interrupted: 127\.0\.0\.1:\d+\/v1|Interrupted: 127\.0\.0\.1:\d+ has not answered/);
    assert.match(first.err, /resume with: autodata resume --config autodata\.json$/m);
    assert.ok(!`${first.out}${first.err}`.includes(KEY), 'the key appears nowhere');

    const runs = path.join(ws, '.autodata', 'runs');
    const [journal] = fs.readdirSync(runs).filter((f) => f.endsWith('.jsonl'));
    const events = () =>
      fs
        .readFileSync(path.join(runs, journal), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => EngineEvent.parse(JSON.parse(l)));
    const finished = events().filter((e): e is EventOf<'run_finished'> => e.type === 'run_finished');
    assert.deepEqual(
      finished.map((e) => e.outcome),
      ['stopped'],
    );
    assert.ok(
      events().some((e) => e.type === 'waiting_endpoint'),
      'the outage is on record',
    );
    assert.ok(!events().some((e) => e.type === 'call_started'), 'calls in flight are not journaled');
    assert.deepEqual(
      fs.readdirSync(runs).filter((f) => f.endsWith('.lock')),
      [],
      'no lock left behind',
    );

    await up();
    const second = await cli(ws, ['resume', '--config', 'autodata.json']);
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /^1 accepted, 0 for review, 1 attempt\(s\) in 1 run\(s\)/m);
    assert.deepEqual(
      events()
        .filter((e): e is EventOf<'run_finished'> => e.type === 'run_finished')
        .map((e) => e.outcome),
      ['stopped', 'completed'],
    );
    const records = fs
      .readFileSync(path.join(ws, '.autodata', 'dataset.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.equal(records.length, 1);
    assert.equal(records[0].iterations, 1, 'the outage used no iteration');
  });
});

// Every server family the scripted server plays, through the two ways a person runs Autodata: the `autodata` CLI
// (main(), whole replies, its exit code) and the editor's path (the run layer's Run with the models the editor builds,
// solver answers streamed to the panel's observer). Each produces a valid item whose answers hold no reasoning, or,
// when a role names a model the server does not know, stops within seconds with a message naming the setting to change
// (and the CLI exits non-zero: no run exits 0 unfinished).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../../../src/cli/main';
import { splitSections } from '../../../../src/core/chunks';
import { readJournal } from '../../../../src/run/journal';
import { buildModels } from '../../../../src/run/models';
import { readRecipe } from '../../../../src/run/recipe-file';
import { Run } from '../../../../src/run/run';
import { RUN_DEFAULTS, type RunSettings } from '../../../../src/run/settings';
import { openWorkspace } from '../../../../src/run/workspace';
import type { DeltaEvent, EngineEvent, EventOf } from '../../../../src/shared/events';
import { DatasetRecord, ROLES, type Role } from '../../../../src/shared/schemas';
import { startScriptedServer, type ScriptedServer } from '../../../fakes/openai-server';
import { scriptedConfig } from '../../../fakes/scripted-config';
import { MODELS, scriptRoles } from '../../../fakes/scripted-roles';
import { PROFILES, type ServerProfile } from '../../../fakes/server-profiles';

const KEY = 'family-test-key';
const DOC = `# KV caching\n\nThe keys and values of earlier tokens are kept, so each new token attends to them without recomputing them. ${'Memory grows with the context length and the batch. '.repeat(6)}\n`;
const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const REASONING = /Let me think|<\/?think>|"draft"/;
/** A run that cannot go on stops at once: well within this, with no retries of a request that will fail again. */
const STOPS_WITHIN_MS = 5_000;

/** The item holds the rollouts the scripted solvers gave, each its own sample (whether the family honours `n` or not). */
function assertRolloutsSampled(record: DatasetRecord, events: EngineEvent[]): void {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  assert.deepEqual(sorted(record.scores.weak.rollouts), GOOD.weak);
  assert.deepEqual(sorted(record.scores.strong.rollouts), GOOD.strong);
  const answers = rolloutsOf(events).map((r) => r.answer);
  assert.equal(new Set(answers).size, answers.length, 'six different answers');
}

/** Every role made calls and was counted (reported or estimated usage). */
function assertUsageCounted(events: EngineEvent[]): void {
  const finished = events.at(-1) as EventOf<'run_finished'>;
  assert.equal(finished.type, 'run_finished');
  const usage = Object.values(finished.usage);
  assert.equal(usage.length, 5);
  assert.ok(
    usage.every((u) => u.calls > 0 && u.promptTokens > 0 && u.completionTokens > 0),
    JSON.stringify(finished.usage),
  );
}
const rolloutsOf = (events: EngineEvent[]) => events.filter((e): e is EventOf<'rollouts'> => e.type === 'rollouts').flatMap((e) => e.rollouts);
const readRecords = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => DatasetRecord.parse(JSON.parse(l)))
    : [];

describe('server families through the CLI and the editor', function () {
  this.timeout(30_000);
  let ws: string;
  let server: ScriptedServer | undefined;

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-family-'));
    fs.writeFileSync(path.join(ws, 'paper.md'), DOC);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(ws, { recursive: true, force: true });
  });

  async function serve(profile: ServerProfile): Promise<ScriptedServer> {
    const script = scriptRoles([GOOD]);
    server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), profile, apiKey: KEY });
    return server;
  }

  async function cli(baseURL: string, roles: Partial<Record<Role, string>> = {}) {
    const models = { ...MODELS, ...roles };
    const config = {
      endpoint: { baseURL, maxTokens: 2048 },
      roles: Object.fromEntries(Object.entries(models).map(([role, model]) => [role, { model }])),
      maxIterations: 2,
    };
    fs.writeFileSync(path.join(ws, 'autodata.json'), JSON.stringify(config));
    let out = '';
    let err = '';
    const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { AUTODATA_API_KEY: KEY }, cwd: ws };
    const started = Date.now();
    const code = await main(['generate', 'paper.md', '--config', 'autodata.json'], io);
    const [journal] = fs.readdirSync(path.join(ws, '.autodata', 'runs')).filter((f) => f.endsWith('.jsonl'));
    const { events } = await readJournal(path.join(ws, '.autodata', 'runs', journal));
    return { code, out, err, ms: Date.now() - started, events, records: readRecords(path.join(ws, '.autodata', 'dataset.jsonl')) };
  }

  /** As the editor runs it: settings with streaming on, the models the editor builds for endpoints, the panel's observer. */
  async function editor(baseURL: string, roles: Partial<Record<Role, string>> = {}) {
    const engine = scriptedConfig(baseURL, { maxIterations: 2 });
    for (const role of ROLES) {
      engine.roles[role].maxTokens = 2048;
      engine.roles[role].model = roles[role] ?? engine.roles[role].model;
    }
    const settings: RunSettings = { ...RUN_DEFAULTS, engine, maxRetries: 2, timeoutMs: 10_000 };
    assert.equal(settings.streamAnswers, true, "the editor's default streams answers");
    const files = await openWorkspace(ws, settings.datasetPath);
    const events: EngineEvent[] = [];
    const deltas: DeltaEvent[] = [];
    const run = new Run(
      files,
      {
        runId: `run-${path.basename(ws)}`,
        document: { path: 'paper.md', text: DOC },
        targets: splitSections(DOC),
        settings,
        models: buildModels(settings, new Map([[new URL(baseURL).origin, KEY]])),
        prompts: files.prompts,
        recipe: await readRecipe(ws),
      },
      { event: (e) => events.push(e), delta: (d) => deltas.push(d) },
    );
    const started = Date.now();
    const result = await run.start();
    return { result, ms: Date.now() - started, events, deltas, records: readRecords(files.dataset.file) };
  }

  for (const profile of PROFILES) {
    describe(profile.name, () => {
      it('the CLI writes a valid item from whole replies, answers free of reasoning, and exits 0', async () => {
        const s = await serve(profile);
        const r = await cli(s.baseURL);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^1 accepted, 0 for review/m);
        assert.equal(r.records.length, 1);
        assertUsageCounted(r.events);
        assertRolloutsSampled(r.records[0], r.events);
        const rollouts = rolloutsOf(r.events);
        assert.equal(rollouts.length, 6);
        for (const x of rollouts) {
          assert.match(x.answer, /^(WEAK|STRONG)#\d answer to Q1[:.]/);
        }
        assert.ok(
          s.requests.filter((q) => q.status === 200).every((q) => !q.stream),
          'the CLI asks for whole replies',
        );
        // The reasoning the family returns is journaled with its rollout, apart from the answer, and never exported.
        const returnsText = profile.reasoning !== 'none' && profile.reasoning !== 'hidden';
        for (const x of rollouts) {
          assert.doesNotMatch(x.answer, REASONING);
          if (returnsText) {
            assert.match(x.reasoning ?? '', /Let me think/, `${x.solver}#${x.index}`);
          } else {
            assert.equal(x.reasoning, undefined);
          }
        }
        const io: CliIO = { stdout: () => undefined, stderr: (t) => assert.fail(t), env: {}, cwd: ws };
        for (const format of ['sft', 'dpo'] as const) {
          assert.equal(await main(['export', '.autodata/dataset.jsonl', '--format', format, '--out', `${format}.jsonl`], io), 0);
          const exported = fs.readFileSync(path.join(ws, `${format}.jsonl`), 'utf8');
          assert.match(exported, format === 'dpo' ? /STRONG#\d answer to Q1/ : /Q1: /);
          assert.doesNotMatch(exported, REASONING);
        }
      });

      it('the editor streams the answers to the panel and writes a valid item, answers free of reasoning', async () => {
        const s = await serve(profile);
        const r = await editor(s.baseURL);
        assert.equal(r.result.outcome, 'completed', r.result.message);
        assert.equal(r.result.written, 1);
        assert.equal(r.records.length, 1);
        assertUsageCounted(r.events);
        assertRolloutsSampled(r.records[0], r.events);
        const rollouts = rolloutsOf(r.events);
        assert.equal(rollouts.length, 6);
        for (const x of rollouts) {
          assert.match(x.answer, /^(WEAK|STRONG)#\d answer to Q1[:.]/);
        }
        assert.ok(
          s.requests.some((q) => q.stream && (q.model === MODELS.weak || q.model === MODELS.strong)),
          'the solvers were asked to stream',
        );
        // Every rollout's streamed text reaches the panel, and adds up to its answer. A template that opens the thinking
        // block itself is recognised only at the first reply's closing tag, so its first streams hold the thoughts too.
        for (const x of rollouts) {
          const text = r.deltas
            .filter((d) => d.solver === x.solver && d.index === x.index)
            .map((d) => d.text)
            .join('');
          assert.ok(text.length > 0, `${x.solver}#${x.index} was streamed`);
          if (profile.reasoning !== 'think_unopened') {
            assert.equal(text, x.answer);
          }
        }
        if (profile.reasoning !== 'think_unopened') {
          assert.ok(r.deltas.every((d) => !REASONING.test(d.text)));
        }
      });

      it('a model the server does not know stops both at once, naming the setting; the CLI exits 1', async () => {
        const s = await serve(profile);
        const c = await cli(s.baseURL, { judge: 'missing-model' });
        assert.equal(c.code, 1, c.out + c.err);
        assert.match(c.err, /judge \(missing-model at .*\) does not know this model.*roles\.judge\.model/s);
        assert.match(c.err, /resume with: autodata resume/);
        assert.ok(c.ms < STOPS_WITHIN_MS, `stopped after ${c.ms} ms`);
        assert.equal(c.records.length, 0);

        fs.rmSync(path.join(ws, '.autodata'), { recursive: true, force: true });
        const e = await editor(s.baseURL, { judge: 'missing-model' });
        assert.equal(e.result.outcome, 'error');
        assert.match(e.result.message ?? '', /roles\.judge\.model/);
        assert.ok(e.ms < STOPS_WITHIN_MS, `stopped after ${e.ms} ms`);
        assert.equal(e.records.length, 0);
        // Only the judge's calls in flight when the first 404 came back (one per weak rollout) reached the server, in
        // each of the two runs: a request that will fail again is never retried (with retries, three times as many).
        const refused = s.requests.filter((q) => q.model === 'missing-model' && q.status === 404);
        assert.ok(refused.length >= 2 && refused.length <= 2 * 3, `${refused.length} requests to the unknown model`);
      });
    });
  }
});

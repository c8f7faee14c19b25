// A run is one thing wherever it runs: a journal the editor started is resumed by the CLI, and one the CLI started is
// resumed by the editor, each under the run's own acceptance rule whatever the resuming side's settings say.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { main } from '../../src/cli/main';
import type { SessionResult } from '../../src/host/session';
import { EngineEvent } from '../../src/shared/events';
import { MODELS, type ScriptedQuestion } from '../fakes/scripted-roles';
import { isolateEachTest, openInEditor, readLines, workspaceRoot } from './helpers';

/** Too easy under the paper's main-text rule (weak mean < 0.50), accepted under the appendix rule (weak mean ≤ 0.65). */
const SPLITS_THE_RULES: ScriptedQuestion = { weak: [0.6, 0.6, 0.6], strong: [0.9, 0.9, 0.9] };

const cfg = () => vscode.workspace.getConfiguration('autodata');
const G = vscode.ConfigurationTarget.Global;

function events(file: string): EngineEvent[] {
  return readLines(file).map((l) => EngineEvent.parse(JSON.parse(l)));
}

/** The verdicts of attempts made after the run was resumed. */
function resumedVerdicts(file: string): string[] {
  const all = events(file);
  const from = all.findIndex((e) => e.type === 'run_resumed');
  assert.ok(from > 0, 'the journal records the resume');
  return all.slice(from).flatMap((e) => (e.type === 'verdict' ? [e.verdict.kind] : []));
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: {},
    cwd: workspaceRoot(),
  });
  return { code, out, err };
}

function cliConfig(baseURL: string, extra: Record<string, unknown>): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-cfg-')), 'autodata.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      workspace: workspaceRoot(),
      endpoint: { baseURL, maxTokens: 512 },
      maxRetries: 1,
      maxIterations: 1,
      recipeEvery: 0,
      roles: Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }])),
      ...extra,
    }),
  );
  return file;
}

suite('resume across the editor and the CLI', () => {
  const iso = isolateEachTest();
  teardown(async () => {
    for (const key of ['policy.preset', 'budget.tokens', 'maxIterations', 'recipeEvery']) {
      await cfg().update(key, undefined, G);
    }
  });

  test("a run the editor started is resumed by the CLI under the run's own rule", async () => {
    const { server } = await iso.endpoint([SPLITS_THE_RULES]);
    // The editor starts under the main-text rule and stops once its budget is spent (after the Challenger's call).
    await cfg().update('policy.preset', 'paperMainText', G);
    await cfg().update('budget.tokens', 1, G);
    await cfg().update('maxIterations', 1, G);
    await openInEditor('paper.md', ['## 2 Method', 'no extra loss term']);
    const first = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(first);
    assert.strictEqual(first.outcome, 'stopped', first.message);
    assert.ok(
      events(first.journalFile).some((e) => e.type === 'challenge'),
      'the interrupted attempt has its question',
    );

    // The CLI's own config says the appendix rule, under which this question would be accepted.
    const r = await cli(['resume', '--config', cliConfig(server.baseURL, { policyPreset: 'paperAppendix' })]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(resumedVerdicts(first.journalFile), ['too_easy'], "judged by the run's main-text rule");
    assert.strictEqual(readLines(first.datasetFile).length, 0, 'nothing accepted');
  });

  test("a run the CLI started is resumed by the editor under the run's own rule", async () => {
    const { server } = await iso.endpoint([SPLITS_THE_RULES]);
    await fs.promises.mkdir(path.join(workspaceRoot(), '.autodata'), { recursive: true });
    const doc = path.join(workspaceRoot(), '.autodata', 'method.md');
    fs.writeFileSync(
      doc,
      `## 2 Method\n\n${fs.readFileSync(path.join(workspaceRoot(), 'paper.md'), 'utf8').split('## 2 Method')[1].split('## 3')[0].trim()}\n`,
    );
    const started = await cli(['generate', doc, '--config', cliConfig(server.baseURL, { policyPreset: 'paperMainText', budget: { tokens: 1 } })]);
    assert.strictEqual(started.code, 3, `a run stopped by its budget exits 3: ${started.err}`);
    assert.match(started.err, /resume with: autodata resume --config/);
    const journals = fs.readdirSync(path.join(workspaceRoot(), '.autodata', 'runs')).filter((f) => f.endsWith('.jsonl'));
    assert.strictEqual(journals.length, 1);
    const journal = path.join(workspaceRoot(), '.autodata', 'runs', journals[0]);

    // The editor's settings say the appendix rule.
    await cfg().update('policy.preset', 'paperAppendix', G);
    await cfg().update('maxIterations', 1, G);
    const second = await vscode.commands.executeCommand<SessionResult>('autodata.resumeRun', journals[0].replace(/\.jsonl$/, ''));
    assert.ok(second);
    assert.strictEqual(second.outcome, 'completed', second.message);
    assert.deepStrictEqual(resumedVerdicts(journal), ['too_easy'], "judged by the run's main-text rule");
    assert.strictEqual(readLines(second.datasetFile).length, 0, 'nothing accepted');
  });
});

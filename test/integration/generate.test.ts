// Generate from Document / Selection in the real VS Code, against the scripted endpoint, down to the dataset file.
import * as assert from 'assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineEvent } from '../../src/shared/events';
import { DatasetRecord } from '../../src/shared/schemas';
import type { SessionResult } from '../../src/host/session';
import type { RunResult } from '../../src/run/run';
import { MODELS } from '../fakes/scripted-roles';
import { api, EASY, GOOD, isolateEachTest, openInEditor, readLines, squash, workspaceRoot } from './helpers';

suite('generate', () => {
  const iso = isolateEachTest();

  test('Generate from Document writes one valid dataset line per section, with provenance back to the source', async () => {
    await iso.endpoint([EASY, GOOD]);
    const editor = await openInEditor('paper.md');
    const text = editor.document.getText();
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    assert.ok(result, `the run returned a result (last error: ${(await api()).runs.lastError})`);
    assert.strictEqual(result.outcome, 'completed');
    const file = path.join(workspaceRoot(), '.autodata', 'dataset.jsonl');
    assert.strictEqual(result.datasetFile, file);
    const lines = readLines(file);
    assert.ok(lines.length >= 2, `dataset lines: ${lines.length}`);
    assert.strictEqual(lines.length, result.accepted.length);
    const sha = createHash('sha256').update(text).digest('hex');
    for (const line of lines) {
      const rec = DatasetRecord.parse(JSON.parse(line));
      assert.strictEqual(rec.source.path, 'paper.md');
      assert.strictEqual(rec.source.sha256, sha);
      assert.strictEqual(squash(text.slice(rec.source.range.start, rec.source.range.end)), squash(rec.source.quote));
      assert.strictEqual(rec.iterations, 2, 'every section: one too-easy attempt, then accepted');
      assert.deepStrictEqual(rec.models, {
        challenger: MODELS.challenger,
        quality: MODELS.quality,
        weak: MODELS.weak,
        strong: MODELS.strong,
        judge: MODELS.judge,
      });
      assert.strictEqual(rec.decision.by, 'policy');
      assert.strictEqual(rec.runId, result.runId);
    }
    // Every event is in the journal and parses against the event schema.
    const journal = readLines(result.journalFile).map((l) => EngineEvent.parse(JSON.parse(l)));
    assert.strictEqual(journal[0].type, 'run_started');
    assert.strictEqual(journal.at(-1)!.type, 'run_finished');
    assert.strictEqual(journal.filter((e) => e.type === 'item_accepted').length, lines.length);
  });

  test('Generate from Selection makes one item whose range lies inside the selection', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const editor = await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
    const sel = editor.selection;
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    assert.strictEqual(result.accepted.length, 1);
    const rec = DatasetRecord.parse(JSON.parse(readLines(result.datasetFile)[0]));
    const doc = editor.document;
    assert.ok(rec.source.range.start >= doc.offsetAt(sel.start) && rec.source.range.end <= doc.offsetAt(sel.end), JSON.stringify(rec.source.range));
    const challenge = server.requests.find((r) => r.model === MODELS.challenger)!;
    assert.ok(
      challenge.messages!.some((m) => m.content.includes('## 2 Method')),
      'the Challenger saw the selection',
    );
    assert.ok(!challenge.messages!.some((m) => m.content.includes('## 1 Introduction')), 'and not the rest');
  });

  test('Generate from Selection refuses a selection too short to ask about, with the reason, before any request', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const editor = await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
    const start = editor.selection.start;
    editor.selection = new vscode.Selection(start, editor.document.positionAt(editor.document.offsetAt(start) + 52));
    const result = await vscode.commands.executeCommand<SessionResult | undefined>('autodata.generateFromSelection', { silent: true });
    assert.strictEqual(result, undefined);
    assert.match((await api()).runs.lastError ?? '', /The selection has 52 characters: too little to write a question about/);
    assert.strictEqual(server.requests.length, 0);
  });

  test('appends to an existing dataset and never rewrites earlier lines', async () => {
    await iso.endpoint([GOOD]);
    const file = path.join(workspaceRoot(), '.autodata', 'dataset.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const earlier = JSON.stringify({ id: 'earlier', note: 'kept as is' });
    fs.writeFileSync(file, `${earlier}\n`);
    await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    const lines = readLines(file);
    assert.strictEqual(lines[0], earlier);
    assert.strictEqual(lines.length, 2);
  });

  test('sends the API key from secret storage to its endpoint', async () => {
    const { server } = await iso.endpoint([GOOD], { apiKey: 'sk-test-secret-1234' });
    await vscode.commands.executeCommand('autodata.setApiKey', { baseUrl: server.baseURL, key: 'sk-test-secret-1234' });
    try {
      await openInEditor('paper.md', ['## 2 Method', 'unannealed baseline.']);
      const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
      assert.ok(result);
      assert.strictEqual(result.outcome, 'completed', result.message);
      assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer sk-test-secret-1234'));
      // The key is in no file the run wrote, nor in user settings.
      for (const f of [result.journalFile, result.datasetFile]) {
        assert.ok(!fs.readFileSync(f, 'utf8').includes('sk-test-secret-1234'), f);
      }
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('autodata')).includes('sk-test-secret'));
    } finally {
      await vscode.commands.executeCommand('autodata.clearApiKey', { baseUrl: server.baseURL });
    }
  });

  test('a missing and a wrong API key each end the run with a message that says which', async () => {
    const { server } = await iso.endpoint([GOOD], { apiKey: 'the-right-key' });
    await openInEditor('paper.md');
    const none = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    assert.ok(none);
    assert.strictEqual(none.outcome, 'error');
    assert.match(none.message ?? '', /needs an API key \(401\) and no key is stored for 127\.0\.0\.1:\d+/);
    await vscode.commands.executeCommand('autodata.setApiKey', { baseUrl: server.baseURL, key: 'sk-wrong-key-5678' });
    const wrong = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    assert.ok(wrong);
    assert.strictEqual(wrong.outcome, 'error');
    assert.match(wrong.message ?? '', /refused the API key \(401\)/);
    assert.strictEqual(readLines(wrong.datasetFile).length, 0);
  });

  test('refuses a dataset path outside the workspace, and a dataset file that is not JSONL, before any request', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const a = await api();
    await openInEditor('paper.md');
    await vscode.workspace.getConfiguration('autodata').update('datasetPath', '../outside.jsonl', vscode.ConfigurationTarget.Global);
    assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromDocument', { silent: true }), undefined);
    assert.match(a.runs.lastError ?? '', /outside the workspace/);
    assert.ok(!fs.existsSync(path.join(workspaceRoot(), '..', 'outside.jsonl')));

    await vscode.workspace.getConfiguration('autodata').update('datasetPath', 'data/notes.jsonl', vscode.ConfigurationTarget.Global);
    const file = path.join(workspaceRoot(), 'data', 'notes.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"id":"a"}\nthis is prose, not JSON\n');
    assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromDocument', { silent: true }), undefined);
    assert.match(a.runs.lastError ?? '', /not a JSONL dataset \(line 2/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '{"id":"a"}\nthis is prose, not JSON\n');
    assert.strictEqual(server.requests.length, 0);
    fs.rmSync(path.join(workspaceRoot(), 'data'), { recursive: true, force: true });
  });

  test('Stop Run cancels in-flight requests and ends the run as stopped', async () => {
    const { server } = await iso.endpoint([GOOD], {}, { solverLatencyMs: 30_000 });
    await openInEditor('paper.md');
    const running = vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    for (let i = 0; i < 300 && !server.requests.some((r) => r.model === MODELS.weak); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    await vscode.commands.executeCommand('autodata.stop');
    const result = await running;
    assert.ok(result);
    assert.strictEqual(result.outcome, 'stopped');
    assert.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
    for (let i = 0; i < 100 && server.inFlight() > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.strictEqual(server.inFlight(), 0);
  });

  test('Generate from Files runs the selected documents into the one dataset, each item pointing at its own file', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const root = workspaceRoot();
    const paper = vscode.Uri.file(path.join(root, 'paper.md'));
    const notes = vscode.Uri.file(path.join(root, 'notes.txt'));
    const results = await vscode.commands.executeCommand<RunResult[] | undefined>('autodata.generateFromFiles', paper, [paper, notes]);
    assert.ok(results, `the runs returned results (last error: ${(await api()).runs.lastError})`);
    assert.deepStrictEqual(results.map((r) => r.outcome).sort(), ['completed', 'completed']);
    const lines = readLines(path.join(root, '.autodata', 'dataset.jsonl')).map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.strictEqual(
      lines.length,
      results.reduce((n, r) => n + r.accepted.length, 0),
    );
    const texts: Record<string, string> = { 'paper.md': fs.readFileSync(paper.fsPath, 'utf8'), 'notes.txt': fs.readFileSync(notes.fsPath, 'utf8') };
    assert.deepStrictEqual([...new Set(lines.map((r) => r.source.path))].sort(), ['notes.txt', 'paper.md']);
    for (const rec of lines) {
      const text = texts[rec.source.path];
      assert.strictEqual(squash(text.slice(rec.source.range.start, rec.source.range.end)), squash(rec.source.quote));
    }
    // Each Challenger prompt carries text of one of the two documents.
    const challenges = server.requests.filter((r) => r.model === MODELS.challenger).map((r) => r.messages!.map((m) => m.content).join('\n'));
    assert.ok(challenges.some((c) => c.includes('Reading notes')) && challenges.some((c) => c.includes('## 2 Method')));
  });

  test("Generate from Files is the window's one run: no second run starts beside it, and Stop Run stops every document", async () => {
    const { server } = await iso.endpoint([GOOD], {}, { solverLatencyMs: 30_000 });
    const root = workspaceRoot();
    const paper = vscode.Uri.file(path.join(root, 'paper.md'));
    const notes = vscode.Uri.file(path.join(root, 'notes.txt'));
    const running = vscode.commands.executeCommand<RunResult[] | undefined>('autodata.generateFromFiles', paper, [paper, notes]);
    for (let i = 0; i < 1500 && !server.requests.some((r) => r.model === MODELS.weak); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(
      server.requests.some((r) => r.model === MODELS.weak),
      'a solver request went out',
    );
    await openInEditor('paper.md');
    assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromDocument', { silent: true }), undefined);
    assert.match((await api()).runs.lastError ?? '', /already in progress/);
    await vscode.commands.executeCommand('autodata.stop');
    const results = await running;
    assert.ok(results);
    assert.ok(results.length >= 1);
    assert.ok(
      results.every((r) => r.outcome === 'stopped'),
      results.map((r) => r.outcome).join(', '),
    );
    for (let i = 0; i < 250 && server.inFlight() > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.strictEqual(server.inFlight(), 0);
  });

  test('an empty document gets a clear error and no run', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const doc = await vscode.workspace.openTextDocument({ content: '   \n\n', language: 'markdown' });
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromDocument', { silent: true }), undefined);
    assert.match((await api()).runs.lastError ?? '', /is empty/);
    assert.strictEqual(server.requests.length, 0);
  });

  test('a token budget stops the run cleanly, with the reason, and keeps what was accepted', async () => {
    await iso.endpoint([EASY]);
    await vscode.workspace.getConfiguration('autodata').update('budget.tokens', 3000, vscode.ConfigurationTarget.Global);
    try {
      await openInEditor('paper.md');
      const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
      assert.ok(result);
      assert.strictEqual(result.outcome, 'stopped');
      assert.match(result.message ?? '', /token budget is spent/);
      const journal = readLines(result.journalFile).map((l) => EngineEvent.parse(JSON.parse(l)));
      const fin = journal.at(-1)!;
      assert.strictEqual(fin.type, 'run_finished');
      assert.ok(result.attempts < 10, `stopped after ${result.attempts} attempts`);
    } finally {
      await vscode.workspace.getConfiguration('autodata').update('budget.tokens', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

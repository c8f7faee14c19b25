// Stop a run mid-iteration, then Resume Run: it goes on from the journal and every accepted item lands exactly once.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { DatasetRecord } from '../../src/shared/schemas';
import type { SessionResult } from '../../src/host/session';
import { MODELS } from '../fakes/scripted-roles';
import { api, EASY, GOOD, isolateEachTest, openInEditor, readLines } from './helpers';

suite('resume', () => {
  const iso = isolateEachTest();

  test('Resume Run takes up an interrupted run without redoing finished calls', async () => {
    const { server } = await iso.endpoint([EASY, GOOD]);
    await vscode.workspace.getConfiguration('autodata').update('itemsPerRun', 2, vscode.ConfigurationTarget.Global);
    await openInEditor('paper.md');
    // Hold the first strong request of the run, then stop while it is in flight.
    const s = server;
    let held = false;
    const script = s.requests;
    const original = (await import('../fakes/scripted-roles')).scriptRoles([EASY, GOOD]);
    s.setResponder((req, ctx) => {
      if (req.model === MODELS.strong && !held) {
        held = true;
        return { kind: 'hang' };
      }
      return original.respond(req, ctx);
    });
    const running = vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    for (let i = 0; i < 500 && !held; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(held, 'the strong solver was asked');
    await vscode.commands.executeCommand('autodata.stop');
    const first = await running;
    assert.ok(first);
    assert.strictEqual(first.outcome, 'stopped');
    const challengesBefore = script.filter((r) => r.model === MODELS.challenger).length;
    const weakBefore = script.filter((r) => r.model === MODELS.weak).length;

    // While another window (here: a lock held by a live process) runs it, Resume is refused and writes nothing.
    const lockFile = first.journalFile.replace(/\.jsonl$/, '.lock');
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    const journalBefore = readLines(first.journalFile).length;
    assert.strictEqual(await vscode.commands.executeCommand('autodata.resumeRun', first.runId), undefined);
    assert.match((await api()).runs.lastError ?? '', /in progress elsewhere/);
    assert.strictEqual(readLines(first.journalFile).length, journalBefore);
    fs.rmSync(lockFile);

    const second = await vscode.commands.executeCommand<SessionResult>('autodata.resumeRun', first.runId);
    assert.ok(second, `resumed (last error: ${(await api()).runs.lastError})`);
    assert.strictEqual(second.runId, first.runId);
    assert.strictEqual(second.outcome, 'completed', second.message);
    const lines = readLines(second.datasetFile).map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.strictEqual(lines.length, 2, 'two accepted items, the goal');
    assert.strictEqual(new Set(lines.map((r) => r.id)).size, 2, 'each exactly once');
    assert.ok(lines.some((r) => r.id === `${first.runId}:s1.2`));
    const weakAfter = script.filter((r) => r.model === MODELS.weak).length;
    const challengesAfter = script.filter((r) => r.model === MODELS.challenger).length;
    // s1.2 reused its challenge and weak rollouts; s2 needed one challenge and one weak call (EASY is its first question).
    assert.strictEqual(challengesAfter - challengesBefore, 2, 'a challenge for s2 only (too easy, then good)');
    assert.strictEqual(weakAfter - weakBefore, 2, 'weak rollouts for s2 only');

    // Resuming again finds nothing to do and writes nothing.
    assert.strictEqual(await vscode.commands.executeCommand('autodata.resumeRun', first.runId), undefined);
    assert.match((await api()).runs.lastError ?? '', /nothing left to do/);
    assert.strictEqual(readLines(second.datasetFile).length, 2);
  });

  test('Resume in the panel of a stopped run goes on with it in the same panel', async () => {
    const { server } = await iso.endpoint([GOOD]);
    await vscode.workspace.getConfiguration('autodata').update('itemsPerRun', 2, vscode.ConfigurationTarget.Global);
    await openInEditor('paper.md');
    const { scriptRoles } = await import('../fakes/scripted-roles');
    const script = scriptRoles([GOOD]);
    let held = false;
    server.setResponder((req, ctx) => {
      if (req.model === MODELS.strong && !held) {
        held = true;
        return { kind: 'hang' };
      }
      return script.respond(req, ctx);
    });
    const running = vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    for (let i = 0; i < 500 && !held; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await vscode.commands.executeCommand('autodata.stop');
    const first = (await running)!;
    assert.strictEqual(first.outcome, 'stopped');
    const a = await api();
    const panel = a.panels.forRun(first.runId)!;
    assert.strictEqual(panel.live, false);
    await panel.handle({ type: 'control', action: 'resume' });
    for (let i = 0; i < 300 && (readLines(first.datasetFile).length < 2 || a.runs.session); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.strictEqual(readLines(first.datasetFile).length, 2, `dataset lines after resuming from the panel (last error: ${a.runs.lastError})`);
    assert.strictEqual(a.panels.forRun(first.runId), panel, 'the same panel shows the resumed run');
    const cards = await panel.probe('.card[data-attempt-id]');
    assert.ok(cards.count >= 2, `cards: ${cards.count}`);
  });
});

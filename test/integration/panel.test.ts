// The Autodata panel in the real VS Code: it opens for a run, shows its attempts, and its messages change the dataset.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EngineEvent } from '../../src/shared/events';
import { DatasetRecord } from '../../src/shared/schemas';
import type { SessionResult } from '../../src/host/session';
import * as path from 'node:path';
import { SECOND_JUDGE_MODEL, type ScriptedQuestion } from '../fakes/scripted-roles';
import { generateRun } from '../bench/panel-render.fixtures';
import { api, EASY, GOOD, isolateEachTest, openInEditor, readLines } from './helpers';

/** Strong mean 0.567: within the 0.05 borderline margin of 0.60. */
const NEAR: ScriptedQuestion = { weak: [0.3, 0.3, 0.3], strong: [0.6, 0.6, 0.5] };
const SELECTION: [string, string] = ['## 2 Method', 'unannealed baseline.'];

async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T;
  do {
    last = await fn();
    if (ok(last)) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < end);
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

suite('panel', () => {
  const iso = isolateEachTest();

  test('opens for a run and shows every attempt as a card with its verdict', async () => {
    await iso.endpoint([EASY, GOOD]);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    const panel = (await api()).panels.forRun(result.runId);
    assert.ok(panel, 'a panel for the run');
    assert.strictEqual(panel.panel.viewType, 'autodata.panel');
    const cards = await until(
      () => panel.probe('.card[data-attempt-id]'),
      (r) => r.count === 2,
      'two cards',
    );
    assert.strictEqual(cards.count, 2);
    const verdicts = await panel.probe('.card .verdict');
    assert.ok(
      verdicts.texts.some((t) => /accepted/i.test(t)),
      verdicts.texts.join('|'),
    );
    assert.ok(
      verdicts.texts.some((t) => /too easy/i.test(t)),
      verdicts.texts.join('|'),
    );
  });

  test('Approve from the panel appends the borderline item with decision.by = "human" and journals the decision', async () => {
    await iso.endpoint([NEAR]);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    assert.strictEqual(result.review.length, 1);
    assert.strictEqual(readLines(result.datasetFile).length, 0, 'borderline items wait for a person');
    const panel = (await api()).panels.forRun(result.runId)!;
    await until(
      () => panel.probe('.review-item'),
      (r) => r.count === 1,
      'the review queue',
    );
    const attemptId = result.review[0].id.split(':').pop()!;

    // A message that fails the protocol is dropped.
    await panel.handle({ type: 'approve', attemptIds: attemptId });
    assert.strictEqual(readLines(result.datasetFile).length, 0);

    await panel.handle({ type: 'approve', attemptIds: [attemptId] });
    const lines = readLines(result.datasetFile);
    assert.strictEqual(lines.length, 1);
    const rec = DatasetRecord.parse(JSON.parse(lines[0]));
    assert.strictEqual(rec.decision.by, 'human');
    assert.strictEqual(rec.decision.borderline, true);
    const journal = readLines(result.journalFile).map((l) => EngineEvent.parse(JSON.parse(l)));
    assert.ok(journal.some((e) => e.type === 'review_decision' && e.decision === 'approved' && e.attemptId === attemptId));
    await until(
      () => panel.probe('.review-item'),
      (r) => r.count === 0,
      'the queue to empty',
    );

    // Approving twice writes nothing more.
    await panel.handle({ type: 'approve', attemptIds: [attemptId] });
    assert.strictEqual(readLines(result.datasetFile).length, 1);
  });

  test('Edit then approve writes the edited question', async () => {
    await iso.endpoint([NEAR]);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    const panel = (await api()).panels.forRun(result.runId)!;
    const item = result.review[0];
    const attemptId = item.id.split(':').pop()!;
    await panel.handle({
      type: 'approve',
      attemptIds: [attemptId],
      edit: { question: 'Edited: why does annealing help?', referenceAnswer: item.referenceAnswer, rubric: item.rubric },
    });
    const rec = DatasetRecord.parse(JSON.parse(readLines(result.datasetFile)[0]));
    assert.strictEqual(rec.question, 'Edited: why does annealing help?');
    assert.strictEqual(rec.decision.note, 'edited before approval');
  });

  test('Reject with a reason journals it and writes nothing to the dataset', async () => {
    await iso.endpoint([NEAR]);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    const panel = (await api()).panels.forRun(result.runId)!;
    const attemptId = result.review[0].id.split(':').pop()!;
    await panel.handle({ type: 'reject', attemptIds: [attemptId], reason: 'Hinges on a number from the table.' });
    assert.strictEqual(readLines(result.datasetFile).length, 0);
    const journal = readLines(result.journalFile).map((l) => EngineEvent.parse(JSON.parse(l)));
    assert.ok(journal.some((e) => e.type === 'review_decision' && e.decision === 'rejected' && e.reason === 'Hinges on a number from the table.'));
  });

  test('With a second judge, an item the judges disagree on waits for review, and Reject keeps a label with both verdicts', async () => {
    // The scripted second judge credits nothing in a hedged answer: the Judge accepts this item, the second judge does not.
    await iso.endpoint([{ ...GOOD, answerText: 'This is probably right.' }]);
    await vscode.workspace.getConfiguration('autodata').update('roles.judge2', { model: SECOND_JUDGE_MODEL }, vscode.ConfigurationTarget.Global);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    assert.strictEqual(result.review.length, 1, 'the disagreement waits for a person');
    assert.strictEqual(readLines(result.datasetFile).length, 0);
    const judges = DatasetRecord.parse(result.review[0]).judges;
    assert.deepStrictEqual([judges?.first, judges?.second, judges?.disagree], ['accepted', 'too_hard', true]);
    const panel = (await api()).panels.forRun(result.runId)!;
    const line = await until(
      () => panel.probe('.review-item .review-judges'),
      (r) => r.count === 1,
      "the judges' verdicts in the queue",
    );
    assert.match(line.texts[0], /^Judges disagree: Judge accepted · Second judge too hard/);

    const attemptId = result.review[0].id.split(':').pop()!;
    await panel.handle({ type: 'reject', attemptIds: [attemptId], reason: 'The answers only hedge.' });
    const labels = readLines(path.join(path.dirname(result.datasetFile), 'labels.jsonl')).map((l) => JSON.parse(l));
    assert.deepStrictEqual(
      labels.map((l) => [l.attemptId, l.decision, l.judges, l.models.judge2]),
      [[attemptId, 'rejected', { judge: 'accepted', judge2: 'too_hard', disagree: true }, SECOND_JUDGE_MODEL]],
    );
    // Calibration: the Judge accepted what you rejected (0 of 1), the second judge rejected it too (1 of 1); the second
    // judge marked nothing met, so the judges' κ over all criteria is 0.
    const count = (judge: string) => panel.probe(`.calibration tr[data-judge="${judge}"] .agree-count`);
    await until(
      () => count('judge'),
      (r) => r.texts[0] === '0 of 1',
      "the Judge's agreement",
    );
    assert.deepStrictEqual((await count('judge2')).texts, ['1 of 1']);
    assert.deepStrictEqual((await panel.probe('.calibration tr[data-criterion="all"] .kappa')).texts, ['0.00']);
  });

  /** A finished run of one section, with every panel closed (the run is then only in its journal). */
  async function finishedRunWithoutPanels(): Promise<{ result: SessionResult; a: Awaited<ReturnType<typeof api>> }> {
    await iso.endpoint([GOOD]);
    await openInEditor('paper.md', SELECTION);
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromSelection', { silent: true });
    assert.ok(result);
    const a = await api();
    for (const p of a.panels.all()) {
      p.dispose();
    }
    return { result, a };
  }

  test('Show Panel restores a finished run from its journal', async () => {
    const { result, a } = await finishedRunWithoutPanels();
    // Show Panel with a run id opens that run (without one, it offers the picker of the workspace's runs).
    const panel = await vscode.commands.executeCommand<unknown>('autodata.showPanel', result.runId);
    assert.ok(panel);
    const restored = a.panels.forRun(result.runId);
    assert.ok(restored, 'the panel shows the run from the journal');
    assert.strictEqual(restored.live, false);
    await until(
      () => restored.probe('.card[data-attempt-id]'),
      (r) => r.count === 1,
      'the restored card',
    );
    assert.ok(fs.existsSync(result.journalFile));
  });

  test('a long restored run reaches the panel in full, a few slices at a time as the panel takes them in', async () => {
    const { result, a } = await finishedRunWithoutPanels();
    // The run's journal becomes one of 300 attempts (about 3,500 events: seven slices, more than the host lets be
    // unacknowledged), on the run's own document.
    const started = readLines(result.journalFile)
      .map((l) => EngineEvent.parse(JSON.parse(l)))
      .find((e) => e.type === 'run_started');
    assert.ok(started?.type === 'run_started');
    const g = generateRun({ attempts: 300, targets: 10, runId: result.runId, seed: 3 });
    const events = g.events.map((e) => (e.type === 'run_started' ? { ...e, document: started.document } : e));
    assert.ok(events.length > 3 * 500, `${events.length} events`);
    fs.writeFileSync(result.journalFile, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await vscode.commands.executeCommand<unknown>('autodata.showPanel', result.runId);
    const restored = a.panels.forRun(result.runId);
    assert.ok(restored);
    // The probe goes behind the last slice, so it is answered only once every slice was sent, each after the panel
    // said it had folded an earlier one.
    const shown = await until(
      () => restored.probe('[data-counter="attempts"] .counter-value'),
      (r) => r.texts[0] === '300',
      'all 300 attempts counted',
    );
    assert.deepStrictEqual(shown.texts, ['300']);
    // Every attempt has its place in the card list (drawn when scrolled to).
    assert.strictEqual((await restored.probe('.targets[data-cards="300"]')).count, 1);
  });
});

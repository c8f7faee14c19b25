// Sources other than the open editor: a PDF from the Explorer, with items that link back to its extracted text.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DatasetRecord } from '../../src/shared/schemas';
import type { SessionResult } from '../../src/host/session';
import { MODELS } from '../fakes/scripted-roles';
import { api, GOOD, isolateEachTest, readLines, squash, workspaceRoot } from './helpers';

suite('sources', () => {
  const iso = isolateEachTest();

  test('Generate from File on a PDF extracts its text, splits it on its headings and links every item back to it', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const pdf = vscode.Uri.file(path.join(workspaceRoot(), 'curriculum.pdf'));
    const result = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromFile', pdf, { silent: true });
    assert.ok(result, (await api()).runs.lastError);
    assert.strictEqual(result.outcome, 'completed', result.message);
    const textFile = path.join(workspaceRoot(), '.autodata', 'sources', 'curriculum.pdf.txt');
    const text = fs.readFileSync(textFile, 'utf8');
    assert.match(text, /Curriculum sampling orders training examples/);
    const records = readLines(result.datasetFile).map((l) => DatasetRecord.parse(JSON.parse(l)));
    assert.strictEqual(records.length, 2, 'one item per section: 1 Introduction, 2 Method');
    for (const r of records) {
      assert.strictEqual(r.source.path, '.autodata/sources/curriculum.pdf.txt');
      assert.strictEqual(squash(text.slice(r.source.range.start, r.source.range.end)), squash(r.source.quote));
    }
    const prompts = server.requests.filter((r) => r.model === MODELS.challenger).map((r) => r.messages!.map((m) => m.content).join('\n'));
    assert.ok(prompts[0].includes('title="1 Introduction"') && prompts[1].includes('title="2 Method"'), 'the Challenger saw each section under its heading');
  });

  test('a file that is not really a PDF gets a clear error and no run', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const fake = path.join(workspaceRoot(), 'fake.pdf');
    fs.writeFileSync(fake, 'not a pdf');
    try {
      assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromFile', vscode.Uri.file(fake), { silent: true }), undefined);
      assert.match((await api()).runs.lastError ?? '', /fake\.pdf: Cannot read this PDF/);
      assert.strictEqual(server.requests.length, 0);
    } finally {
      fs.rmSync(fake, { force: true });
    }
  });

  test('a binary file gets a clear error and no run', async () => {
    const { server } = await iso.endpoint([GOOD]);
    const blob = path.join(workspaceRoot(), 'blob.txt');
    fs.writeFileSync(blob, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01, 0xff, 0x00, 0x41]));
    try {
      assert.strictEqual(await vscode.commands.executeCommand('autodata.generateFromFile', vscode.Uri.file(blob), { silent: true }), undefined);
      assert.match((await api()).runs.lastError ?? '', /binary/i);
      assert.strictEqual(server.requests.length, 0);
    } finally {
      fs.rmSync(blob, { force: true });
    }
  });
});

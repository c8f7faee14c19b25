// Export Dataset in the real VS Code: each training format from a generated dataset, parsed against its schema.
import * as assert from 'assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DpoRow, GrpoRow, SftRow } from '../../src/core/exporters';
import type { ExportResult } from '../../src/host/export-command';
import type { SessionResult } from '../../src/host/session';
import { GOOD, isolateEachTest, openInEditor, readLines, workspaceRoot } from './helpers';

suite('export', () => {
  const iso = isolateEachTest();

  test('writes SFT, GRPO and DPO files that parse against their formats', async () => {
    await iso.endpoint([GOOD]);
    await openInEditor('paper.md');
    const run = await vscode.commands.executeCommand<SessionResult>('autodata.generateFromDocument', { silent: true });
    assert.ok(run && run.accepted.length >= 2);
    for (const [format, schema] of [
      ['sft', SftRow],
      ['grpo', GrpoRow],
      ['dpo', DpoRow],
    ] as const) {
      const out = path.join(workspaceRoot(), 'exports', `data-${format}.jsonl`);
      const r = await vscode.commands.executeCommand<ExportResult>('autodata.exportDataset', { format, out });
      assert.ok(r, `export ${format}`);
      const rows = readLines(out).map((l) => (schema as { parse: (x: unknown) => unknown }).parse(JSON.parse(l)));
      assert.strictEqual(rows.length, run.accepted.length, `${format} rows`);
    }
    const grpo = readLines(path.join(workspaceRoot(), 'exports', 'data-grpo.jsonl')).map((l) => JSON.parse(l));
    assert.deepStrictEqual(grpo[0].prompt, [{ role: 'user', content: run.accepted.find((x) => x.id === grpo[0].id)!.question }]);
    assert.ok(Array.isArray(grpo[0].rubric) && grpo[0].rubric.length > 0);
    const dpo = readLines(path.join(workspaceRoot(), 'exports', 'data-dpo.jsonl')).map((l) => JSON.parse(l));
    assert.match(JSON.stringify(dpo[0].chosen), /STRONG#/);
    assert.match(JSON.stringify(dpo[0].rejected), /WEAK#/);
  });
});

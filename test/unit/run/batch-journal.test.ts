// The batch journal: submitted batches are open until collected; unreadable lines are skipped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchJournal, batchJournalFile, uncollectedBatches } from '../../../src/run/batch-journal';

describe('batch journal', () => {
  it('lists the batches submitted and not collected, in order, each line synced', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bj-'));
    try {
      const j = batchJournal(ws);
      const rec = (id: string) => ({ batchId: id, fileId: `file-${id}`, baseURL: 'http://h/v1', model: 'm', customIds: [`${id}-1`, `${id}-2`] });
      await j.submitted(rec('b1'));
      await j.submitted(rec('b2'));
      // Durable before the promise resolves: another reader sees it at once.
      assert.equal(fs.readFileSync(batchJournalFile(ws), 'utf8').split('\n').filter(Boolean).length, 2);
      await j.collected('b1');
      await j.submitted(rec('b3'));
      await j.close();
      fs.appendFileSync(batchJournalFile(ws), '{"type":"batch_submitted","batchId":\n');
      assert.deepEqual(
        (await uncollectedBatches(ws)).map((r) => [r.batchId, r.customIds]),
        [
          ['b2', ['b2-1', 'b2-2']],
          ['b3', ['b3-1', 'b3-2']],
        ],
      );
      assert.deepEqual(await uncollectedBatches(fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bj-none-'))), []);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});

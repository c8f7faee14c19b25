// A run told not to keep its accepted items (the CLI: it only counts them) still counts every one that reached the
// dataset, and a run that keeps them hands back exactly those; in both, the count is what the dataset holds.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonl } from '../../../src/run/jsonl';
import type { DatasetRecord } from '../../../src/shared/schemas';
import { scriptRoles } from '../../fakes/scripted-roles';
import { documentOf, runWorkspaces, startRun } from './run-harness';

const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const EASY = { weak: [0.9, 0.9, 0.9], strong: [1, 1, 1] };

describe('accepted items kept or only counted', function () {
  this.timeout(120_000);
  const w = runWorkspaces('keep-items');

  for (const keepItems of [false, true]) {
    it(keepItems ? 'keeps the accepted items when asked to, one per dataset line' : 'counts the accepted items without keeping them', async () => {
      fs.writeFileSync(path.join(w.ws, 'a.md'), documentOf(6));
      const server = await w.serve(scriptRoles([GOOD, EASY]).respond);
      const started = await startRun(w.ws, 'a.md', server.baseURL, {}, undefined, { maxIterations: 4 }, { keepItems });
      const result = await started.result;
      assert.equal(result.outcome, 'completed');
      const ids = ((await readJsonl(started.run.datasetFile)).values as DatasetRecord[]).map((r) => r.id);
      assert.ok(ids.length >= 3, `${ids.length} items accepted`);
      assert.equal(result.acceptedCount, ids.length);
      assert.deepEqual(result.accepted.map((r) => r.id).sort(), keepItems ? [...ids].sort() : []);
    });
  }
});

// Run journals (.autodata/runs/<runId>.jsonl): where they live, listing them, reading them back as events.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { EngineEvent } from '../shared/events';
import { readJsonl } from './jsonl';
import { assertInside } from './workspace-boundary';

export function runsDir(folder: string): string {
  return path.join(folder, '.autodata', 'runs');
}
export function journalFile(folder: string, runId: string): string {
  if (!/^[\w.-]+$/.test(runId)) {
    throw new Error(`not a run id: ${runId}`);
  }
  return path.join(runsDir(folder), `${runId}.jsonl`);
}

/** Run ids in the workspace, most recent first (ids start with a timestamp). */
export async function listRuns(folder: string): Promise<string[]> {
  // A runs folder linked to somewhere else is refused, not listed.
  await assertInside(folder, runsDir(folder), '.autodata/runs');
  try {
    return (await fs.readdir(runsDir(folder)))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => f.slice(0, -6))
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

/** The journal's events that pass the schema; lines that do not (a torn tail, a newer format) are counted, not fatal. */
export async function readJournal(file: string): Promise<{ events: EngineEvent[]; skipped: number }> {
  // A journal of a workspace (<folder>/.autodata/runs/<id>.jsonl) is read only if it really is inside that folder.
  const runs = path.dirname(file);
  if (path.basename(runs) === 'runs' && path.basename(path.dirname(runs)) === '.autodata') {
    await assertInside(path.dirname(path.dirname(runs)), file);
  }
  const { values, badLines } = await readJsonl(file);
  const events: EngineEvent[] = [];
  let skipped = badLines.length;
  for (const v of values) {
    const e = EngineEvent.safeParse(v);
    if (e.success) {
      events.push(e.data);
    } else {
      skipped++;
    }
  }
  return { events, skipped };
}

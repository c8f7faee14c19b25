// Every accepted item in any journal reaches the dataset: items a run journaled but could not write (a full disk, a
// read-only dataset, a crash between the two writes) are appended on the next start, resume, approval or export,
// whatever the run's final state. Cheap on every call: a cursor per journal (`.autodata/runs/reconciled.json`) records
// how far its items are known to be in the dataset, so only what journals gained since is read.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { EngineEvent } from '../shared/events';
import type { DatasetRecord } from '../shared/schemas';
import { writeFileAtomic } from './atomic-file';
import type { Dataset } from './dataset';
import { journalFile, listRuns, runsDir } from './journal';
import { parseJsonl } from './jsonl';
import { assertInside, openRegular, readTextIfExists } from './workspace-boundary';

/** Which dataset a run writes (workspace-relative), kept next to its journal: `<runId>.dataset`. */
export function runDatasetFile(root: string, runId: string): string {
  return journalFile(root, runId).replace(/\.jsonl$/, '.dataset');
}

function datasetKey(root: string, datasetFile: string): string {
  return path.relative(root, datasetFile).split(path.sep).join('/');
}

/** Records that this run writes `datasetFile` (so its journal's items are reconciled into that dataset only). */
export async function noteRunDataset(root: string, runId: string, datasetFile: string): Promise<void> {
  const file = runDatasetFile(root, runId);
  await assertInside(root, file);
  const key = datasetKey(root, datasetFile);
  if ((await readTextIfExists(file))?.trim() !== key) {
    await writeFileAtomic(file, `${key}\n`, root);
  }
}

type Cursors = Record<string, Record<string, number>>;

function cursorFile(root: string): string {
  return path.join(runsDir(root), 'reconciled.json');
}

async function readCursors(root: string): Promise<Cursors> {
  try {
    const text = await readTextIfExists(cursorFile(root));
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Cursors) : {};
  } catch {
    return {};
  }
}

/** The whole lines of a journal from byte `from`, and where they end. */
async function readFrom(file: string, from: number): Promise<{ text: string; end: number } | undefined> {
  let h: fs.FileHandle;
  try {
    h = await openRegular(file, constants.O_RDONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
  try {
    const { size } = await h.stat();
    const start = size < from ? 0 : from;
    const buf = Buffer.alloc(size - start);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await h.read(buf, off, buf.length - off, start + off);
      if (bytesRead === 0) {
        break;
      }
      off += bytesRead;
    }
    const whole = buf.subarray(0, off).lastIndexOf(0x0a) + 1;
    return { text: buf.subarray(0, whole).toString('utf8'), end: start + whole };
  } finally {
    await h.close();
  }
}

/** Accepted items of a journal's events: engine acceptances and a person's approvals. */
function acceptedIn(values: unknown[]): DatasetRecord[] {
  const out: DatasetRecord[] = [];
  for (const v of values) {
    const e = EngineEvent.safeParse(v);
    if (!e.success) {
      continue;
    }
    if (e.data.type === 'item_accepted') {
      out.push(e.data.record);
    } else if (e.data.type === 'review_decision' && e.data.decision === 'approved' && e.data.record) {
      out.push(e.data.record);
    }
  }
  return out;
}

export interface Reconciled {
  /** Ids appended to the dataset now. */
  written: string[];
  /** Journals read (wholly or from their cursor). */
  journals: number;
  /** Runs whose journal could not be read (skipped). */
  unreadable: string[];
}

/**
 * Appends to `dataset` every item accepted in a journal of this workspace that the dataset lacks. A journal whose run
 * wrote another dataset (`<runId>.dataset`) is left to that one; a journal from before runs named their dataset
 * belongs to whichever dataset is reconciled. Throws the dataset's write error (nothing is marked done then).
 */
export async function reconcileDataset(root: string, dataset: Dataset): Promise<Reconciled> {
  await dataset.open();
  await assertInside(root, runsDir(root), '.autodata/runs');
  const key = datasetKey(root, dataset.file);
  const cursors = await readCursors(root);
  const mine = { ...(cursors[key] ?? {}) };
  const records: DatasetRecord[] = [];
  const advanced: Record<string, number> = {};
  let journals = 0;
  const unreadable: string[] = [];
  for (const runId of await listRuns(root)) {
    const owner = (await readTextIfExists(runDatasetFile(root, runId)).catch(() => undefined))?.trim();
    if (owner && owner !== key) {
      continue;
    }
    const file = journalFile(root, runId);
    // A journal that cannot be read (a FIFO or folder in its place, no permission) holds up no other: it is skipped.
    const read = await readFrom(file, mine[runId] ?? 0).catch(() => {
      unreadable.push(runId);
      return undefined;
    });
    if (!read || read.end === mine[runId]) {
      continue;
    }
    journals++;
    records.push(...acceptedIn(parseJsonl(read.text).values));
    advanced[runId] = read.end;
  }
  const written = records.length ? await dataset.appendAll(records) : [];
  if (Object.keys(advanced).length) {
    // Re-read: another process may have moved other cursors meanwhile. Losing a race only means reading again later.
    const latest = await readCursors(root);
    latest[key] = { ...(latest[key] ?? {}), ...advanced };
    await writeFileAtomic(cursorFile(root), JSON.stringify(latest), root).catch(() => undefined);
  }
  return { written, journals, unreadable };
}

// Finding the runs of a workspace that can go on, and what a resumed run keeps of its own: the acceptance rule, the
// solve order, the rollouts, the goal and the prompts it started with, whatever the settings say now.
import { constants } from 'node:fs';
import { NotAFileError, openRegular } from './workspace-boundary';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { sha256 } from '../core/chunks';
import { DEFAULT_PROMPTS, promptVersion, TEMPLATE_ROLES, type PromptSet } from '../core/prompts';
import { NotResumableError, ResumeFold, type ResumePoint } from '../core/resume';
import { EngineEvent, type EventOf } from '../shared/events';
import type { Target } from '../shared/schemas';
import { journalFile, listRuns } from './journal';
import { readLinesFrom } from './jsonl-lines';
import { readRecipe } from './recipe-file';
import type { RunSpec } from './run';
import type { RunSettings } from './settings';
import { readText } from './sources';
import type { WorkspaceFiles } from './workspace';
import { assertInsideIfUnder } from './workspace-boundary';

export class ResumeError extends Error {}

export interface Resumable {
  runId: string;
  point: ResumePoint;
  /** The journal's events (the panel shows them before the run goes on); absent when not asked for. */
  events: EngineEvent[];
  started: EventOf<'run_started'>;
}

export interface FindOptions {
  /** Keep every event of a resumable run's journal (default true: the editor's panel shows them). */
  events?: boolean;
}

const TAIL = 64 * 1024;

/**
 * Whether the journal's last run_finished event says "completed" (a run that has nothing left to do), read from the
 * journal's tail alone; undefined when the tail does not tell (no run_finished in it): then the journal is read.
 */
export async function finishedFromTail(file: string): Promise<boolean | undefined> {
  let h: fs.FileHandle;
  try {
    // A pipe or a device in the runs folder is refused, never waited on.
    h = await openRegular(file, constants.O_RDONLY);
  } catch (e) {
    if (e instanceof NotAFileError) {
      throw e;
    }
    return undefined;
  }
  try {
    const { size } = await h.stat();
    const len = Math.min(TAIL, size);
    const buf = Buffer.alloc(len);
    await h.read(buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    // The first piece may be cut mid-line unless the tail is the whole file.
    for (let i = lines.length - 1; i >= (len < size ? 1 : 0); i--) {
      if (!lines[i].includes('"run_finished"')) {
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(lines[i]);
      } catch {
        continue;
      }
      const e = EngineEvent.safeParse(value);
      if (e.success && e.data.type === 'run_finished') {
        return e.data.outcome === 'completed';
      }
    }
    return undefined;
  } finally {
    await h.close();
  }
}

/** Streams a journal into its resume point, keeping its events only when asked to. */
async function scanJournal(file: string, keep: boolean): Promise<{ fold: ResumeFold; events: EngineEvent[]; any: boolean; started?: EventOf<'run_started'> }> {
  const fold = new ResumeFold();
  const events: EngineEvent[] = [];
  let any = false;
  let started: EventOf<'run_started'> | undefined;
  await readLinesFrom(file, 0, 1, ({ text }) => {
    if (!text.trim()) {
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    const e = EngineEvent.safeParse(value);
    if (!e.success) {
      return;
    }
    any = true;
    if (e.data.type === 'run_started' && !started) {
      started = e.data;
    }
    fold.add(e.data);
    if (keep) {
      events.push(e.data);
    }
  });
  return { fold, events, any, started };
}

/**
 * The runs that can go on: the ids given (each must exist and be resumable, else ResumeError says why), or every run
 * of the workspace that did not complete. A run whose journal ends in a completed run_finished is known from the
 * journal's tail; only the journals of runs that can go on are read, one line at a time.
 */
export async function findResumable(root: string, ids?: readonly string[], opts: FindOptions = {}): Promise<Resumable[]> {
  const explicit = ids !== undefined && ids.length > 0;
  const out: Resumable[] = [];
  for (const runId of explicit ? ids : await listRuns(root)) {
    let file: string;
    try {
      file = journalFile(root, runId);
    } catch {
      throw new ResumeError(`"${runId}" is not a run id`);
    }
    if ((await finishedFromTail(file)) === true) {
      if (explicit) {
        throw new ResumeError(`run ${runId} has nothing left to do`);
      }
      continue;
    }
    const { fold, events, any, started } = await scanJournal(file, opts.events ?? true);
    if (!any && explicit) {
      throw new ResumeError(`no journal for run ${runId} in ${path.dirname(file)}`);
    }
    let point: ResumePoint;
    try {
      point = fold.result();
    } catch (e) {
      if (e instanceof NotResumableError) {
        if (explicit) {
          throw new ResumeError(`run ${runId} cannot be resumed: ${e.message}`);
        }
        continue;
      }
      throw e;
    }
    if (point.finished) {
      if (explicit) {
        throw new ResumeError(`run ${runId} has nothing left to do`);
      }
      continue;
    }
    out.push({ runId, point, events, started: started! });
  }
  return out;
}

/** The settings a resumed run goes on with: today's endpoints and limits, the run's own rule, order, rollouts and goal. */
export function pinnedSettings(current: RunSettings, started: EventOf<'run_started'>): RunSettings {
  return {
    ...current,
    itemsPerRun: started.goal ?? 0,
    engine: { ...current.engine, policy: started.policy, solveOrder: started.solveOrder, rollouts: started.rollouts ?? current.engine.rollouts },
  };
}

/** The run's own prompts when its journal holds them; otherwise today's, with a note when they differ from the run's. */
export function pinnedPrompts(current: PromptSet, started: EventOf<'run_started'>): { prompts: PromptSet; note?: string } {
  if (started.prompts) {
    const prompts = {
      ...DEFAULT_PROMPTS,
      ...Object.fromEntries(TEMPLATE_ROLES.filter((r) => started.prompts![r]).map((r) => [r, started.prompts![r]])),
    } as PromptSet;
    if (promptVersion(prompts) === started.promptVersion) {
      return { prompts };
    }
  }
  if (promptVersion(current) === started.promptVersion) {
    return { prompts: current };
  }
  return {
    prompts: current,
    note: `the prompt templates changed since run ${started.runId} started (${started.promptVersion} → ${promptVersion(current)}); its remaining attempts use today's`,
  };
}

/** Reads a document the way a resume needs it: as recorded (relative to the workspace), unchanged since the run. */
export async function readRunDocument(root: string, r: Resumable, read: (file: string) => Promise<string> = readText): Promise<string> {
  const docPath = r.started.document.path;
  const file = path.resolve(root, docPath);
  // A recorded path inside the workspace must still be inside it (not a link out); an absolute one was named by the person.
  await assertInsideIfUnder(root, file);
  let text: string;
  try {
    await fs.access(file);
    text = await read(file);
  } catch {
    throw new ResumeError(`${docPath} is gone: run ${r.runId} cannot go on without its document`);
  }
  if (sha256(text) !== r.point.documentSha256) {
    throw new ResumeError(`${docPath} changed since run ${r.runId}: its ranges would no longer match. Start a new run instead.`);
  }
  return text;
}

/** Everything a resumed run needs but its models: pinned settings and prompts, its sections, its recipe. */
export async function resumeSpec(ws: WorkspaceFiles, r: Resumable, current: RunSettings, text: string): Promise<Omit<RunSpec, 'models'> & { notes: string[] }> {
  const settings = pinnedSettings(current, r.started);
  const { prompts, note } = pinnedPrompts(ws.prompts, r.started);
  const targets: Target[] = r.point.targets.map((t) => ({ ...t, text: text.slice(t.range.start, t.range.end) }));
  return {
    runId: r.runId,
    document: { path: r.started.document.path, text },
    targets,
    settings,
    prompts,
    goal: r.started.goal,
    resume: r.point,
    recipe: r.point.recipe ?? (await readRecipe(ws.root)),
    mode: r.started.mode === 'step' ? 'step' : 'run',
    notes: note ? [note] : [],
  };
}

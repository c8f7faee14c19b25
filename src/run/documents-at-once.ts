// Several documents' runs at once over one set of models (so one request limit per endpoint), with one shared pool of
// section slots: the sections of every open document take turns in it, so the endpoint's limit stays busy whatever
// the documents' sizes; no document starts once `keepGoing` says no (a stop, a failed run).
import { baseURLsOf } from '../core/endpoint';
import { Limiter } from '../core/limiter';
import type { ChatModel } from '../core/models';
import type { WithSecondJudge } from '../shared/schemas';
import { Run, type RunObserver, type RunResult, type RunSpec } from './run';
import type { WorkspaceFiles } from './workspace';

/**
 * Sections in flight across the documents of a batch: a section has about one request open on average (a burst of
 * rollouts or judge calls, then one call at a time, with gaps while its results are checked and recorded), so four
 * times the request limit keeps the limiter's queue from running dry; the limiter caps the endpoint. Never fewer than
 * the sections at once a single run is allowed.
 */
export function sectionSlots(requestConcurrency: number, sectionsAtOnce: number): number {
  return Math.max(1, sectionsAtOnce, 4 * requestConcurrency);
}

/**
 * How many documents to keep open: enough sections to fill the slots half as much again (so the slots stay taken
 * while an ended document's successor opens its files), at least one.
 */
export function documentsAtOnce(sections: readonly number[], slots: number): number {
  const perDocument = sections.length ? sections.reduce((a, b) => a + b, 0) / sections.length : 1;
  return Math.max(1, Math.min(sections.length, Math.ceil((1.5 * slots) / Math.max(1, perDocument))));
}

/**
 * Runs `runOne` over the jobs with at most `atOnce` running, starting the next as one ends while `keepGoing()` holds.
 * Results come in the order the runs ended; a run that throws stops new starts and the error is rethrown after the
 * running ones end.
 */
export async function runAtOnce<J, R>(
  jobs: readonly J[],
  atOnce: number,
  runOne: (job: J) => Promise<R>,
  keepGoing: (ended: readonly R[]) => boolean,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let thrown: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < jobs.length && !thrown && keepGoing(results)) {
      const job = jobs[next++];
      try {
        results.push(await runOne(job));
      } catch (e) {
        thrown ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(atOnce, jobs.length)) }, lane));
  if (thrown) {
    throw thrown.error;
  }
  return results;
}

/** One document's run: what every run of the batch shares is passed to `runDocuments`. */
export type DocumentJob = Omit<RunSpec, 'models' | 'sectionSlots'>;

export interface DocumentsObserver {
  /** Called with each run as it starts (so a stop reaches it) and when it ends. */
  started?(run: Run, job: DocumentJob): void;
  ended?(run: Run, job: DocumentJob): void;
  /** The observer of one document's run (events, write failures). */
  observer?(job: DocumentJob): RunObserver;
  /** When false, no further document starts (a stop). */
  keepGoing?(): boolean;
}

/**
 * Runs several documents at once over one set of models, so they share each endpoint's request limit, and one pool of
 * section slots; a run that does not complete (stopped, failed) starts no other. Results in the order the runs ended.
 */
export async function runDocuments(
  ws: WorkspaceFiles,
  jobs: readonly DocumentJob[],
  models: WithSecondJudge<ChatModel>,
  requestConcurrency: number,
  o: DocumentsObserver = {},
): Promise<RunResult[]> {
  const sectionsAtOnce = Math.max(1, ...jobs.map((j) => j.settings.engine.targetConcurrency));
  // A role over several replicas has each one's limit: slots enough to keep all of them busy.
  const replicas = Math.max(1, ...jobs.flatMap((j) => Object.values(j.settings.engine.roles).map((ep) => baseURLsOf(ep).length)));
  // One document alone keeps its own sections at once (`targetConcurrency`); several share the slots.
  const slots = jobs.length > 1 ? new Limiter(sectionSlots(requestConcurrency * replicas, sectionsAtOnce)) : undefined;
  return runAtOnce(
    jobs,
    slots
      ? documentsAtOnce(
          jobs.map((j) => j.targets.length),
          slots.limit,
        )
      : 1,
    async (job) => {
      const run = new Run(ws, { ...job, models, sectionSlots: slots }, o.observer?.(job));
      o.started?.(run, job);
      try {
        if (o.keepGoing && !o.keepGoing()) {
          run.stop();
        }
        return await run.start();
      } finally {
        o.ended?.(run, job);
      }
    },
    (ended) => (o.keepGoing?.() ?? true) && ended.every((r) => r.outcome === 'completed'),
  );
}

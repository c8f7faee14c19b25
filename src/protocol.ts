// Every message between the host and the Autodata panel, validated on receipt by both sides.
import { z } from 'zod';
import { PolicyThresholds } from './shared/thresholds';
import { EngineEvent } from './shared/events';
import { Challenge, ChallengeEdit } from './shared/schemas';

export { ChallengeEdit };

export const PanelRun = z.object({
  runId: z.string(),
  title: z.string(),
  documentPath: z.string(),
  thresholds: PolicyThresholds,
  solveOrder: z.enum(['cost', 'latency']),
  mode: z.enum(['run', 'step']),
  goal: z.number().int().optional(),
  /** Whether the engine behind this run is alive (false for a run restored from its journal). */
  live: z.boolean(),
  /** Shown from its journal (after a reload, or an earlier run), not watched live in this panel. */
  restored: z.boolean().optional(),
});
export type PanelRun = z.infer<typeof PanelRun>;

const AttemptIds = z.array(z.string().min(1).max(200)).min(1).max(1000);

/** Host → webview. */
export const HostMessage = z.discriminatedUnion('type', [
  /** A new run (or none): the webview clears its state. */
  z.object({ type: z.literal('reset'), run: PanelRun.nullable() }),
  /**
   * Events of the current run, in order (live, or replayed from the journal). A replayed slice is numbered: the webview
   * answers `folded` with its number once it has taken it in, and the host sends more (src/host/paced-outbox.ts).
   */
  z.object({ type: z.literal('events'), events: z.array(EngineEvent), slice: z.number().int().positive().optional() }),
  /** Streamed solver text as it arrives; shown, never stored. */
  z.object({ type: z.literal('delta'), attemptId: z.string(), solver: z.enum(['weak', 'strong']), index: z.number().int(), text: z.string() }),
  z.object({ type: z.literal('run'), run: PanelRun }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), text: z.string() }),
  /** Asks the webview to report what it shows (used by tests and diagnostics). */
  z.object({ type: z.literal('probe'), id: z.number().int(), selector: z.string().max(200) }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

/** Webview → host. */
export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), runId: z.string().optional() }),
  z.object({ type: z.literal('control'), action: z.enum(['run', 'step', 'pause', 'resume', 'stop']) }),
  /** Start a new run on the document the run was made from (or the active editor). */
  z.object({ type: z.literal('start'), mode: z.enum(['run', 'step']), goal: z.number().int().min(0).max(10_000) }),
  z.object({ type: z.literal('editChallenge'), attemptId: z.string().min(1).max(200), challenge: Challenge }),
  z.object({ type: z.literal('addNote'), text: z.string().min(1).max(5000), targetId: z.string().max(200).optional() }),
  z.object({ type: z.literal('approve'), attemptIds: AttemptIds, edit: ChallengeEdit.optional() }),
  z.object({ type: z.literal('reject'), attemptIds: AttemptIds, reason: z.string().min(1).max(5000) }),
  z.object({ type: z.literal('revealSource'), start: z.number().int().min(0), end: z.number().int().min(0) }),
  z.object({ type: z.literal('openDataset') }),
  /** A replayed slice of events has been folded into the panel's state. */
  z.object({ type: z.literal('folded'), slice: z.number().int().positive() }),
  z.object({ type: z.literal('probeResult'), id: z.number().int(), count: z.number().int(), texts: z.array(z.string()) }),
  z.object({ type: z.literal('webviewError'), message: z.string().max(5000) }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

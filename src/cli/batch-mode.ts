// `--batch`: the CLI's runs with every model request sent as a line of an OpenAI batch (files and batches endpoints),
// in waves across all sections; the batch journal lets a resumed run collect what was submitted before a stop.
import { originOf } from '../core/endpoint';
import { openAIBatchApi, type BatchApi } from '../core/batch/batch-client';
import { BatchQueue } from '../core/batch/batch-queue';
import { batchPrices, type PriceTable } from '../core/budget';
import { batchJournal, uncollectedBatches } from '../run/batch-journal';
import type { RunObserver } from '../run/run';
import type { KeyRing } from '../run/models';
import { ROLES } from '../shared/schemas';
import { UsageError } from './args';
import type { CliSettings } from './config';

export interface BatchMode {
  queue: BatchQueue;
  /** The price table as configured (interactive calls), for the saving shown at the end. */
  interactivePrices: PriceTable;
  /** Counts a run's sections in and out of the queue, so a wave goes out when every live one waits. */
  observe(runId: string, inner: RunObserver): RunObserver;
  /** A run ended: its sections still counted leave the queue. */
  ended(runId: string): void;
  /** Where batches submitted and collected are told (the progress output). */
  report?: (text: string) => void;
  /**
   * Resolves once the running runs' journals hold every event so far: a batch is recorded only after them, so a process
   * stopped at any point leaves no recorded batch whose run could not be resumed.
   */
  journalsWritten?: () => Promise<unknown>;
  /** Stops the queue; `completed`: every run completed, so the batches fetched are recorded as collected. */
  close(completed: boolean): Promise<void>;
}

/** Most sections at once in batch mode (the engine's own limit): each wave carries a request of each. */
const SECTIONS_AT_ONCE = 32;

/**
 * Sets the run settings for batch mode (every section at once, batch prices for the budget and the cost) and makes the
 * queue; `resuming` collects the batches an earlier process recorded and did not collect.
 */
export async function startBatchMode(
  settings: CliSettings,
  keys: KeyRing,
  opts: { pollSeconds: number; resuming: boolean; onNote(t: string): void },
): Promise<BatchMode> {
  for (const role of ROLES) {
    const model = settings.engine.roles[role].model;
    if (model.startsWith('vscode-lm:')) {
      throw new UsageError(
        `--batch needs every role on an endpoint with the files and batches endpoints; roles.${role} uses ${model}, a VS Code language model (editor only)`,
      );
    }
  }
  const interactivePrices = settings.engine.prices;
  settings.engine = { ...settings.engine, prices: batchPrices(interactivePrices), targetConcurrency: SECTIONS_AT_ONCE };
  // The request limit no longer applies to batch lines: it only decides how many documents run at once.
  settings.requestConcurrency = 256;
  const apis = new Map<string, BatchApi>();
  const apiFor = (baseURL: string) => {
    if (!apis.has(baseURL)) {
      apis.set(baseURL, openAIBatchApi({ baseURL, apiKey: keys.get(originOf(baseURL)) ?? '', maxRetries: settings.maxRetries, timeoutMs: settings.timeoutMs }));
    }
    return apis.get(baseURL)!;
  };
  const uncollected = await uncollectedBatches(settings.workspace);
  const recorded = opts.resuming ? uncollected : [];
  if (recorded.length) {
    opts.onNote(`collecting ${recorded.length} batch(es) submitted before the stop: ${recorded.map((r) => r.batchId).join(', ')}`);
  } else if (uncollected.length) {
    opts.onNote(`note: ${uncollected.length} batch(es) submitted before a stop are not collected; "autodata resume --batch" collects them`);
  }
  const journal = batchJournal(settings.workspace);
  const pollMs = Math.round(opts.pollSeconds * 1000);
  const live = new Map<string, Set<string>>();
  const mode: BatchMode = {
    interactivePrices,
    observe(runId, inner) {
      const mine = live.get(runId) ?? new Set<string>();
      live.set(runId, mine);
      return {
        ...inner,
        emitted(e) {
          // In the engine's own call: the section's work from here on is known to be its own.
          if (e.type === 'target_started') {
            mine.add(e.targetId);
            mode.queue.enter(`${runId}/${e.targetId}`);
          } else if (e.type === 'target_finished' && mine.delete(e.targetId)) {
            mode.queue.leave(`${runId}/${e.targetId}`);
          }
          inner.emitted?.(e);
        },
      };
    },
    ended(runId) {
      for (const t of live.get(runId) ?? []) {
        mode.queue.leave(`${runId}/${t}`);
      }
      live.delete(runId);
    },
    close: async (completed) => {
      await mode.queue.close(completed);
      await journal.close();
    },
    queue: new BatchQueue({
      apiFor,
      pollMs,
      gatherMs: Math.max(2000, 2 * pollMs),
      maxRetries: settings.maxRetries,
      log: {
        submitted: async (r) => {
          await mode.journalsWritten?.();
          await journal.submitted(r);
        },
        collected: async (id) => {
          // After the runs' journals: a batch counts as collected only once what its answers led to is on disk.
          await mode.journalsWritten?.();
          await journal.collected(id);
        },
      },
      recorded,
      onBatch: (e) =>
        mode.report?.(
          e.type === 'submitted' ? `batch ${e.batchId}: ${e.lines} line(s) submitted` : `batch ${e.batchId}: ${e.status}, ${e.lines} line(s) collected`,
        ),
    }),
  };
  return mode;
}

/** The summary's batch line: batches, waves, lines, and the cost against the same tokens at interactive prices. */
export function batchSummary(mode: BatchMode, batchCost: number | undefined, interactiveCost: number | undefined): string {
  const s = mode.queue.stats;
  const out = s.batches + s.resumedBatches - s.collected;
  const head =
    `batch mode: ${s.batches} batch(es) in ${s.waves} wave(s), ${s.lines} line(s)${s.retriedLines ? ` (${s.retriedLines} asked again)` : ''}` +
    `${s.resumedBatches ? `, ${s.resumedBatches} collected from before the stop` : ''}` +
    `${out > 0 ? `, ${out} still out (recorded in .autodata/batches.jsonl: resume --batch collects them)` : ''}`;
  if (batchCost === undefined || interactiveCost === undefined) {
    return `${head}; no cost (a model in use has no price)`;
  }
  const saving = interactiveCost > 0 ? (100 * (interactiveCost - batchCost)) / interactiveCost : 0;
  return `${head}; cost ${batchCost.toFixed(4)} at batch prices, ${interactiveCost.toFixed(4)} as interactive calls (saving ${saving.toFixed(1)}%)`;
}

// What a run needs besides the engine's config: limits per endpoint, the dataset's place, section size. The editor's
// settings and the CLI's config file are both read into this one shape.
import type { EngineConfig } from '../core/config';

export interface RunSettings {
  engine: EngineConfig;
  /** Requests in flight at once per endpoint origin. */
  requestConcurrency: number;
  maxRetries: number;
  timeoutMs: number;
  /** Accepted items after which a run stops (0: every section). */
  itemsPerRun: number;
  sectionMaxChars: number;
  /** Dataset file, relative to the workspace folder. */
  datasetPath: string;
  /** Solver text forwarded as it streams (the panel shows it; the CLI has no use for it). */
  streamAnswers: boolean;
}

export const RUN_DEFAULTS = {
  requestConcurrency: 8, maxRetries: 4, timeoutMs: 180_000, itemsPerRun: 0, sectionMaxChars: 12_000, datasetPath: '.autodata/dataset.jsonl', streamAnswers: true,
} as const satisfies Omit<RunSettings, 'engine'>;

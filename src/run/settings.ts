// What a run needs besides the engine's config: limits per endpoint, the dataset's place, section size. The editor's
// settings and the CLI's config file are both read into this one shape.
import type { EngineConfig } from '../core/config';
import type { EndpointOverrides } from '../core/endpoints/capabilities';

export interface RunSettings {
  engine: EngineConfig;
  /** Requests in flight at once per endpoint origin. */
  requestConcurrency: number;
  maxRetries: number;
  /** Overall deadline of one request. */
  timeoutMs: number;
  /** Longest silence while a reply is due (before the first byte, between stream chunks). */
  idleTimeoutMs: number;
  /** What endpoints accept, pinned by the person (by model, host or host/model); otherwise learned from replies. */
  endpoints: EndpointOverrides;
  /** Accepted items after which a run stops (0: every section). */
  itemsPerRun: number;
  sectionMaxChars: number;
  /** Dataset file, relative to the workspace folder. */
  datasetPath: string;
  /** Solver text forwarded as it streams (the panel shows it; the CLI has no use for it). */
  streamAnswers: boolean;
  /** Seconds an endpoint may stay down (the run waits and asks again) before the run stops as interrupted, resumable. */
  outageLimitSeconds: number;
}

export const RUN_DEFAULTS = {
  requestConcurrency: 8,
  maxRetries: 4,
  timeoutMs: 180_000,
  idleTimeoutMs: 120_000,
  endpoints: {},
  itemsPerRun: 0,
  sectionMaxChars: 12_000,
  datasetPath: '.autodata/dataset.jsonl',
  streamAnswers: true,
  outageLimitSeconds: 300,
} as const satisfies Omit<RunSettings, 'engine'>;

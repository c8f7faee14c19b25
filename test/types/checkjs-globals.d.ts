// Ambient types for the JavaScript test scripts (tsconfig.test-js.json): the hooks the panel benchmarks' stub page puts
// on `window` before the panel loads (the init script in test/bench/panel-render.harness.js).

/** A message the panel posted to the host, as the stub recorded it (a JSON copy). */
interface PostedMessage {
  type: string;
  [key: string]: unknown;
}

declare global {
  interface Window {
    /** Delivers a host message to the panel, as VS Code's postMessage would. */
    __send: (message: unknown) => void;
    /** Every message the panel posted to the host, in order. */
    __posted: PostedMessage[];
    /** Called with each message the panel posts (a benchmark acting as the host, e.g. pacing a replay). */
    __postListeners: Array<(message: PostedMessage) => void>;
    /** Each Content-Security-Policy violation the page reported, as text. */
    __cspViolations: string[];
    /** How many host messages reached the page. */
    __arrivals: number;
    /** When the last host message reached the page (performance.now()). */
    __lastArrival: number;
    /** Durations of the long tasks a benchmark observed (set up by the benchmark before use). */
    __long: number[];
    /** Messages a benchmark put into the page ahead of timing their delivery (uploaded in pieces). */
    __staged: Array<{ type: string; events?: unknown[]; [k: string]: unknown }>;
    /** Set only if injected markup ever ran script: must stay undefined. */
    __pwned?: number;
  }
}

export {};

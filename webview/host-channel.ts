// The one way to the extension host: typed, validated messages out, and the panel's persisted state ({ runId }).
import { WebviewMessage } from '../src/protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface PersistedState {
  runId?: string;
}

export class HostChannel {
  private readonly api: VsCodeApi;

  constructor() {
    // acquireVsCodeApi may be called only once per page load.
    this.api =
      typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  }

  /** Posts a message after checking it against the protocol; a message that fails is reported instead of sent. */
  post(msg: WebviewMessage): boolean {
    const parsed = WebviewMessage.safeParse(msg);
    if (!parsed.success) {
      this.reportError(`refused to send an invalid ${msg.type} message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return false;
    }
    this.api.postMessage(parsed.data);
    return true;
  }

  reportError(message: string): void {
    this.api.postMessage({ type: 'webviewError', message: message.slice(0, 5000) } satisfies WebviewMessage);
  }

  get persisted(): PersistedState {
    const s = this.api.getState();
    if (s && typeof s === 'object' && typeof (s as PersistedState).runId === 'string') {
      return { runId: (s as PersistedState).runId };
    }
    return {};
  }

  persist(state: PersistedState): void {
    this.api.setState(state);
  }
}

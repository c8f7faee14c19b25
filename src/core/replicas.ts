// One role's model served by several base URLs (replicas): each request goes to the replica with the most free capacity
// by its own learned limit; a replica that stops answering is set aside, with a backoff that doubles, and is asked
// again (one probe at a time) when its wait is over. The run's CallWatch routes each request itself, so every call
// event names the host it went to; `complete` alone routes once and reports, for callers outside a run.
import type { Limiter } from './limiter';
import type { ChatModel, ChatRequest, ChatResult } from './models';

export interface Replica {
  model: ChatModel;
  limiter: Limiter;
  /** Whether the host answers: shared by every role's set that sends to it (new: in use). */
  health?: Health;
}

/** A host's standing in the replica sets that use it. */
export interface Health {
  failures: number;
  /** Set aside until then (0: in use). */
  retryAt: number;
  /** A probe of a set-aside host is under way: no other request goes there meanwhile. */
  probing: boolean;
}

export function newHealth(): Health {
  return { failures: 0, retryAt: 0, probing: false };
}

export interface SetAsidePolicy {
  firstRetryMs: number;
  maxRetryMs: number;
}

interface State {
  replica: Replica;
  health: Health;
  /** When this set last sent to it (a count): of equally free replicas, the one unused longest goes first. */
  lastPick: number;
}

export class ReplicaSet implements ChatModel {
  readonly model: string;
  readonly endpoint: string;
  private readonly states: State[];
  private picks = 0;

  constructor(
    replicas: readonly Replica[],
    private readonly policy: SetAsidePolicy = { firstRetryMs: 2_000, maxRetryMs: 30_000 },
    private readonly now: () => number = Date.now,
  ) {
    if (replicas.length === 0) {
      throw new Error('a replica set needs at least one replica');
    }
    this.model = replicas[0].model.model;
    this.endpoint = replicas.map((r) => r.model.endpoint).join(', ');
    this.states = replicas.map((replica) => ({ replica, health: replica.health ?? newHealth(), lastPick: 0 }));
  }

  get replicas(): readonly ChatModel[] {
    return this.states.map((s) => s.replica.model);
  }

  /** Whether some replica is in use (not set aside, or due for its probe). */
  anyAvailable(): boolean {
    return this.states.some((s) => this.usable(s));
  }

  /**
   * The replica for the next request: of those in use, the one least full with it (running and waiting over its limit),
   * of equally full ones the one unused longest; when every one is set aside, the one due first, as a probe.
   */
  pick(): ChatModel {
    const usable = this.states.filter((s) => this.usable(s));
    const freer = (a: State, b: State) => {
      const la = a.replica.limiter.loadWithOneMore();
      const lb = b.replica.limiter.loadWithOneMore();
      return la < lb || (la === lb && a.lastPick < b.lastPick);
    };
    const chosen = usable.length
      ? usable.reduce((best, s) => (freer(s, best) ? s : best))
      : this.states.reduce((best, s) => (s.health.retryAt < best.health.retryAt ? s : best));
    chosen.lastPick = ++this.picks;
    if (chosen.health.failures > 0) {
      chosen.health.probing = true;
    }
    return chosen.replica.model;
  }

  /** The replica answered: in use again, its backoff forgotten. */
  answered(model: ChatModel): void {
    const h = this.stateOf(model)?.health;
    if (h) {
      h.failures = 0;
      h.retryAt = 0;
      h.probing = false;
    }
  }

  /** A request to the replica ended without telling whether it is back (it was aborted): a probe may go there again. */
  released(model: ChatModel): void {
    const h = this.stateOf(model)?.health;
    if (h) {
      h.probing = false;
    }
  }

  /** The replica did not answer (down, overloaded, timed out): set aside, longer each time a probe fails. */
  failed(model: ChatModel): void {
    const h = this.stateOf(model)?.health;
    if (!h) {
      return;
    }
    const now = this.now();
    // Requests that were under way when it went down fail together: they set it aside once.
    if (h.retryAt > now && !h.probing) {
      return;
    }
    h.probing = false;
    h.retryAt = now + Math.min(this.policy.firstRetryMs * 2 ** h.failures, this.policy.maxRetryMs);
    h.failures++;
  }

  /** One request to the replica `pick` names, its outcome noted (callers outside a run; a run's CallWatch routes itself). */
  async complete(req: ChatRequest): Promise<ChatResult> {
    const model = this.pick();
    try {
      const result = await model.complete(req);
      this.answered(model);
      return result;
    } catch (e) {
      if (req.signal?.aborted) {
        this.released(model);
      } else {
        this.failed(model);
      }
      throw e;
    }
  }

  private usable(s: State): boolean {
    return s.health.failures === 0 || (s.health.retryAt <= this.now() && !s.health.probing);
  }

  private stateOf(model: ChatModel): State | undefined {
    return this.states.find((s) => s.replica.model === model);
  }
}

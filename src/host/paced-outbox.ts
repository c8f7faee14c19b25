// Messages to a webview, in order, with a replayed history paced by the webview itself: a journal of 10,000 attempts
// is hundreds of slices, and posted at once they would fill the webview's task queue, so it could neither paint the
// first of them nor answer a click until it had decoded them all. Each slice carries a number; the webview says when
// it has folded one (`folded`), and no more than `window` slices are ever unacknowledged. Every other message waits
// its turn behind the slices before it, so the order the webview sees is the order they were sent in.

/** Slices that may be on their way or queued in the webview at once. */
export const REPLAY_WINDOW = 3;

interface Queued<M> {
  msg: M;
  paced: boolean;
}

export class PacedOutbox<M extends object> {
  private queue: Queued<M>[] = [];
  private head = 0;
  /** Slice numbers only grow (across restarts too), so an acknowledgement from before a restart is never mistaken. */
  private sent = 0;
  private acked = 0;

  constructor(
    private readonly send: (msg: M & { slice?: number }) => void,
    private readonly window = REPLAY_WINDOW,
  ) {}

  /** Queues a message: `paced` for a slice of replayed history, sent only while fewer than `window` are unacknowledged. */
  push(msg: M, paced = false): void {
    this.queue.push({ msg, paced });
    this.pump();
  }

  /** The webview has folded this slice (and every slice before it). */
  folded(slice: number): void {
    if (slice > this.acked && slice <= this.sent) {
      this.acked = slice;
      this.pump();
    }
  }

  /** The webview (re)started: what was queued or in flight is void; the caller sends everything again. */
  restart(): void {
    this.queue = [];
    this.head = 0;
    this.acked = this.sent;
  }

  /** Messages not yet sent. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  private pump(): void {
    while (this.head < this.queue.length) {
      const next = this.queue[this.head];
      if (next.paced && this.sent - this.acked >= this.window) {
        return;
      }
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (next.paced) {
        this.send({ ...next.msg, slice: ++this.sent });
      } else {
        this.send(next.msg);
      }
    }
    this.queue = [];
    this.head = 0;
  }
}

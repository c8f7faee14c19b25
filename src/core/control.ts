// Run / step / pause / resume / stop: a gate the loop passes before each step, and the abort signal for in-flight calls.
import { setMaxListeners } from 'node:events';

export class StoppedError extends Error {
  constructor() {
    super('The run was stopped');
    this.name = 'StoppedError';
  }
}

export type ControlState = 'running' | 'paused' | 'stepping';

export class RunControl {
  private readonly abort = new AbortController();
  private mode: ControlState;
  /** Steps allowed through while in step mode. */
  private credits = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    start: 'run' | 'step',
    private readonly onState: (s: ControlState) => void,
  ) {
    this.mode = start === 'run' ? 'running' : 'stepping';
    // Every request in flight, and every call waiting for an endpoint or the writer, listens to this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
  get stopped(): boolean {
    return this.abort.signal.aborted;
  }
  get state(): ControlState {
    return this.mode;
  }

  /** Waits until the loop may take its next step. `onWait` runs only when it actually has to wait. */
  async pass(onWait?: () => void): Promise<void> {
    if (this.stopped) {
      throw new StoppedError();
    }
    if (this.mode === 'running') {
      return;
    }
    if (this.mode === 'stepping' && this.credits > 0) {
      this.credits--;
      return;
    }
    onWait?.();
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.pass();
  }

  /** Waits while the run is paused (work in the background, such as recipe trials, holds too); no step is used up. */
  async unpaused(): Promise<void> {
    while (!this.stopped && this.mode === 'paused') {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.stopped) {
      throw new StoppedError();
    }
  }

  run(): void {
    this.set('running');
    this.wake();
  }
  resume(): void {
    this.run();
  }
  pause(): void {
    if (!this.stopped && this.mode === 'running') {
      this.set('paused');
    }
  }
  /** Lets exactly one more step through, then holds again. */
  step(): void {
    if (this.stopped) {
      return;
    }
    if (this.mode !== 'stepping') {
      this.set('stepping');
    }
    this.credits++;
    this.wake();
  }
  stop(): void {
    if (this.stopped) {
      return;
    }
    this.abort.abort(new StoppedError());
    this.wake();
  }

  private set(s: ControlState): void {
    if (this.mode !== s) {
      this.mode = s;
      this.onState(s);
    }
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) {
      w();
    }
  }
}

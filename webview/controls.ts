// What the run controls do in each run state, and the panel's keyboard shortcuts. No DOM.
import type { WebviewMessage } from '../src/protocol';
import type { RunState } from './store';

export type ControlAction = 'run' | 'step' | 'pause' | 'resume' | 'stop';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['run', 'step', 'pause', 'resume', 'stop'];

const ENABLED: Record<RunState, readonly ControlAction[]> = {
  idle: ['run', 'step'],
  finished: ['run', 'step'],
  running: ['pause', 'stop'],
  paused: ['resume', 'step', 'stop'],
  stepping: ['step', 'run', 'stop'],
  interrupted: ['resume', 'run', 'step'],
};

export function isEnabled(state: RunState, action: ControlAction): boolean {
  return ENABLED[state].includes(action);
}

/** The message a control sends in a state (idle / finished: Run and Step start a new run), or undefined when disabled. */
export function controlMessage(state: RunState, action: ControlAction, goal: number): WebviewMessage | undefined {
  if (!isEnabled(state, action)) {
    return undefined;
  }
  if ((state === 'idle' || state === 'finished' || state === 'interrupted') && (action === 'run' || action === 'step')) {
    return { type: 'start', mode: action, goal };
  }
  return { type: 'control', action };
}

/** Labels that say what a button does now (Run continues a stepped run). */
export function controlLabel(state: RunState, action: ControlAction): string {
  switch (action) {
    case 'run':
      return state === 'stepping' ? 'Continue' : 'Run';
    case 'step':
      return 'Step';
    case 'pause':
      return 'Pause';
    case 'resume':
      return 'Resume';
    case 'stop':
      return 'Stop';
  }
}

export const SHORTCUT_KEYS: Record<ControlAction, string> = { run: 'R', step: 'S', pause: 'P', resume: 'P', stop: 'X' };

export const CONTROL_TITLES: Record<ControlAction, (s: RunState) => string> = {
  run: (s) => `${s === 'stepping' ? 'Continue without stopping after each step' : 'Start a run that goes on by itself'} (R)`,
  step: (s) => `${s === 'idle' || s === 'finished' ? 'Start a run that waits after each step, so you can edit questions' : 'Take one step, then wait'} (S)`,
  pause: () => 'Pause after the current step (P)',
  resume: (s) => (s === 'interrupted' ? 'Go on with this run from its journal, without redoing finished calls (P)' : 'Resume the run (P)'),
  stop: () => 'Stop the run; finished items stay in the dataset (X)',
};

export type PanelCommand = ControlAction | 'next' | 'previous' | 'approve';

/** The command a key press means in a state, if any (p pauses a running run and resumes a paused one). */
export function shortcutFor(key: string, state: RunState): PanelCommand | undefined {
  switch (key) {
    case 'r':
      return 'run';
    case 's':
      return 'step';
    case 'p':
      return state === 'paused' || state === 'interrupted' ? 'resume' : 'pause';
    case 'x':
      return 'stop';
    case 'j':
      return 'next';
    case 'k':
      return 'previous';
    case 'a':
      return 'approve';
    default:
      return undefined;
  }
}

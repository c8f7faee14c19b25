// The sticky run toolbar: Run / Step / Pause / Resume / Stop, the goal field, the state badge and a progress ring.
import { CONTROL_ACTIONS, CONTROL_TITLES, controlLabel, isEnabled, type ControlAction } from './controls';
import { button, h, toggleAttr } from './dom';
import { icon, type IconName } from './icons';
import type { RunState } from './store';

const ICONS: Record<ControlAction, IconName> = { run: 'play', step: 'step', pause: 'pause', resume: 'play', stop: 'stop' };

export interface ToolbarView {
  state: RunState;
  /** "Running", "Your turn: Step runs solve weak for s2.3", … */
  label: string;
  busy: boolean;
  goal?: number;
}

interface FieldLike extends HTMLElement {
  value: string;
}

/** Parses the goal field: a whole number 0..10000, or undefined. */
export function parseGoal(text: string): number | undefined {
  const t = text.trim();
  if (t === '') {
    return 0;
  }
  if (!/^\d{1,5}$/.test(t)) {
    return undefined;
  }
  const n = Number(t);
  return n <= 10_000 ? n : undefined;
}

export class Toolbar {
  readonly el: HTMLElement;
  private readonly buttons = new Map<ControlAction, HTMLElement>();
  private readonly goalField: FieldLike;
  private readonly badge: HTMLElement;
  private readonly ring: HTMLElement;
  private state: RunState = 'idle';
  private goalTouched = false;

  constructor(onAction: (a: ControlAction) => void, onOpenDataset: () => void) {
    const group = h('div', { class: 'controls', attrs: { role: 'toolbar', 'aria-label': 'Run controls' } });
    for (const a of CONTROL_ACTIONS) {
      const b = button(controlLabel('idle', a), a, { icon: icon(ICONS[a]), ariaLabel: controlLabel('idle', a), onClick: () => onAction(a) });
      this.buttons.set(a, b);
      group.append(b);
    }
    this.goalField = h('vscode-text-field', {
      class: 'goal',
      attrs: {
        size: 4,
        maxlength: 5,
        'data-field': 'goal',
        placeholder: '0',
        'aria-label': 'Goal: accepted items wanted, 0 for every section',
        title: 'Accepted items wanted (0 = one series per section, every section)',
      },
    }) as FieldLike;
    this.goalField.value = '0';
    this.goalField.addEventListener('input', () => {
      this.goalTouched = true;
      this.validateGoal();
    });
    this.badge = h('span', { class: 'state-badge', attrs: { role: 'status', 'aria-live': 'polite', 'data-state': 'idle' } }, 'Idle');
    this.ring = h('vscode-progress-ring', { class: 'ring', attrs: { 'aria-label': 'Working' } });
    this.ring.hidden = true;
    this.el = h(
      'div',
      { class: 'toolbar' },
      group,
      h('label', { class: 'goal-label' }, h('span', null, 'Goal'), this.goalField),
      h('span', { class: 'status' }, this.ring, this.badge),
      h('span', { class: 'spacer' }),
      button(null, 'open-dataset', {
        appearance: 'icon',
        icon: icon('file'),
        title: 'Open the dataset file',
        ariaLabel: 'Open dataset',
        onClick: onOpenDataset,
      }),
    );
  }

  /** The goal typed in the field, or undefined when it is not a whole number 0..10000. */
  get goal(): number | undefined {
    return parseGoal(this.goalField.value ?? '');
  }

  private validateGoal(): void {
    const ok = this.goal !== undefined;
    toggleAttr(this.goalField, 'aria-invalid', !ok);
    this.goalField.classList.toggle('invalid', !ok);
  }

  update(v: ToolbarView): void {
    this.state = v.state;
    for (const [a, b] of this.buttons) {
      toggleAttr(b, 'disabled', !isEnabled(v.state, a));
      b.title = CONTROL_TITLES[a](v.state);
      const label = b.lastChild;
      const want = controlLabel(v.state, a);
      if (label?.nodeType === Node.TEXT_NODE && label.textContent !== want) {
        label.textContent = want;
        b.setAttribute('aria-label', want);
      }
      b.setAttribute('appearance', isPrimary(v.state, a) ? 'primary' : 'secondary');
    }
    const idle = v.state === 'idle' || v.state === 'finished';
    toggleAttr(this.goalField, 'disabled', !idle);
    if (!this.goalTouched && v.goal !== undefined) {
      this.goalField.value = String(v.goal);
    }
    if (this.badge.textContent !== v.label) {
      this.badge.textContent = v.label;
    }
    this.badge.dataset.state = v.state;
    this.badge.title = v.label;
    this.ring.hidden = !v.busy;
  }

  get runState(): RunState {
    return this.state;
  }
}

function isPrimary(state: RunState, a: ControlAction): boolean {
  switch (state) {
    case 'idle':
    case 'finished':
      return a === 'run';
    case 'paused':
    case 'interrupted':
      return a === 'resume';
    case 'stepping':
      return a === 'step';
    case 'running':
      return false;
  }
}

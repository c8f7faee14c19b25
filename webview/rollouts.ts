// One solver's rollouts on a card: a chip per rollout (score or failure), each opening its answer and the Judge's marks.
import type { RubricItem } from '../src/shared/schemas';
import { clippedText } from './clipped-text';
import { h, replaceChildren, toggleAttr } from './dom';
import { formatScore } from './format';
import type { RolloutView, Solver, SolverView } from './store';

const LIVE_TAIL = 2000;
const PREVIEW_TAIL = 240;

interface Slot {
  chip: HTMLButtonElement;
  panel: HTMLElement;
  view?: RolloutView;
  open: boolean;
  preview?: HTMLElement;
}

function chipText(r: RolloutView): string {
  if (r.live) {
    return `#${r.index + 1} streaming…`;
  }
  if (r.failure) {
    return `#${r.index + 1} ✗ ${r.failure}`;
  }
  if (r.score !== undefined) {
    return `#${r.index + 1} ${formatScore(r.score)}`;
  }
  return `#${r.index + 1} not graded`;
}

function chipClass(r: RolloutView): string {
  if (r.live) {
    return 'live';
  }
  if (r.failure) {
    return 'failed';
  }
  return r.score === undefined ? 'ungraded' : 'scored';
}

/** The Judge's marks as ✓ / ✗ lines with the criterion and the reason. A met negative criterion counts against. */
export function marksList(r: RolloutView, rubric: readonly RubricItem[] | undefined): HTMLElement {
  if (!r.marks || r.marks.length === 0) {
    return h('p', { class: 'muted' }, r.failure ? 'Not graded (failed measurement).' : 'Not graded yet.');
  }
  const list = h('ul', { class: 'marks' });
  for (const m of [...r.marks].sort((a, b) => a.criterion - b.criterion)) {
    const c = rubric?.[m.criterion - 1];
    const good = c?.negative ? !m.met : m.met;
    list.append(
      h(
        'li',
        { class: `mark-row ${m.met ? 'met' : 'unmet'} ${good ? 'good' : 'bad'}` },
        h('span', { class: 'mark', attrs: { 'aria-label': m.met ? 'met' : 'not met', role: 'img' } }, m.met ? '✓' : '✗'),
        h(
          'span',
          { class: 'mark-text' },
          h('span', { class: 'mark-criterion' }, `${m.criterion}. ${c ? c.criterion : '(criterion not in the rubric)'}`),
          c?.negative ? h('span', { class: 'tag negative' }, 'negative') : null,
          m.reason ? h('span', { class: 'mark-reason' }, ` — ${m.reason}`) : null,
        ),
      ),
    );
  }
  return list;
}

export class SolverSection {
  readonly el: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly panels: HTMLElement;
  private readonly previews: HTMLElement;
  private readonly slots: Slot[] = [];
  private view?: SolverView;
  private rubric?: readonly RubricItem[];
  private skipped?: string;

  constructor(private readonly solver: Solver) {
    this.chips = h('div', { class: 'chips', attrs: { role: 'group', 'aria-label': `${solver} rollouts` } });
    this.previews = h('div', { class: 'live-previews', attrs: { 'aria-live': 'off' } });
    this.panels = h('div', { class: 'rollout-panels' });
    this.el = h(
      'div',
      { class: `solver solver-${solver}` },
      h('div', { class: 'solver-head' }, h('span', { class: 'solver-label' }, solver === 'weak' ? 'Weak rollouts' : 'Strong rollouts'), this.chips),
      this.previews,
      this.panels,
    );
  }

  /** `skipped` says why the solver did not run (strong rollouts skipped after a decisive weak result). */
  update(view: SolverView, rubric: readonly RubricItem[] | undefined, skipped: string | undefined): void {
    const rubricChanged = rubric !== this.rubric;
    if (view === this.view && !rubricChanged && skipped === this.skipped) {
      return;
    }
    this.view = view;
    this.rubric = rubric;
    this.skipped = skipped;
    this.el.hidden = view.rollouts.length === 0 && !skipped;
    if (skipped && view.rollouts.length === 0) {
      replaceChildren(this.chips, h('span', { class: 'muted' }, `not run: ${skipped}`));
      return;
    }
    if (this.slots.length === 0) {
      this.chips.textContent = '';
    }
    view.rollouts.forEach((r, i) => this.updateSlot(i, r, rubricChanged));
    for (let i = view.rollouts.length; i < this.slots.length; i++) {
      this.slots[i].chip.remove();
      this.slots[i].panel.remove();
      this.slots[i].preview?.remove();
    }
    this.slots.length = Math.min(this.slots.length, view.rollouts.length);
  }

  private updateSlot(i: number, r: RolloutView, rubricChanged: boolean): void {
    let s = this.slots[i];
    if (!s) {
      const chip = h('button', { class: 'chip', attrs: { type: 'button', 'data-action': 'toggle-rollout', 'aria-expanded': 'false' } });
      const panel = h('div', { class: 'rollout-panel', attrs: { role: 'region' } });
      panel.hidden = true;
      s = { chip, panel, open: false };
      chip.addEventListener('click', () => {
        s.open = !s.open;
        this.renderPanel(s);
      });
      this.slots[i] = s;
      this.chips.append(chip);
      this.panels.append(panel);
    }
    if (s.view === r && !rubricChanged) {
      return;
    }
    s.view = r;
    s.chip.textContent = chipText(r);
    s.chip.className = `chip ${chipClass(r)}`;
    s.chip.title = r.failure
      ? `Failed measurement: ${r.failure} (excluded from the mean, never counted as 0)`
      : `${this.solver} rollout ${r.index + 1}: show the answer and the Judge's marks`;
    s.panel.setAttribute('aria-label', `${this.solver} rollout ${r.index + 1}`);
    if (r.live) {
      s.preview ??= this.previews.appendChild(h('div', { class: 'live-preview' }));
      replaceChildren(
        s.preview,
        h('span', { class: 'live-index' }, `#${r.index + 1}`),
        ` ${r.answer.length > PREVIEW_TAIL ? '…' : ''}${r.answer.slice(-PREVIEW_TAIL)}`,
      );
    } else if (s.preview) {
      s.preview.remove();
      s.preview = undefined;
    }
    if (s.open) {
      this.renderPanel(s);
    }
  }

  private renderPanel(s: Slot): void {
    s.chip.setAttribute('aria-expanded', String(s.open));
    toggleAttr(s.chip, 'data-open', s.open);
    s.panel.hidden = !s.open;
    if (!s.open || !s.view) {
      return;
    }
    const r = s.view;
    const head = h(
      'div',
      { class: 'rollout-head' },
      h('strong', null, `${this.solver === 'weak' ? 'Weak' : 'Strong'} rollout ${r.index + 1}`),
      r.failure
        ? h('span', { class: 'failure' }, ` ✗ ${r.failure} — excluded from the mean, never counted as 0`)
        : r.score !== undefined
          ? h('span', { class: 'muted' }, ` · score ${formatScore(r.score)}`)
          : null,
    );
    const answer = r.live
      ? h('div', { class: 'answer live' }, r.answer.length > LIVE_TAIL ? `… ${r.answer.slice(-LIVE_TAIL)}` : r.answer || '(waiting for text)')
      : r.answer
        ? clippedText(r.answer, { limit: 1500, maxLines: 24, className: 'answer' })
        : h('p', { class: 'muted' }, '(empty answer)');
    // With a second judge, both judges' marks, one after the other.
    const second = r.judge2;
    const marks = r.live
      ? null
      : second
        ? [
            h('div', { class: 'section-label judge-label' }, 'Judge'),
            marksList(r, this.rubric),
            h('div', { class: 'section-label judge-label judge2' }, `Second judge · score ${formatScore(second.score)}`),
            marksList({ ...r, score: second.score, marks: second.marks }, this.rubric),
          ]
        : [marksList(r, this.rubric)];
    replaceChildren(s.panel, head, answer, ...(marks ?? []));
  }
}

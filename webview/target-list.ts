// Attempt cards grouped by target, newest first, keyed by id so that only changed cards are touched.
import { AttemptCard, type CardContext } from './attempt-card';
import { h, replaceChildren } from './dom';
import { OUTCOME_LABEL, plural } from './format';
import { targetOutcome, type AttemptView, type PanelState, type TargetView } from './store';

interface Group {
  el: HTMLElement;
  head: HTMLElement;
  body: HTMLElement;
  order: number;
  rev: number;
  key: string;
}

const ORDER = new WeakMap<Element, number>();

/** Inserts `el` into `parent`, whose children are sorted by descending order (new items usually go first). */
function insertSorted(parent: HTMLElement, el: HTMLElement, order: number): void {
  ORDER.set(el, order);
  let c = parent.firstElementChild;
  while (c && (ORDER.get(c) ?? Infinity) > order) {
    c = c.nextElementSibling;
  }
  parent.insertBefore(el, c);
}

export class TargetList {
  readonly el = h('div', { class: 'targets' });
  private readonly groups = new Map<string, Group>();
  private readonly cards = new Map<string, AttemptCard>();

  constructor(private readonly ctx: CardContext) {}

  card(id: string): AttemptCard | undefined {
    return this.cards.get(id);
  }
  get size(): number {
    return this.cards.size;
  }

  clear(): void {
    this.el.textContent = '';
    this.groups.clear();
    this.cards.clear();
  }

  updateAttempt(state: PanelState, a: AttemptView): AttemptCard {
    let card = this.cards.get(a.id);
    if (!card) {
      card = new AttemptCard(a.id, this.ctx);
      this.cards.set(a.id, card);
      const g = this.group(state, a.targetId);
      insertSorted(g.body, card.el, a.order);
    }
    card.update(a);
    return card;
  }

  updateTarget(state: PanelState, t: TargetView): void {
    if (t.attemptIds.length === 0) {
      return;
    }
    const g = this.group(state, t.id);
    const outcome = targetOutcome(state, t);
    const key = `${t.title}|${outcome}|${t.attemptIds.length}|${t.notes.length}`;
    if (g.key === key) {
      return;
    }
    g.key = key;
    g.el.dataset.outcome = outcome;
    replaceChildren(
      g.head,
      h('h3', { class: 'target-title', attrs: { title: t.title } }, t.title),
      h('span', { class: `outcome o-${outcome}` }, OUTCOME_LABEL[outcome]),
      h('span', { class: 'muted target-count' }, plural(t.attemptIds.length, 'attempt')),
      t.notes.length
        ? h(
            'ul',
            { class: 'target-notes', attrs: { 'aria-label': 'Your notes for the Challenger' } },
            ...t.notes.map((n) => h('li', null, h('span', { class: 'section-label' }, 'Your note: '), n)),
          )
        : null,
    );
  }

  private group(state: PanelState, targetId: string): Group {
    let g = this.groups.get(targetId);
    if (!g) {
      const t = state.targets.get(targetId);
      const head = h('header', { class: 'target-head' });
      const body = h('div', { class: 'target-attempts' });
      const el = h('section', { class: 'target-group', attrs: { 'data-target-id': targetId, 'aria-label': t?.title ?? targetId } }, head, body);
      g = { el, head, body, order: t?.order ?? 0, rev: -1, key: '' };
      this.groups.set(targetId, g);
      insertSorted(this.el, el, g.order);
      if (t) {
        this.updateTarget(state, t);
      }
    }
    return g;
  }
}

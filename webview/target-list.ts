// Attempt cards grouped by target, newest first, as a virtual list: only the cards near the viewport exist in the DOM
// (spacers stand for the others, at their measured or estimated heights), so the DOM stays bounded however long the
// run, and one more attempt costs the same among 10,000 as on an empty panel. Small runs render every card.
// A search box and a verdict filter narrow the list; J/K walk it in display order (ids(), reveal()).
import { AttemptCard, type CardContext } from './attempt-card';
import { h, replaceChildren } from './dom';
import { OUTCOME_LABEL, STATUS_LABEL, plural } from './format';
import { statusOf, targetOutcome, type AttemptStatus, type AttemptView, type PanelState, type TargetOutcome, type TargetView } from './store';

interface Group {
  id: string;
  /** The section's elements while one of its rows is rendered (a long run keeps none for the others). */
  dom?: { el: HTMLElement; head: HTMLElement; body: HTMLElement };
  /** What its head shows. */
  title: string;
  outcome: TargetOutcome;
  attempts: number;
  notes: readonly string[];
  order: number;
  key: string;
  /** Attempt ids, newest first. */
  ids: string[];
  orders: number[];
}

type Row = { kind: 'head'; g: Group } | { kind: 'card'; g: Group; id: string };

/** Every card is rendered up to this many (existing views and tests see plain DOM); beyond it, only a window. */
const ALL_UP_TO = 150;
const HEAD_PX = 44;
const CARD_PX = 190;
/** Rows rendered at least. */
const MIN_ROWS = 8;
/** Rendered beyond the viewport, above and below. */
const OVERSCAN_PX = 900;

export class TargetList {
  readonly el = h('div', { class: 'targets' });
  private readonly bar = h('div', { class: 'card-filter', attrs: { role: 'search' } });
  private readonly search = h('input', { class: 'card-search', attrs: { type: 'search', placeholder: 'Search questions', 'aria-label': 'Search attempts' } });
  private readonly verdict = h('select', { class: 'card-verdict', attrs: { 'aria-label': 'Filter by verdict' } });
  private readonly shown = h('span', { class: 'muted card-shown', attrs: { 'aria-live': 'polite' } });
  private readonly top = h('div', { class: 'vlist-spacer', attrs: { 'aria-hidden': 'true' } });
  private readonly list = h('div', { class: 'vlist-rows' });
  private readonly bottom = h('div', { class: 'vlist-spacer', attrs: { 'aria-hidden': 'true' } });
  private readonly groups = new Map<string, Group>();
  /** Groups by descending order. */
  private sorted: Group[] = [];
  /** Cards in the DOM now. */
  private readonly cards = new Map<string, AttemptCard>();
  private readonly heights = new Map<string, number>();
  private views = new Map<string, AttemptView>();
  private rows: Row[] = [];
  private offsets = new Float64Array(1);
  private layoutDirty = true;
  private scheduled = 0;
  private needsPaint = true;
  private count = 0;
  /** The selected attempt: its card is marked when it is (re)rendered. */
  selected: string | undefined;

  constructor(private readonly ctx: CardContext) {
    this.verdict.append(
      h('option', { attrs: { value: '' } }, 'All verdicts'),
      ...(Object.keys(STATUS_LABEL) as AttemptStatus[]).map((s) => h('option', { attrs: { value: s } }, STATUS_LABEL[s])),
    );
    this.bar.append(this.search, this.verdict, this.shown);
    this.bar.hidden = true;
    this.el.append(this.bar, this.top, this.list, this.bottom);
    const relayout = () => {
      this.layoutDirty = true;
      this.schedule();
    };
    this.search.addEventListener('input', relayout);
    this.verdict.addEventListener('change', relayout);
    window.addEventListener('scroll', () => this.schedule(), { passive: true });
    window.addEventListener('resize', () => this.schedule());
  }

  /** The rendered card of an attempt (cards far from the viewport are not rendered: see reveal()). */
  card(id: string): AttemptCard | undefined {
    return this.cards.get(id);
  }
  /** Attempts in the list (rendered or not). */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.list.textContent = '';
    this.groups.clear();
    this.sorted = [];
    this.cards.clear();
    this.heights.clear();
    this.views = new Map();
    this.rows = [];
    this.count = 0;
    this.layoutDirty = true;
    this.el.dataset.cards = '0';
    this.sync();
  }

  /** Adds or updates an attempt: its card is redrawn if it is rendered; a new one is placed in its group. */
  updateAttempt(state: PanelState, a: AttemptView): AttemptCard | undefined {
    this.views = state.attempts as Map<string, AttemptView>;
    const g = this.group(state, a.targetId);
    if (!g.ids.includes(a.id)) {
      // Newest first: a new attempt usually goes on top, found without a search.
      let at = 0;
      while (at < g.orders.length && g.orders[at] > a.order) {
        at++;
      }
      g.ids.splice(at, 0, a.id);
      g.orders.splice(at, 0, a.order);
      this.count++;
      this.el.dataset.cards = String(this.count);
      this.layoutDirty = true;
      this.schedule();
    } else if (this.filtering()) {
      this.layoutDirty = true;
      this.schedule();
    }
    const card = this.cards.get(a.id);
    card?.update(a);
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
    g.title = t.title;
    g.outcome = outcome;
    g.attempts = t.attemptIds.length;
    g.notes = t.notes;
    if (g.dom) {
      renderHead(g, g.dom);
    }
    this.heights.delete(`h:${g.id}`);
  }

  /** Attempt ids in display order, as filtered now (J/K walk these). */
  ids(): string[] {
    this.layout();
    return this.rows.flatMap((r) => (r.kind === 'card' ? [r.id] : []));
  }

  /** Scrolls an attempt's card into the rendered window and renders it; returns its card (undefined if filtered out). */
  reveal(id: string): AttemptCard | undefined {
    this.layout();
    const at = this.rows.findIndex((r) => r.kind === 'card' && r.id === id);
    if (at < 0) {
      return undefined;
    }
    if (!this.cards.has(id)) {
      const listTop = this.list.getBoundingClientRect().top + window.scrollY - this.top.offsetHeight;
      window.scrollTo(0, Math.max(0, listTop + this.offsets[at] - window.innerHeight / 3));
      this.needsPaint = true;
    }
    this.sync();
    return this.cards.get(id);
  }

  /** Renders what changed now (main calls this once per frame, after folding messages). */
  sync(): void {
    cancelAnimationFrame(this.scheduled);
    this.scheduled = 0;
    if (this.layoutDirty) {
      this.needsPaint = true;
    }
    this.layout();
    if (this.needsPaint) {
      this.needsPaint = false;
      this.paint();
    }
  }

  private schedule(): void {
    this.needsPaint = true;
    if (!this.scheduled) {
      this.scheduled = requestAnimationFrame(() => {
        this.scheduled = 0;
        this.sync();
      });
    }
  }

  private filtering(): boolean {
    return this.search.value.trim() !== '' || this.verdict.value !== '';
  }

  private matches(id: string): boolean {
    const a = this.views.get(id);
    if (!a) {
      return false;
    }
    const v = this.verdict.value;
    if (v && statusOf(a) !== v) {
      return false;
    }
    const q = this.search.value.trim().toLowerCase();
    return !q || (a.challenge?.question ?? '').toLowerCase().includes(q) || id.toLowerCase().includes(q);
  }

  /** The rows (group heads and cards, after the filter) and their offsets. */
  private layout(): void {
    if (!this.layoutDirty) {
      return;
    }
    this.layoutDirty = false;
    const filter = this.filtering();
    const rows: Row[] = [];
    let shown = 0;
    for (const g of this.sorted) {
      const ids = filter ? g.ids.filter((id) => this.matches(id)) : g.ids;
      if (ids.length === 0) {
        continue;
      }
      rows.push({ kind: 'head', g });
      for (const id of ids) {
        rows.push({ kind: 'card', g, id });
      }
      shown += ids.length;
    }
    this.rows = rows;
    this.bar.hidden = this.count <= ALL_UP_TO && !filter;
    this.shown.textContent = filter ? `${shown} of ${plural(this.count, 'attempt')}` : plural(this.count, 'attempt');
    this.measureOffsets();
  }

  private measureOffsets(): void {
    const n = this.rows.length;
    if (this.offsets.length < n + 1) {
      this.offsets = new Float64Array(Math.max(n + 1, this.offsets.length * 2));
    }
    let y = 0;
    for (let i = 0; i < n; i++) {
      this.offsets[i] = y;
      y += this.heightOf(this.rows[i]);
    }
    this.offsets[n] = y;
  }

  private keyOf(r: Row): string {
    return r.kind === 'head' ? `h:${r.g.id}` : r.id;
  }
  private heightOf(r: Row): number {
    return this.heights.get(this.keyOf(r)) ?? (r.kind === 'head' ? HEAD_PX : CARD_PX);
  }

  /** The first row whose bottom is below `y`. */
  private rowAt(y: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid + 1] <= y) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Puts the rows near the viewport in the DOM, grouped in their sections, with spacers for the rest. */
  private paint(): void {
    const n = this.rows.length;
    let from = 0;
    let to = n;
    if (this.count > ALL_UP_TO) {
      const listTop = this.list.getBoundingClientRect().top + window.scrollY - this.top.offsetHeight;
      const y0 = window.scrollY - listTop - OVERSCAN_PX;
      const y1 = window.scrollY - listTop + window.innerHeight + OVERSCAN_PX;
      from = this.rowAt(Math.max(0, y0));
      to = Math.min(n, this.rowAt(Math.max(0, y1)) + 1);
      // The list's first rows are there even while it is below the viewport (J starts from them).
      to = Math.max(to, Math.min(n, from + MIN_ROWS));
    }
    // A card's section (its head included) shows whenever one of its cards does.
    const wanted = new Set<string>();
    const sections: Group[] = [];
    const inSection = new Map<Group, string[]>();
    for (let i = from; i < to; i++) {
      const r = this.rows[i];
      if (!inSection.has(r.g)) {
        inSection.set(r.g, []);
        sections.push(r.g);
      }
      if (r.kind === 'card') {
        inSection.get(r.g)!.push(r.id);
        wanted.add(r.id);
      }
    }
    for (const [id, card] of this.cards) {
      if (!wanted.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    }
    if (this.count > ALL_UP_TO) {
      const kept = new Set(sections);
      for (const g of this.groups.values()) {
        if (g.dom && !kept.has(g)) {
          g.dom.el.remove();
          g.dom = undefined;
        }
      }
    }
    const els: HTMLElement[] = [];
    for (const g of sections) {
      const dom = g.dom ?? mountGroup(g);
      const cardEls: HTMLElement[] = [];
      for (const id of inSection.get(g)!) {
        let card = this.cards.get(id);
        if (!card) {
          card = new AttemptCard(id, this.ctx);
          this.cards.set(id, card);
          const a = this.views.get(id);
          if (a) {
            card.update(a);
          }
          if (id === this.selected) {
            card.setSelected(true);
          }
        }
        cardEls.push(card.el);
      }
      syncChildren(dom.body, cardEls);
      els.push(dom.el);
    }
    syncChildren(this.list, els);
    // The first rendered row's section head is rendered even when the row is a card: count it in the spacer.
    const firstHeadShown = from < n && this.rows[from].kind === 'card' ? this.heightOf({ kind: 'head', g: this.rows[from].g }) : 0;
    this.top.style.height = `${Math.max(0, this.offsets[from] - firstHeadShown)}px`;
    this.bottom.style.height = `${Math.max(0, this.offsets[n] - this.offsets[to])}px`;
    this.measureRendered(from, to);
  }

  /** Heights of the rendered rows, kept; when an estimate was off, the spacers are recomputed next frame. */
  private measureRendered(from: number, to: number): void {
    if (this.count <= ALL_UP_TO) {
      return;
    }
    let changed = false;
    for (let i = from; i < to; i++) {
      const r = this.rows[i];
      const el = r.kind === 'head' ? r.g.dom?.head : this.cards.get(r.id)?.el;
      const px = el?.offsetHeight ?? 0;
      const key = this.keyOf(r);
      if (px > 0 && this.heights.get(key) !== px) {
        this.heights.set(key, px);
        changed = true;
      }
    }
    if (changed) {
      this.measureOffsets();
      const n = this.rows.length;
      this.bottom.style.height = `${Math.max(0, this.offsets[n] - this.offsets[to])}px`;
    }
  }

  private group(state: PanelState, targetId: string): Group {
    let g = this.groups.get(targetId);
    if (!g) {
      const t = state.targets.get(targetId);
      g = { id: targetId, title: t?.title ?? targetId, outcome: 'running', attempts: 0, notes: [], order: t?.order ?? 0, key: '', ids: [], orders: [] };
      this.groups.set(targetId, g);
      let at = 0;
      while (at < this.sorted.length && this.sorted[at].order > g.order) {
        at++;
      }
      this.sorted.splice(at, 0, g);
      this.layoutDirty = true;
      if (t) {
        this.updateTarget(state, t);
      }
    }
    return g;
  }
}

/** Gives a section its elements (when one of its rows comes into the rendered window). */
function mountGroup(g: Group): NonNullable<Group['dom']> {
  const head = h('header', { class: 'target-head' });
  const body = h('div', { class: 'target-attempts' });
  const el = h('section', { class: 'target-group', attrs: { 'data-target-id': g.id, 'aria-label': g.title } }, head, body);
  g.dom = { el, head, body };
  renderHead(g, g.dom);
  return g.dom;
}

function renderHead(g: Group, dom: NonNullable<Group['dom']>): void {
  dom.el.dataset.outcome = g.outcome;
  dom.el.setAttribute('aria-label', g.title);
  replaceChildren(
    dom.head,
    h('h3', { class: 'target-title', attrs: { title: g.title } }, g.title),
    h('span', { class: `outcome o-${g.outcome}` }, OUTCOME_LABEL[g.outcome]),
    h('span', { class: 'muted target-count' }, plural(g.attempts, 'attempt')),
    g.notes.length
      ? h(
          'ul',
          { class: 'target-notes', attrs: { 'aria-label': 'Your notes for the Challenger' } },
          ...g.notes.map((n) => h('li', null, h('span', { class: 'section-label' }, 'Your note: '), n)),
        )
      : null,
  );
}

/** Makes `parent`'s children exactly `els`, in order, moving as few nodes as it can. */
function syncChildren(parent: HTMLElement, els: readonly HTMLElement[]): void {
  let cur = parent.firstElementChild;
  for (const el of els) {
    if (cur === el) {
      cur = cur.nextElementSibling;
      continue;
    }
    parent.insertBefore(el, cur);
  }
  while (cur) {
    const next = cur.nextElementSibling;
    cur.remove();
    cur = next;
  }
}

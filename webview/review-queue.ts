// Borderline items waiting for a person: approve, edit then approve, or reject with a reason; one by one or in bulk.
// The queue shows a page of items at a time (oldest first) and the rest on request, so a long run's queue costs the
// DOM a page; selection, modes and bulk actions cover every item, shown or not.
import type { WebviewMessage } from '../src/protocol';
import { challengeEditor } from './challenge-editor';
import { clippedText } from './clipped-text';
import { button, h, replaceChildren, toggleAttr } from './dom';
import { formatGap, formatScore, plural } from './format';
import { icon } from './icons';
import { meansOf, type AttemptView } from './store';

type Mode = 'idle' | 'edit' | 'reject' | 'pending';
const PENDING_TIMEOUT_MS = 20_000;
interface FieldLike extends HTMLElement {
  value: string;
  checked: boolean;
}

interface Item {
  /** The item's elements while it is shown. */
  dom?: { el: HTMLElement; box: FieldLike; body: HTMLElement };
  checked: boolean;
  mode: Mode;
  rev: number;
  attempt: AttemptView;
  pendingText?: string;
}

/** Items shown at first, and added by each "Show more". */
export const REVIEW_PAGE = 50;

export interface ReviewContext {
  post(msg: WebviewMessage): void;
  show(attemptId: string): void;
}

export class ReviewQueue {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private readonly selectAll: FieldLike;
  private readonly bulk: HTMLElement;
  private readonly bulkReason: HTMLElement;
  private readonly more: HTMLElement;
  /** Every item in the queue, oldest first (shown or not). */
  private readonly items = new Map<string, Item>();
  private limit = REVIEW_PAGE;
  private shown = 0;
  private bulkRejecting = false;

  constructor(private readonly ctx: ReviewContext) {
    this.count = h('span', { class: 'count-badge', attrs: { 'aria-label': 'items in review' } }, '0');
    this.selectAll = h('vscode-checkbox', { attrs: { 'data-action': 'select-all' } }, 'Select all') as FieldLike;
    this.selectAll.addEventListener('change', () => {
      for (const it of this.items.values()) {
        if (it.mode !== 'pending') {
          it.checked = this.selectAll.checked;
          if (it.dom) {
            it.dom.box.checked = it.checked;
          }
        }
      }
      this.syncBulk();
    });
    this.bulk = h('div', { class: 'bulk' });
    this.bulkReason = h('div', { class: 'bulk-reason' });
    this.list = h('div', { class: 'review-list', attrs: { role: 'list' } });
    this.more = h('div', { class: 'review-more' });
    this.el = h(
      'section',
      { class: 'review-queue', attrs: { 'aria-label': 'Borderline items to review' } },
      h(
        'header',
        { class: 'review-head' },
        h('h2', null, 'In review'),
        this.count,
        h('span', { class: 'muted review-hint' }, 'Borderline: near a threshold, so you decide.'),
        h('span', { class: 'spacer' }),
        this.selectAll,
        this.bulk,
      ),
      this.bulkReason,
      this.list,
      this.more,
    );
    this.el.hidden = true;
  }

  /** Shows the queue (oldest first), a page at a time; items keep their selection, editor and reason while they stay. */
  update(queue: readonly AttemptView[]): void {
    const ids = new Set(queue.map((a) => a.id));
    for (const [id, it] of this.items) {
      if (!ids.has(id)) {
        it.dom?.el.remove();
        this.items.delete(id);
      }
    }
    let prev: Element | null = null;
    let shown = 0;
    for (const a of queue) {
      let it = this.items.get(a.id);
      if (!it) {
        it = { checked: false, mode: 'idle', rev: a.rev, attempt: a };
        this.items.set(a.id, it);
      } else if (it.rev !== a.rev && it.mode === 'idle') {
        it.attempt = a;
        it.rev = a.rev;
        if (it.dom) {
          this.renderBody(it);
        }
      }
      if (shown >= this.limit) {
        // Beyond the page: no elements (its selection and mode are kept on the item).
        it.dom?.el.remove();
        it.dom = undefined;
        continue;
      }
      shown++;
      const dom = it.dom ?? this.mount(it);
      const want: Element | null = prev ? prev.nextElementSibling : this.list.firstElementChild;
      if (want !== dom.el) {
        this.list.insertBefore(dom.el, want);
      }
      prev = dom.el;
    }
    this.count.textContent = String(queue.length);
    this.el.hidden = queue.length === 0;
    const rest = queue.length - shown;
    this.more.hidden = rest <= 0;
    this.shown = shown;
    if (rest > 0) {
      replaceChildren(
        this.more,
        h('span', { class: 'muted' }, `Showing ${shown} of ${queue.length}.`),
        button(`Show ${Math.min(REVIEW_PAGE, rest)} more`, 'show-more', {
          onClick: () => {
            this.limit += REVIEW_PAGE;
            this.update([...this.items.values()].map((i) => i.attempt));
          },
        }),
      );
    } else {
      this.more.textContent = '';
    }
    this.syncBulk();
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Forgets every item (a new run): a reused attempt id must not inherit an old item's state. */
  clear(): void {
    for (const it of this.items.values()) {
      it.dom?.el.remove();
    }
    this.items.clear();
    this.limit = REVIEW_PAGE;
    this.bulkRejecting = false;
    this.update([]);
  }

  /** Approves one item as it is (the `a` shortcut). */
  approve(id: string): boolean {
    const it = this.items.get(id);
    if (!it || it.mode === 'pending') {
      return false;
    }
    this.send({ type: 'approve', attemptIds: [id] }, [it], 'Approving…');
    return true;
  }

  /** After the host reports an error, items waiting for a decision can be acted on again. */
  clearPending(): void {
    for (const it of this.items.values()) {
      if (it.mode === 'pending') {
        it.mode = 'idle';
        this.renderBody(it);
      }
    }
    this.syncBulk();
  }

  private checked(): Item[] {
    return [...this.items.values()].filter((it) => it.checked && it.mode !== 'pending');
  }

  private syncBulk(): void {
    const sel = this.checked();
    const all = [...this.items.values()].filter((it) => it.mode !== 'pending');
    this.selectAll.checked = all.length > 0 && sel.length === all.length;
    // Beyond the shown page, "all" covers the items not shown too: say how many.
    const label = all.length > this.shown ? `Select all ${all.length}` : 'Select all';
    if (this.selectAll.textContent !== label) {
      this.selectAll.textContent = label;
    }
    toggleAttr(this.selectAll, 'disabled', all.length === 0);
    (this.selectAll as unknown as { indeterminate: boolean }).indeterminate = sel.length > 0 && sel.length < all.length;
    replaceChildren(
      this.bulk,
      button(`Approve selected${sel.length ? ` (${sel.length})` : ''}`, 'approve-selected', {
        disabled: sel.length === 0,
        icon: icon('check'),
        onClick: () => {
          const s = this.checked();
          if (s.length) {
            this.send({ type: 'approve', attemptIds: s.map((i) => i.attempt.id) }, s, 'Approving…');
          }
        },
      }),
      button('Reject selected', 'reject-selected', {
        disabled: sel.length === 0,
        onClick: () => {
          this.bulkRejecting = true;
          this.syncBulk();
        },
      }),
    );
    if (sel.length === 0) {
      this.bulkRejecting = false;
    }
    if (!this.bulkRejecting) {
      this.bulkReason.hidden = true;
      this.bulkReason.textContent = '';
      return;
    }
    if (!this.bulkReason.hidden && this.bulkReason.firstChild) {
      return;
    }
    this.bulkReason.hidden = false;
    replaceChildren(
      this.bulkReason,
      this.reasonForm(
        `Reason for rejecting ${plural(sel.length, 'item')} (required)`,
        (reason) => {
          const s = this.checked();
          this.bulkRejecting = false;
          if (s.length) {
            this.send({ type: 'reject', attemptIds: s.map((i) => i.attempt.id), reason }, s, 'Rejecting…');
          }
        },
        () => {
          this.bulkRejecting = false;
          this.syncBulk();
        },
      ),
    );
  }

  private send(msg: WebviewMessage, items: Item[], pendingText: string): void {
    this.ctx.post(msg);
    for (const it of items) {
      it.mode = 'pending';
      it.pendingText = pendingText;
      it.checked = false;
      if (it.dom) {
        it.dom.box.checked = false;
      }
      this.renderBody(it);
    }
    this.syncBulk();
    // The decision comes back as a review_decision event, which removes the item; without one, let the person retry.
    setTimeout(() => {
      for (const it of items) {
        if (this.items.get(it.attempt.id) === it && it.mode === 'pending') {
          it.mode = 'idle';
          this.renderBody(it);
        }
      }
      this.syncBulk();
    }, PENDING_TIMEOUT_MS);
  }

  /** Gives an item its elements (when it comes into the shown page). */
  private mount(it: Item): NonNullable<Item['dom']> {
    const a = it.attempt;
    const box = h('vscode-checkbox', { class: 'review-check', attrs: { 'aria-label': `Select ${a.id}`, 'data-action': 'select' } }) as FieldLike;
    const body = h('div', { class: 'review-body' });
    const el = h('div', { class: 'review-item', attrs: { role: 'listitem', 'data-attempt-id': a.id } }, box, body);
    box.checked = it.checked;
    box.addEventListener('change', () => {
      it.checked = box.checked;
      this.syncBulk();
    });
    it.dom = { el, box, body };
    this.renderBody(it);
    return it.dom;
  }

  private renderBody(it: Item): void {
    const dom = it.dom;
    if (!dom) {
      return;
    }
    const a = it.attempt;
    const m = meansOf(a);
    const question = a.challenge?.question ?? a.record?.question ?? '';
    const why = a.verdict?.reasons ?? [];
    const setMode = (mode: Mode) => {
      it.mode = mode;
      this.renderBody(it);
      this.syncBulk();
    };
    toggleAttr(dom.box, 'disabled', it.mode === 'pending');
    dom.el.dataset.mode = it.mode;
    const summary = [
      clippedText(question, { limit: 320, maxLines: 5, className: 'review-question' }),
      h(
        'div',
        { class: 'review-meta' },
        h(
          'button',
          {
            class: 'link-button attempt-link',
            attrs: { type: 'button', 'data-action': 'show-card', title: "Show this attempt's card" },
            on: { click: () => this.ctx.show(a.id) },
          },
          a.id,
        ),
        h('span', { class: 'score-weak' }, `weak ${formatScore(m.weak)}`),
        h('span', { class: 'score-strong' }, `strong ${formatScore(m.strong)}`),
        h('span', { class: 'score-gap' }, `gap ${formatGap(m.gap)}`),
      ),
      why.length ? h('div', { class: 'review-why' }, h('span', { class: 'section-label' }, 'Why borderline: '), why.join('; ')) : null,
      judgesLine(a),
    ];
    let tail: HTMLElement;
    switch (it.mode) {
      case 'pending':
        tail = h(
          'div',
          { class: 'review-actions' },
          h('vscode-progress-ring', { class: 'ring small' }),
          h('span', { class: 'muted' }, it.pendingText ?? 'Sending…'),
        );
        break;
      case 'reject':
        tail = this.reasonForm(
          'Reason for rejecting (required)',
          (reason) => this.send({ type: 'reject', attemptIds: [a.id], reason }, [it], 'Rejecting…'),
          () => setMode('idle'),
        );
        break;
      case 'edit': {
        const c = a.challenge;
        const src = c ?? (a.record ? { question: a.record.question, referenceAnswer: a.record.referenceAnswer, rubric: a.record.rubric } : undefined);
        tail = src
          ? challengeEditor({
              question: src.question,
              referenceAnswer: src.referenceAnswer,
              rubric: src.rubric,
              submitLabel: 'Approve edited',
              submitAction: 'approve-edited',
              onCancel: () => setMode('idle'),
              onSubmit: (edit) => this.send({ type: 'approve', attemptIds: [a.id], edit }, [it], 'Approving the edited item…'),
            })
          : h('p', { class: 'muted' }, 'Nothing to edit.');
        break;
      }
      default:
        tail = h(
          'div',
          { class: 'review-actions' },
          button('Approve', 'approve', {
            appearance: 'primary',
            icon: icon('check'),
            title: 'Add this item to the dataset (A)',
            onClick: () => this.approve(a.id),
          }),
          button('Edit', 'edit', { icon: icon('edit'), title: 'Edit the question, reference answer or rubric, then approve', onClick: () => setMode('edit') }),
          button('Reject', 'reject', { icon: icon('close'), title: 'Leave this item out, with a reason', onClick: () => setMode('reject') }),
        );
    }
    replaceChildren(dom.body, ...summary, tail);
  }

  private reasonForm(label: string, onReject: (reason: string) => void, onCancel: () => void): HTMLElement {
    const field = h(
      'vscode-text-field',
      { class: 'reason', attrs: { 'data-field': 'reason', placeholder: 'e.g. the rubric rewards length, not insight' } },
      label,
    ) as FieldLike;
    const confirm = button('Reject', 'reject-confirm', {
      appearance: 'primary',
      disabled: true,
      onClick: () => {
        const r = (field.value ?? '').trim();
        if (r) {
          onReject(r.slice(0, 5000));
        }
      },
    });
    field.addEventListener('input', () => toggleAttr(confirm, 'disabled', (field.value ?? '').trim() === ''));
    field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (field.value ?? '').trim()) {
        onReject(field.value.trim().slice(0, 5000));
      }
      if (e.key === 'Escape') {
        onCancel();
      }
    });
    queueMicrotask(() => field.focus());
    return h(
      'div',
      { class: 'reason-form' },
      field,
      h('div', { class: 'editor-actions' }, h('span', { class: 'spacer' }), button('Cancel', 'cancel', { onClick: onCancel }), confirm),
    );
  }
}

/** With a second judge: what each judge's grades gave, flagged when they disagree (its card shows both judges' marks). */
function judgesLine(a: AttemptView): HTMLElement | null {
  const j = a.record?.judges ?? a.verdict?.judges;
  if (!j) {
    return null;
  }
  const kind = (k: string) => k.replace(/_/g, ' ');
  const second =
    j.secondWeakMean !== undefined
      ? ` (weak ${formatScore(j.secondWeakMean)}${j.secondStrongMean !== undefined ? `, strong ${formatScore(j.secondStrongMean)}` : ''})`
      : '';
  return h(
    'div',
    { class: `review-judges${j.disagree ? ' disagree' : ''}` },
    h('span', { class: 'section-label' }, j.disagree ? 'Judges disagree: ' : 'Judges agree: '),
    `Judge ${kind(j.first)} · Second judge ${kind(j.second)}${second}. `,
    h('span', { class: 'muted' }, 'Show the card for both judges’ marks.'),
  );
}

// One attempt as a card: verdict, question, quote, quality check, score bars, rollouts, reasons, feedback, step actions.
import type { PolicyThresholds } from '../src/shared/thresholds';
import type { WebviewMessage } from '../src/protocol';
import { challengeEditor } from './challenge-editor';
import { clippedText, lazyDetails } from './clipped-text';
import { button, h, linkButton } from './dom';
import { STATUS_LABEL, plural, strongSkipReason, compactCount } from './format';
import { icon } from './icons';
import { rubricList } from './rubric';
import { SolverSection } from './rollouts';
import { scoreBars } from './score-bars';
import { meansOf, statusOf, type AttemptStatus, type AttemptView } from './store';

export interface CardContext {
  thresholds(): PolicyThresholds;
  /** The engine waits before a phase where this attempt's challenge can still be edited (step mode). */
  canEdit(attemptId: string): boolean;
  /** In step mode, the engine waits for the person before this attempt's question is written. */
  awaitsStep?(attemptId: string): boolean;
  post(msg: WebviewMessage): void;
  select(attemptId: string, scroll: boolean): void;
}

const VERDICT_GLYPH: Record<AttemptStatus, string> = {
  running: '…',
  accepted: '✓',
  review: '?',
  approved: '✓',
  rejected_by_you: '✗',
  too_easy: '↓',
  too_hard: '↑',
  gap_too_small: '=',
  low_spread: '≡',
  quality_failed: '!',
  failed: '✗',
};

/** A verdict badge: colour-coded and always with words. */
export function verdictBadge(status: AttemptStatus): HTMLElement {
  return h(
    'span',
    { class: `verdict v-${status}`, attrs: { 'data-status': status } },
    // The space is for textContent (tests, screen readers); the flex gap does the spacing on screen.
    h('span', { class: 'verdict-glyph', attrs: { 'aria-hidden': 'true' } }, VERDICT_GLYPH[status]),
    ' ',
    STATUS_LABEL[status],
  );
}

/** A slot in the card rebuilt only when its key changes. */
class Part {
  private node: ChildNode = document.createComment('');
  private key: readonly unknown[] | undefined;
  constructor(parent: Node) {
    parent.appendChild(this.node);
  }
  set(key: readonly unknown[], build: () => Node | null): void {
    if (this.key && key.length === this.key.length && key.every((k, i) => k === this.key![i])) {
      return;
    }
    this.key = key;
    const next = build() ?? document.createComment('');
    this.node.replaceWith(next);
    this.node = next as ChildNode;
  }
}

export class AttemptCard {
  readonly el: HTMLElement;
  private readonly head: Part;
  private readonly decision: Part;
  private readonly failure: Part;
  private readonly challenge: Part;
  private readonly quality: Part;
  private readonly bars: Part;
  private readonly reasons: Part;
  private readonly details: Part;
  private readonly feedback: Part;
  private readonly actions: Part;
  private readonly rollouts: HTMLElement;
  private readonly weak = new SolverSection('weak');
  private readonly strong = new SolverSection('strong');
  private view?: AttemptView;
  private editing: 'question' | 'note' | undefined;

  constructor(
    readonly id: string,
    private readonly ctx: CardContext,
  ) {
    this.el = h('article', { class: 'card', attrs: { 'data-attempt-id': id, tabindex: '-1' } });
    this.el.addEventListener('click', (e) => {
      if (e.target === this.el || (e.target as HTMLElement).closest('.card-head')) {
        ctx.select(id, false);
      }
    });
    this.head = new Part(this.el);
    this.decision = new Part(this.el);
    this.failure = new Part(this.el);
    this.challenge = new Part(this.el);
    this.quality = new Part(this.el);
    this.bars = new Part(this.el);
    this.rollouts = this.el.appendChild(h('div', { class: 'rollouts' }, this.weak.el, this.strong.el));
    this.reasons = new Part(this.el);
    this.details = new Part(this.el);
    this.feedback = new Part(this.el);
    this.actions = new Part(this.el);
  }

  update(a: AttemptView): void {
    this.view = a;
    const status = statusOf(a);
    this.el.dataset.status = status;
    const t = this.ctx.thresholds();
    this.head.set([status, a.iteration, a.edited, a.challenge?.questionType, a.usage], () =>
      h(
        'header',
        { class: 'card-head' },
        verdictBadge(status),
        h('span', { class: 'iteration' }, `Iteration ${a.iteration || '?'}`),
        a.challenge ? h('span', { class: 'question-type' }, a.challenge.questionType) : null,
        a.edited ? h('span', { class: 'tag edited', attrs: { title: 'The question was edited by you' } }, 'edited') : null,
        h('span', { class: 'spacer' }),
        a.usage
          ? h(
              'span',
              {
                class: 'attempt-usage muted',
                attrs: { title: `${a.usage.promptTokens} prompt + ${a.usage.completionTokens} completion tokens in ${a.usage.calls} calls` },
              },
              `${compactCount(a.usage.promptTokens + a.usage.completionTokens)} tokens`,
            )
          : null,
        h('span', { class: 'attempt-id', attrs: { title: 'Attempt id' } }, a.id),
      ),
    );
    this.decision.set([a.review], () =>
      a.review
        ? h(
            'div',
            { class: `decision ${a.review.decision}` },
            a.review.decision === 'approved' ? 'Approved by you' : `Rejected: ${a.review.reason ?? 'no reason given'}`,
          )
        : null,
    );
    this.failure.set([a.verdict, a.errors], () => this.failureBox(a));
    this.challenge.set([a.challenge, a.quoteRange], () => this.challengeBlock(a));
    this.quality.set([a.quality], () =>
      a.quality
        ? h(
            'div',
            { class: `quality ${a.quality.pass ? 'pass' : 'fail'}` },
            h('span', { class: 'quality-label' }, a.quality.pass ? '✓ Quality check passed' : '✗ Quality check failed'),
            a.quality.reason ? clippedText(a.quality.reason, { limit: 400, tag: 'p', className: 'quality-reason' }) : null,
          )
        : null,
    );
    const m = meansOf(a);
    const measured = m.weak !== undefined || a.weak.graded || a.verdict?.weakMean !== undefined;
    this.bars.set([measured, m.weak, m.strong, m.gap, a.strongSkipped, a.verdict?.kind, t], () =>
      measured ? scoreBars(t, m, a.strongSkipped, a.verdict?.kind) : null,
    );
    this.weak.update(a.weak, a.challenge?.rubric, undefined);
    this.strong.update(a.strong, a.challenge?.rubric, a.strongSkipped ? strongSkipReason(a.verdict?.kind) : undefined);
    this.rollouts.hidden = this.weak.el.hidden && this.strong.el.hidden;
    this.reasons.set([a.verdict], () => this.reasonsBlock(a));
    this.details.set([a.challenge], () => this.detailsBlock(a));
    this.feedback.set([a.feedback], () =>
      a.feedback
        ? h(
            'section',
            { class: 'feedback', attrs: { 'aria-label': 'Feedback to the Challenger' } },
            h('div', { class: 'section-label' }, 'Feedback to the Challenger'),
            clippedText(a.feedback, { limit: 700, maxLines: 8, className: 'feedback-text' }),
          )
        : null,
    );
    const canEdit = this.ctx.canEdit(a.id);
    if (!canEdit) {
      this.editing = undefined;
    }
    this.actions.set([canEdit, this.editing, a.challenge], () => this.actionsBlock(a, canEdit));
  }

  setSelected(on: boolean): void {
    this.el.classList.toggle('selected', on);
    this.el.setAttribute('aria-current', String(on));
  }

  private failureBox(a: AttemptView): HTMLElement | null {
    const failed = a.verdict?.kind === 'failed';
    if (!failed && a.errors.length === 0) {
      return null;
    }
    const lines = [...(failed ? a.verdict!.reasons : []), ...a.errors.filter((e) => !(failed && a.verdict!.reasons.includes(e)))];
    return h(
      'div',
      { class: 'failure-reason', attrs: { role: 'note' } },
      icon('warning'),
      h('div', null, h('strong', null, failed ? 'This attempt could not be measured' : 'Error'), ...lines.map((l) => clippedText(l, { limit: 600, tag: 'p' }))),
    );
  }

  private challengeBlock(a: AttemptView): HTMLElement {
    const c = a.challenge;
    if (!c) {
      return h(
        'p',
        { class: 'question pending muted' },
        a.verdict
          ? 'No usable question was written.'
          : this.ctx.awaitsStep?.(a.id)
            ? 'Press Step: the Challenger writes the question next.'
            : 'The Challenger is writing the question…',
      );
    }
    const reveal = linkButton([icon('source'), ' Show in source'], 'reveal-source', {
      disabled: !a.quoteRange,
      title: a.quoteRange ? 'Select the quoted passage in the document' : 'The quote was not found verbatim in the section, so there is no place to show',
      onClick: () => {
        if (a.quoteRange) {
          this.ctx.post({ type: 'revealSource', start: a.quoteRange.start, end: a.quoteRange.end });
        }
      },
    });
    const skills = c.skills.length ? ` · ${c.skills.join(', ')}` : '';
    return h(
      'div',
      { class: 'challenge' },
      clippedText(c.question, { limit: 1200, maxLines: 16, className: 'question' }),
      h('div', { class: 'meta' }, `Angle: ${c.angle}${skills}`),
      h(
        'figure',
        { class: 'quote' },
        clippedText(c.sourceQuote, { limit: 360, maxLines: 6, tag: 'blockquote', className: 'quote-text' }),
        h('figcaption', null, reveal),
      ),
    );
  }

  private reasonsBlock(a: AttemptView): HTMLElement | null {
    const v = a.verdict;
    if (!v || v.reasons.length === 0 || v.kind === 'failed') {
      return null;
    }
    const label =
      v.kind === 'borderline'
        ? `Borderline${v.nearest ? ` (nearest: ${STATUS_LABEL[v.nearest === 'borderline' ? 'review' : (v.nearest as AttemptStatus)]})` : ''}: a person decides`
        : 'Why';
    return h('div', { class: 'reasons' }, h('span', { class: 'section-label' }, label), h('ul', null, ...v.reasons.map((r) => h('li', null, r))));
  }

  private detailsBlock(a: AttemptView): HTMLElement | null {
    const c = a.challenge;
    if (!c) {
      return null;
    }
    const negatives = c.rubric.filter((r) => r.negative).length;
    return h(
      'div',
      { class: 'card-details' },
      lazyDetails({
        className: 'rubric',
        action: 'toggle-rubric',
        summary: [`Rubric · ${plural(c.rubric.length, 'criterion', 'criteria')}${negatives ? `, ${negatives} negative` : ''}`],
        build: () => [rubricList(c.rubric)],
      }),
      lazyDetails({
        className: 'reference',
        action: 'toggle-reference',
        summary: ['Reference answer'],
        build: () => [clippedText(c.referenceAnswer, { limit: 2000, maxLines: 30, className: 'reference-text' })],
      }),
    );
  }

  private actionsBlock(a: AttemptView, canEdit: boolean): HTMLElement | null {
    if (!canEdit || !a.challenge) {
      return null;
    }
    const close = () => {
      this.editing = undefined;
      this.update(this.view!);
    };
    const open = (what: 'question' | 'note') => {
      this.editing = what;
      this.update(this.view!);
    };
    const box = h('div', { class: 'step-actions' });
    if (this.editing === 'question') {
      const c = a.challenge;
      box.append(
        challengeEditor({
          question: c.question,
          referenceAnswer: c.referenceAnswer,
          rubric: c.rubric,
          submitLabel: 'Save edit',
          submitAction: 'save-challenge',
          onCancel: close,
          onSubmit: (edit) => {
            this.ctx.post({ type: 'editChallenge', attemptId: a.id, challenge: { ...c, ...edit } });
            close();
          },
        }),
      );
    } else if (this.editing === 'note') {
      const text = h(
        'vscode-text-area',
        { attrs: { rows: 3, resize: 'vertical', 'data-field': 'note' } },
        'Note for the next question on this section',
      ) as HTMLElement & { value: string };
      const send = () => {
        const v = (text.value ?? '').trim();
        if (v) {
          this.ctx.post({ type: 'addNote', text: v.slice(0, 5000), targetId: a.targetId });
          close();
        }
      };
      box.append(
        h(
          'div',
          { class: 'note-editor' },
          text,
          h(
            'div',
            { class: 'editor-actions' },
            h('span', { class: 'spacer' }),
            button('Cancel', 'cancel', { onClick: close }),
            button('Add note', 'send-note', { appearance: 'primary', onClick: send }),
          ),
        ),
      );
      queueMicrotask(() => text.focus());
    } else {
      box.append(
        h('span', { class: 'step-hint' }, 'Before the solvers run:'),
        button('Edit question', 'edit-challenge', {
          icon: icon('edit'),
          onClick: () => open('question'),
          title: 'Change the question, reference answer or rubric before the solvers see it',
        }),
        button('Add note for the next question', 'add-note', {
          icon: icon('note'),
          onClick: () => open('note'),
          title: 'A hint the Challenger reads when it writes the next question for this section',
        }),
      );
    }
    return box;
  }
}

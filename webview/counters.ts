// The counters line: attempts, accepted, in review, rejections by reason, iterations per accepted item, tokens per role.
import { ROLES } from '../src/shared/schemas';
import { h, replaceChildren } from './dom';
import { STATUS_LABEL, compactCount, formatCost } from './format';
import { REJECT_KINDS, type Counters } from './store';

function counter(name: string, value: string, label: string, title?: string): HTMLElement {
  return h('span', { class: 'counter', attrs: { 'data-counter': name, title } }, h('span', { class: 'counter-value' }, value), ` ${label}`);
}

/** "challenger 12.3k · weak 40k", roles in pipeline order, unknown roles last. */
export function tokenSummary(tokens: Record<string, number>): string {
  const roles = [...ROLES.filter((r) => r in tokens), ...Object.keys(tokens).filter((r) => !(ROLES as readonly string[]).includes(r))];
  return roles.map((r) => `${r} ${compactCount(tokens[r])}`).join(' · ');
}

/** "rate 40% (95% CI 17–69%) of 10 decided": the interval says how little a few decisions tell. */
export function acceptanceText(a: NonNullable<Counters['acceptance']>): string {
  const pct = (x: number) => Math.round(x * 100);
  return `${pct(a.rate)}% (95% CI ${pct(a.low)}–${pct(a.high)}%) of ${a.decided} decided`;
}

function acceptanceCounter(a: NonNullable<Counters['acceptance']>): HTMLElement {
  return h(
    'span',
    {
      class: 'counter',
      attrs: {
        'data-counter': 'acceptance',
        title: 'Accepted items over decided attempts (accepted, approved or rejected; items in review wait), with its 95% Wilson interval',
      },
    },
    'acceptance ',
    h('span', { class: 'counter-detail' }, acceptanceText(a)),
  );
}

export class CountersLine {
  readonly el = h('div', { class: 'counters', attrs: { 'aria-label': 'Run counters' } });
  private key = '';

  update(c: Counters): void {
    const key = JSON.stringify(c);
    if (key === this.key) {
      return;
    }
    this.key = key;
    const rejected = REJECT_KINDS.filter((k) => c.rejected[k] > 0);
    const rejectedText = rejected.length ? rejected.map((k) => `${STATUS_LABEL[k]} ${c.rejected[k]}`).join(', ') : 'none';
    replaceChildren(
      this.el,
      counter('attempts', String(c.attempts), c.attempts === 1 ? 'attempt' : 'attempts'),
      counter('accepted', String(c.accepted), 'accepted'),
      c.acceptance ? acceptanceCounter(c.acceptance) : null,
      counter('review', String(c.inReview), 'in review'),
      h('span', { class: 'counter', attrs: { 'data-counter': 'rejected' } }, 'rejected: ', h('span', { class: 'counter-detail' }, rejectedText)),
      c.rejectedByYou ? counter('rejected-by-you', String(c.rejectedByYou), 'rejected by you') : null,
      counter(
        'iterations',
        c.meanIterations === undefined ? '–' : c.meanIterations.toFixed(1),
        'iterations per accepted item',
        'Mean number of attempts an accepted item took (the paper reports 6.59 for CS papers)',
      ),
      Object.keys(c.tokens).length
        ? h(
            'span',
            { class: 'counter tokens', attrs: { 'data-counter': 'tokens', title: `${compactCount(c.totalTokens)} tokens in all (prompt + completion)` } },
            'tokens: ',
            h('span', { class: 'counter-detail' }, tokenSummary(c.tokens)),
          )
        : null,
      c.tokensPerAccepted !== undefined
        ? counter(
            'tokens-per-accepted',
            compactCount(Math.round(c.tokensPerAccepted)),
            'tokens per accepted item',
            'Every token of the run (all roles, every attempt) over the accepted items',
          )
        : null,
      c.cost !== undefined ? counter('cost', formatCost(c.cost), 'cost', 'Cost so far, from the price table in the settings') : null,
    );
  }
}

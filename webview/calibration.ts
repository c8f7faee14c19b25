// The Calibration section: per judge, how often its verdict agrees with the person's review decisions (count, rate
// and Wilson 95% interval), and the per-criterion Cohen's κ between the two judges. A native <details>: Tab reaches
// its summary, Enter or Space opens it. Hidden until there is a label or a second judge's grade.
import { ROLE_NAME } from './in-flight';
import { h, replaceChildren } from './dom';
import type { Calibration, CriterionKappa, JudgeAgreement } from './calibration-data';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const kappaText = (k: number | undefined) => (k === undefined ? '—' : k.toFixed(2));

/** Landis and Koch's words for a κ, so a number reads at a glance. */
export function kappaWord(k: number | undefined): string {
  if (k === undefined) {
    return 'cannot be told (one mark throughout)';
  }
  return k < 0 ? 'worse than chance' : k <= 0.2 ? 'slight' : k <= 0.4 ? 'fair' : k <= 0.6 ? 'moderate' : k <= 0.8 ? 'substantial' : 'almost perfect';
}

export class CalibrationView {
  readonly el: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly body: HTMLElement;
  private key = '';

  constructor() {
    this.summary = h('summary', null);
    this.body = h('div', { class: 'details-body' });
    this.el = h('details', { class: 'calibration', attrs: { 'aria-label': 'Calibration' } }, this.summary, this.body);
    this.el.hidden = true;
  }

  update(c: Calibration): void {
    const key = JSON.stringify(c);
    if (key === this.key) {
      return;
    }
    this.key = key;
    this.el.hidden = c.labels === 0 && c.kappa.length === 0;
    const all = c.kappa.find((k) => k.criterion === 'all');
    replaceChildren(
      this.summary,
      h('span', { class: 'section-label' }, 'Calibration '),
      `${c.labels} review decision${c.labels === 1 ? '' : 's'} kept as labels${all ? ` · judges' κ ${kappaText(all.kappa)}` : ''}`,
    );
    replaceChildren(this.body, agreementTable(c.judges, c.labels), c.kappa.length ? kappaTable(c.kappa) : null);
  }
}

function agreementTable(judges: JudgeAgreement[], labels: number): HTMLElement {
  const row = (j: JudgeAgreement) =>
    h(
      'tr',
      { attrs: { 'data-judge': j.judge } },
      h('th', { attrs: { scope: 'row' } }, ROLE_NAME[j.judge], j.model ? h('span', { class: 'muted' }, ` ${j.model}`) : null),
      h('td', { class: 'agree-count' }, j.agree ? `${j.agree.count} of ${j.agree.of}` : '0 of 0'),
      h('td', { class: 'agree-rate' }, j.agree ? pct(j.agree.rate) : '—'),
      h('td', { class: 'agree-ci' }, j.agree ? `${pct(j.agree.low)}–${pct(j.agree.high)}` : '—'),
      h('td', { class: 'undecided' }, String(j.undecided)),
    );
  return h(
    'table',
    { class: 'calibration-table agreement' },
    h('caption', null, labels ? 'Each judge against your decisions (approve, edit then approve: accept; reject: reject)' : 'No review decisions yet'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { attrs: { scope: 'col' } }, 'Judge'),
        h('th', { attrs: { scope: 'col' } }, 'Agrees with you'),
        h('th', { attrs: { scope: 'col' } }, 'Rate'),
        h('th', { attrs: { scope: 'col', title: 'Wilson score interval, 95%' } }, '95% interval'),
        h('th', { attrs: { scope: 'col', title: 'Items this judge found borderline: it left the call to you' } }, 'Left to you'),
      ),
    ),
    h('tbody', null, ...judges.map(row)),
  );
}

function kappaTable(rows: CriterionKappa[]): HTMLElement {
  const row = (k: CriterionKappa) =>
    h(
      'tr',
      { class: k.criterion === 'all' ? 'total' : '', attrs: { 'data-criterion': String(k.criterion) } },
      h('th', { attrs: { scope: 'row' } }, k.criterion === 'all' ? 'All criteria' : `Criterion ${k.criterion}`),
      h('td', { class: 'pairs' }, String(k.pairs)),
      h('td', { class: 'same' }, k.pairs ? pct(k.same / k.pairs) : '—'),
      h('td', { class: 'kappa' }, kappaText(k.kappa)),
      h('td', { class: 'kappa-word muted' }, kappaWord(k.kappa)),
    );
  return h(
    'table',
    { class: 'calibration-table kappa' },
    h('caption', null, "The two judges' marks on the same rollouts, per rubric criterion (Cohen's κ on met / not met)"),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { attrs: { scope: 'col' } }, 'Criterion'),
        h('th', { attrs: { scope: 'col' } }, 'Marks'),
        h('th', { attrs: { scope: 'col' } }, 'Same mark'),
        h('th', { attrs: { scope: 'col' } }, 'κ'),
        h('th', { attrs: { scope: 'col' } }, ''),
      ),
    ),
    h('tbody', null, ...rows.map(row)),
  );
}

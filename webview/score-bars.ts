// Weak mean, strong mean and gap as horizontal bars against the run's thresholds, with the rule in words.
import type { PolicyThresholds } from '../src/shared/thresholds';
import { h } from './dom';
import { formatGap, formatScore, strongSkipReason } from './format';
import type { Means } from './store';

/** true: within the rule; 'near': outside it by no more than the borderline margin; false: outside it. */
type Check = boolean | 'near' | undefined;

function nearly(ok: boolean, by: number, margin: number): Check {
  return ok ? true : margin > 0 && by <= margin + 1e-9 ? 'near' : false;
}

export function weakPasses(t: PolicyThresholds, x: number | undefined): Check {
  if (x === undefined) {
    return undefined;
  }
  return nearly(t.weakMeanStrict ? x < t.weakMeanMax : x <= t.weakMeanMax + 1e-9, x - t.weakMeanMax, t.borderlineMargin);
}

export function strongPasses(t: PolicyThresholds, x: number | undefined): Check {
  if (x === undefined) {
    return undefined;
  }
  const low = x < t.strongMeanMin - 1e-9;
  const high = t.strongMeanMax < 1 && x >= t.strongMeanMax;
  return nearly(!low && !high, low ? t.strongMeanMin - x : x - t.strongMeanMax, t.borderlineMargin);
}

export function gapPasses(t: PolicyThresholds, x: number | undefined): Check {
  return x === undefined ? undefined : nearly(x >= t.minGap - 1e-9, t.minGap - x, t.borderlineMargin);
}

export function weakRule(t: PolicyThresholds): string {
  return `${t.weakMeanStrict ? '<' : '≤'} ${formatScore(t.weakMeanMax)}`;
}
export function strongRule(t: PolicyThresholds): string {
  return t.strongMeanMax < 1 ? `${formatScore(t.strongMeanMin)}–${formatScore(t.strongMeanMax)}` : `≥ ${formatScore(t.strongMeanMin)}`;
}
export function gapRule(t: PolicyThresholds): string {
  return `≥ ${formatScore(t.minGap)}`;
}

const pct = (x: number) => `${(Math.max(0, Math.min(1, x)) * 100).toFixed(1)}%`;

function bar(value: number | undefined, zone: [number, number], ticks: number[], ok: Check): HTMLElement {
  const zoneEl = h('span', { class: 'bar-zone' });
  zoneEl.style.setProperty('--from', pct(zone[0]));
  zoneEl.style.setProperty('--to', pct(zone[1]));
  const el = h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, zoneEl);
  if (value !== undefined) {
    const fill = h('span', { class: `bar-fill ${ok === true ? 'ok' : ok === 'near' ? 'near' : 'miss'}` });
    fill.style.setProperty('--value', pct(value));
    el.append(fill);
  }
  for (const t of ticks) {
    const tick = h('span', { class: 'bar-tick' });
    tick.style.setProperty('--at', pct(t));
    el.append(tick);
  }
  return el;
}

function row(
  kind: 'weak' | 'strong' | 'gap',
  label: string,
  value: number | undefined,
  shown: string,
  rule: string,
  ok: Check,
  zone: [number, number],
  ticks: number[],
): HTMLElement {
  const verdict = ok === undefined ? 'pending' : ok === true ? 'ok' : ok === 'near' ? 'miss near' : 'miss';
  const words =
    ok === undefined ? 'not measured yet' : ok === true ? 'within the threshold' : ok === 'near' ? 'just outside the threshold' : 'outside the threshold';
  return h(
    'div',
    { class: `score-row score-${kind} ${verdict}`, attrs: { role: 'group', 'aria-label': `${label} ${shown}, needs ${rule}: ${words}` } },
    // Spaces between the grid items keep textContent readable ("Weak 0.30 ✓ ≤ 0.65"); the grid ignores them.
    h('span', { class: 'score-label' }, label),
    ' ',
    bar(value, zone, ticks, ok),
    ' ',
    h('span', { class: 'score-value' }, shown),
    ' ',
    h(
      'span',
      { class: 'score-rule' },
      h('span', { class: 'mark', attrs: { 'aria-hidden': 'true' } }, ok === undefined ? '' : ok === true ? '✓' : '✗'),
      ` ${rule}`,
    ),
  );
}

export function scoreBars(t: PolicyThresholds, m: Means, strongSkipped: boolean, verdictKind?: string): HTMLElement {
  const el = h('div', { class: 'score-bars' });
  el.append(row('weak', 'Weak', m.weak, formatScore(m.weak), weakRule(t), weakPasses(t, m.weak), [0, t.weakMeanMax], [t.weakMeanMax]));
  if (strongSkipped) {
    el.append(
      h(
        'div',
        { class: 'score-row score-strong skipped' },
        h('span', { class: 'score-label' }, 'Strong'),
        ' ',
        h('span', { class: 'score-skipped' }, `strong skipped (${strongSkipReason(verdictKind)})`),
      ),
    );
  } else {
    const sMax = t.strongMeanMax < 1 ? t.strongMeanMax : 1;
    el.append(
      row(
        'strong',
        'Strong',
        m.strong,
        formatScore(m.strong),
        strongRule(t),
        strongPasses(t, m.strong),
        [t.strongMeanMin, sMax],
        t.strongMeanMax < 1 ? [t.strongMeanMin, t.strongMeanMax] : [t.strongMeanMin],
      ),
    );
    el.append(row('gap', 'Gap', m.gap, formatGap(m.gap), gapRule(t), gapPasses(t, m.gap), [t.minGap, 1], [t.minGap]));
  }
  return el;
}

// The run's identity and rule: document, models, acceptance thresholds, and the scatter plot's legend.
import type { PolicyThresholds } from '../src/shared/thresholds';
import { h, replaceChildren } from './dom';
import { formatScore } from './format';
import { recipeEvolution } from './recipe-evolution';
import { gapRule, strongRule, weakRule } from './score-bars';
import type { PanelState } from './store';

export function ruleText(t: PolicyThresholds): string {
  const parts = [`weak ${weakRule(t)}`, `strong ${strongRule(t)}`, `gap ${gapRule(t)}`];
  if (t.weakBestMax < 1) {
    parts.push(`best weak ≤ ${formatScore(t.weakBestMax)}`);
  }
  if (t.weakNoZero || t.strongNoZero) {
    parts.push('no zero scores');
  }
  return parts.join(' · ');
}

export class RunHeader {
  readonly el = h('div', { class: 'run-header' });
  private key = '';

  update(state: PanelState, t: PolicyThresholds): void {
    const run = state.run;
    const started = state.started;
    const key = `${run?.runId}|${run?.title}|${run?.live}|${started?.seq}|${state.notes.length}|${state.recipes.length}|${state.proposals.map((p) => p.status).join()}|${JSON.stringify(t)}`;
    if (key === this.key) {
      return;
    }
    this.key = key;
    if (!run && !started) {
      this.el.textContent = '';
      return;
    }
    const models = started?.models;
    const path = run?.documentPath ?? started?.document.path ?? '';
    replaceChildren(
      this.el,
      h('h1', { class: 'run-title', attrs: { title: path } }, run?.title ?? path.split(/[\\/]/).pop() ?? 'Run'),
      h(
        'div',
        { class: 'run-meta' },
        run?.restored ? h('span', { class: 'tag', attrs: { title: 'Restored from the run journal: no engine is running it' } }, 'restored') : null,
        h('span', { class: 'run-id', attrs: { title: 'Run id' } }, run?.runId ?? started?.runId ?? ''),
        started ? h('span', null, `${started.targets.length} section${started.targets.length === 1 ? '' : 's'}`) : null,
        models
          ? h(
              'span',
              { attrs: { title: `Challenger ${models.challenger} · quality ${models.quality} · judge ${models.judge}` } },
              `weak ${models.weak} · strong ${models.strong} · judge ${models.judge}`,
            )
          : null,
      ),
      h(
        'div',
        { class: 'run-rule' },
        h('span', { class: 'section-label' }, 'Accept when '),
        ruleText(t),
        t.borderlineMargin > 0 ? h('span', { class: 'muted' }, ` · within ${formatScore(t.borderlineMargin)} of a threshold, you decide`) : null,
      ),
      h('div', { class: 'shortcuts muted' }, 'Keys: R run · S step · P pause / resume · X stop · J / K next / previous card · A approve'),
      state.notes.length
        ? h(
            'ul',
            { class: 'run-notes', attrs: { 'aria-label': 'Your notes for the Challenger' } },
            ...state.notes.map((n) => h('li', null, h('span', { class: 'section-label' }, 'Your note: '), n)),
          )
        : null,
      recipeHistory(state),
      recipeEvolution(state),
    );
  }
}

/** The recipe's versions, newest open: what the outer loop learned, and why it changed. */
function recipeHistory(state: PanelState): HTMLElement | null {
  if (state.recipes.length === 0) {
    return null;
  }
  const newest = [...state.recipes].reverse();
  return h(
    'details',
    { class: 'recipe-history' },
    h(
      'summary',
      null,
      h('span', { class: 'section-label' }, 'Recipe '),
      `v${newest[0].version} · ${state.recipes.length} update${state.recipes.length === 1 ? '' : 's'} in this run`,
    ),
    ...newest.map((r, i) =>
      h(
        'div',
        { class: 'recipe-version', attrs: { 'data-version': String(r.version) } },
        h('div', { class: 'muted' }, `v${r.version}${i === 0 ? ' (current)' : ''} · after ${r.attempts} attempts · ${r.changes}`),
        h('pre', { class: 'recipe-text' }, r.recipe),
      ),
    ),
  );
}

/** The scatter plot's legend: colour and a word for every mark. */
export function scatterLegend(): HTMLElement {
  const item = (cls: string, label: string) => h('li', null, h('span', { class: `swatch ${cls}`, attrs: { 'aria-hidden': 'true' } }), label);
  return h(
    'ul',
    { class: 'legend', attrs: { 'aria-label': 'Legend' } },
    item('s-accepted', 'accepted'),
    item('s-review', 'borderline'),
    item('s-too_easy', 'too easy'),
    item('s-too_hard', 'too hard'),
    item('s-gap_too_small', 'gap too small'),
    item('s-failed', 'failed'),
    item('hollow', 'strong skipped'),
    item('s-approved', 'approved by you'),
    item('region', 'acceptance region'),
    item('band', 'borderline band'),
  );
}

// The panel's "Recipe evolution" section: every proposal of the outer loop with its parent, its rationale, its measured
// outcome on the held-out sections (pass rates, the difference and its interval) and whether it was kept, rejected or
// refused (a proposal that reached beyond the Challenger).
import type { EventOf } from '../src/shared/events';
import { h } from './dom';
import type { PanelState } from './view-model';
import type { RecipeProposalView } from './view-model';

type ProposalEvent = EventOf<'recipe_proposed'> | EventOf<'recipe_evaluated'> | EventOf<'recipe_refused'>;

/** The proposals after one recipe evolution event (a new list; the others unchanged). */
export function withProposal(list: readonly RecipeProposalView[], e: ProposalEvent): RecipeProposalView[] {
  switch (e.type) {
    case 'recipe_proposed':
      return [
        ...list.filter((p) => p.id !== e.candidateId),
        {
          id: e.candidateId,
          parentId: e.parentId,
          recipe: e.recipe,
          rationale: e.rationale,
          analysis: e.analysis,
          status: e.parentId === undefined ? 'seed' : 'evaluating',
        },
      ];
    case 'recipe_refused':
      return [
        ...list.filter((p) => p.id !== e.candidateId),
        { id: e.candidateId, parentId: e.parentId, recipe: e.recipe, rationale: e.rationale, status: 'refused', reason: e.reason },
      ];
    case 'recipe_evaluated':
      return list.map((p) =>
        p.id === e.candidateId
          ? {
              ...p,
              status: e.kept ? 'kept' : 'rejected',
              evaluation: { parent: e.parent, child: e.child, diff: e.diff, ci: e.ci, p: e.p, sections: e.sections },
            }
          : p,
      );
  }
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.round(Math.abs(x) * 100)}`;
const rate = (r: { passes: number; trials: number }) => `${r.passes}/${r.trials} (${pct(r.passes / Math.max(1, r.trials))})`;

/** What became of a proposal, in words: its measured outcome, or why it was refused. */
export function proposalOutcome(p: RecipeProposalView, runEnded = false): string {
  const ev = p.evaluation;
  switch (p.status) {
    case 'seed':
      return 'the recipe the run started with';
    case 'evaluating':
      return runEnded ? 'not measured: the run ended first' : 'being measured on the held-out sections…';
    case 'refused':
      return `refused: ${p.reason ?? ''}`;
    default:
      return ev
        ? `${p.status}: ${rate(ev.child)} vs its parent's ${rate(ev.parent)} on the same held-out trials · difference ${signed(ev.diff)} points, interval [${signed(ev.ci[0])}, ${signed(ev.ci[1])}] · p = ${ev.p.toFixed(3)}`
        : p.status;
  }
}

/** The section's one-line summary: proposals and what became of them. */
export function proposalSummary(list: readonly RecipeProposalView[]): string {
  const all = list.filter((p) => p.status !== 'seed');
  const count = (s: RecipeProposalView['status']) => all.filter((p) => p.status === s).length;
  return `${all.length} proposal${all.length === 1 ? '' : 's'} · ${count('kept')} kept · ${count('rejected')} rejected · ${count('refused')} refused`;
}

/** Renders the section, or nothing when the run has no recipe evolution. */
export function recipeEvolution(state: PanelState): HTMLElement | null {
  const all = state.proposals.filter((p) => p.status !== 'seed');
  if (all.length === 0) {
    return null;
  }
  const heldOut = all.find((p) => p.evaluation)?.evaluation?.sections;
  return h(
    'details',
    { class: 'recipe-evolution' },
    h('summary', null, h('span', { class: 'section-label' }, 'Recipe evolution '), proposalSummary(all)),
    heldOut ? h('div', { class: 'muted' }, `Measured on held-out sections ${heldOut.join(', ')} (the run writes no items from them).`) : null,
    ...[...all]
      .reverse()
      .map((p) =>
        h(
          'div',
          { class: `recipe-proposal status-${p.status}`, attrs: { 'data-candidate': p.id } },
          h('div', null, h('span', { class: 'tag' }, p.status), ` ${p.id} from ${p.parentId ?? '—'} · ${p.rationale}`),
          h('div', { class: 'muted' }, proposalOutcome(p, state.finished !== undefined)),
          p.analysis ? h('div', { class: 'muted' }, `Analysis: ${p.analysis}`) : null,
          h('pre', { class: 'recipe-text' }, p.recipe),
        ),
      ),
  );
}

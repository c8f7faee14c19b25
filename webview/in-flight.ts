// The strip of model requests in flight: which role asks which host for what, and for how long it has waited; and an
// endpoint the run waits out (down since, next retry, when the run would stop). Seconds tick while anything is shown.
import type { Role } from '../src/shared/schemas';
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import type { CallView, OutageView, PanelState } from './store';

export const ROLE_NAME: Record<Role, string> = {
  challenger: 'Challenger',
  quality: 'Quality check',
  weak: 'Weak solver',
  strong: 'Strong solver',
  judge: 'Judge',
  judge2: 'Second judge',
};

const SHOWN = 6;

/** 4 → "4 s", 75 → "1 min 15 s". */
export function waited(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The calls oldest first: the one waited on longest is what a stalled run waits for. */
export function callsInFlight(state: PanelState): CallView[] {
  return [...state.calls.values()].sort((a, b) => a.startedAt - b.startedAt);
}

export class InFlight {
  readonly el = h('section', { class: 'in-flight', attrs: { 'aria-label': 'Requests in flight', hidden: true } });

  /** Redraws from the state at time `now` (epoch ms); returns whether anything is shown (the caller ticks while so). */
  update(state: PanelState, now: number): boolean {
    const calls = callsInFlight(state);
    const outages = [...state.outages.values()];
    const shown = calls.length > 0 || outages.length > 0;
    this.el.hidden = !shown;
    if (!shown) {
      this.el.replaceChildren();
      return false;
    }
    replaceChildren(
      this.el,
      ...outages.map((o) => outage(o, now)),
      calls.length
        ? h(
            'div',
            { class: 'in-flight-head' },
            h('span', { class: 'section-label' }, 'Waiting for '),
            `${calls.length} model request${calls.length === 1 ? '' : 's'}`,
          )
        : null,
      calls.length
        ? h(
            'ul',
            { class: 'calls' },
            ...calls
              .slice(0, SHOWN)
              .map((c) =>
                h(
                  'li',
                  { class: 'call', attrs: { 'data-call-id': c.callId, 'data-role': c.role, title: c.attemptId ? `for ${c.attemptId}` : undefined } },
                  h('span', { class: 'call-role' }, ROLE_NAME[c.role]),
                  h('span', { class: 'call-where' }, `${c.model} at ${c.host}`),
                  h('span', { class: 'call-waited', attrs: { 'data-started': c.startedAt } }, waited(now - c.startedAt)),
                ),
              ),
            calls.length > SHOWN ? h('li', { class: 'muted' }, `and ${calls.length - SHOWN} more`) : null,
          )
        : null,
    );
    return true;
  }
}

function outage(o: OutageView, now: number): HTMLElement {
  const retry = Math.max(0, Math.ceil((o.retryAt - now) / 1000));
  return h(
    'div',
    { class: 'notice n-error outage', attrs: { role: 'alert', 'data-host': o.host } },
    icon('warning'),
    h(
      'span',
      { class: 'notice-text' },
      `${o.host} is not answering (${ROLE_NAME[o.role]}): ${o.reason}. Down for ${waited(now - o.since)}; asking again in ${retry} s. ` +
        `The run waits up to ${waited(o.limitSeconds * 1000)} in all, then stops; Resume goes on from there.`,
    ),
  );
}

// Dismissible banners: the host's notices and the engine's error events.
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import type { Notice } from './store';

const SHOWN = 4;

export class Notices {
  readonly el = h('div', { class: 'notices', attrs: { 'aria-live': 'polite' } });
  private key = '';

  constructor(private readonly onDismiss: (id: number) => void) {}

  update(notices: readonly Notice[]): void {
    const shown = notices.slice(-SHOWN).reverse();
    const key = shown.map((n) => n.id).join(',') + `/${notices.length}`;
    if (key === this.key) {
      return;
    }
    this.key = key;
    replaceChildren(
      this.el,
      ...shown.map((n) =>
        h(
          'div',
          { class: `notice n-${n.level}`, attrs: { role: n.level === 'error' ? 'alert' : 'status', 'data-notice-id': n.id } },
          icon(n.level === 'error' ? 'warning' : 'info'),
          h('span', { class: 'notice-text' }, n.text),
          h(
            'button',
            {
              class: 'icon-button',
              attrs: { type: 'button', 'data-action': 'dismiss', 'aria-label': 'Dismiss', title: 'Dismiss' },
              on: { click: () => this.onDismiss(n.id) },
            },
            icon('close'),
          ),
        ),
      ),
      notices.length > SHOWN ? h('div', { class: 'muted notices-more' }, `${notices.length - SHOWN} older message(s) hidden`) : null,
    );
  }
}

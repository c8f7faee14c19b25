// A rubric as a list: weight, criterion, and a "negative" tag for faults.
import type { RubricItem } from '../src/shared/schemas';
import { h } from './dom';

export function rubricList(rubric: readonly Pick<RubricItem, 'criterion' | 'weight' | 'negative'>[]): HTMLElement {
  return h(
    'ol',
    { class: 'rubric-list' },
    ...rubric.map((r) =>
      h(
        'li',
        { class: r.negative ? 'negative' : 'positive' },
        h('span', { class: 'weight', attrs: { title: `Weight ${r.weight} of 10` } }, String(r.weight)),
        h('span', { class: 'criterion' }, r.criterion),
        r.negative ? h('span', { class: 'tag negative', attrs: { title: 'A fault: meeting it lowers the score' } }, 'negative') : null,
      ),
    ),
  );
}

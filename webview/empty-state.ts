// What the panel shows before any run: what Autodata does, and how to start.
import { button, h } from './dom';
import { icon } from './icons';

export function emptyState(on: { run: () => void; step: () => void; openDataset: () => void }): HTMLElement {
  return h(
    'section',
    { class: 'empty-state', attrs: { 'aria-label': 'No run yet' } },
    h('h2', null, 'No run yet'),
    h(
      'p',
      null,
      'Autodata turns the document you are reading into training data. For each section, a Challenger writes a question with a weighted rubric and a reference answer; a weak solver should fail it and a strong solver should pass it. A Judge grades every answer, and only questions that separate the two are kept.',
    ),
    h(
      'p',
      { class: 'muted' },
      'Run goes on by itself. Step waits after each phase, so you can edit a question or leave a note for the next one. Items near a threshold come back to you for approval.',
    ),
    h(
      'div',
      { class: 'empty-actions' },
      button('Run', 'run', { appearance: 'primary', icon: icon('play'), onClick: on.run, title: 'Start a run on the active document (R)' }),
      button('Step', 'step', { icon: icon('step'), onClick: on.step, title: 'Start a run that waits after each step (S)' }),
      button('Open dataset', 'open-dataset', { icon: icon('file'), onClick: on.openDataset, title: 'Open the dataset file' }),
    ),
  );
}

// Inline editor of a challenge's question, reference answer and rubric (criteria, weights, negative flags).
import { ChallengeEdit } from '../src/protocol';
import type { RubricItem } from '../src/shared/schemas';
import { button, h } from './dom';
import { icon } from './icons';

export type ChallengeEditValue = ChallengeEdit;

interface FieldLike extends HTMLElement {
  value: string;
  checked?: boolean;
}

export interface EditorOptions {
  question: string;
  referenceAnswer: string;
  rubric: readonly RubricItem[];
  submitLabel: string;
  submitAction: string;
  onSubmit: (edit: ChallengeEditValue) => void;
  onCancel: () => void;
}

function textArea(label: string, value: string, rows: number, action: string): FieldLike {
  const el = h('vscode-text-area', { attrs: { rows, resize: 'vertical', 'data-field': action } }, label) as FieldLike;
  el.value = value;
  return el;
}

/** Reads an edit from form values; returns the zod issues as one sentence when it is not valid. */
export function parseEdit(
  question: string,
  referenceAnswer: string,
  rows: Array<{ criterion: string; weight: string; negative: boolean }>,
): { edit?: ChallengeEditValue; error?: string } {
  const rubric = rows.map((r) => ({ criterion: r.criterion.trim(), weight: Number(r.weight.trim()), negative: r.negative }));
  const bad = rubric.findIndex((r) => !Number.isInteger(r.weight) || r.weight < 1 || r.weight > 10);
  if (bad >= 0) {
    return { error: `Criterion ${bad + 1}: the weight must be a whole number from 1 to 10.` };
  }
  const empty = rubric.findIndex((r) => r.criterion === '');
  if (empty >= 0) {
    return { error: `Criterion ${empty + 1} is empty.` };
  }
  if (!rubric.some((r) => !r.negative)) {
    return { error: 'The rubric needs at least one positive criterion.' };
  }
  const parsed = ChallengeEdit.safeParse({ question: question.trim(), referenceAnswer: referenceAnswer.trim(), rubric });
  if (!parsed.success) {
    return { error: parsed.error.issues.map((i) => `${i.path.join(' ') || 'edit'}: ${i.message}`).join('; ') };
  }
  return { edit: parsed.data };
}

export function challengeEditor(o: EditorOptions): HTMLElement {
  const question = textArea('Question', o.question, 5, 'question');
  const reference = textArea('Reference answer', o.referenceAnswer, 6, 'reference-answer');
  const rows = h('div', { class: 'rubric-rows', attrs: { role: 'list', 'aria-label': 'Rubric criteria' } });
  const error = h('p', { class: 'editor-error', attrs: { role: 'alert' } });
  error.hidden = true;

  const addRow = (item: RubricItem) => {
    const criterion = h('vscode-text-field', { class: 'criterion', attrs: { 'data-field': 'criterion', 'aria-label': 'Criterion' } }) as FieldLike;
    criterion.value = item.criterion;
    const weight = h('vscode-text-field', {
      class: 'weight',
      attrs: { 'data-field': 'weight', size: 2, maxlength: 2, 'aria-label': 'Weight, 1 to 10', title: 'Weight, 1 (minor) to 10 (essential)' },
    }) as FieldLike;
    weight.value = String(item.weight);
    const negative = h('vscode-checkbox', { attrs: { 'data-field': 'negative', title: 'A fault: meeting it lowers the score' } }, 'negative') as FieldLike;
    negative.checked = item.negative;
    const remove = button(null, 'remove-criterion', {
      appearance: 'icon',
      icon: icon('close'),
      title: 'Remove this criterion',
      ariaLabel: 'Remove this criterion',
    });
    const row: HTMLElement = h('div', { class: 'rubric-row', attrs: { role: 'listitem' } }, criterion, weight, negative, remove);
    remove.addEventListener('click', () => {
      if (rows.children.length > 1) {
        row.remove();
      }
    });
    rows.append(row);
  };
  o.rubric.forEach(addRow);

  const submit = () => {
    const values = Array.from(rows.children).map((row) => ({
      criterion: (row.querySelector('[data-field="criterion"]') as FieldLike).value ?? '',
      weight: (row.querySelector('[data-field="weight"]') as FieldLike).value ?? '',
      negative: !!(row.querySelector('[data-field="negative"]') as FieldLike).checked,
    }));
    const r = parseEdit(question.value ?? '', reference.value ?? '', values);
    error.hidden = !r.error;
    error.textContent = r.error ?? '';
    if (r.edit) {
      o.onSubmit(r.edit);
    }
  };

  return h(
    'div',
    { class: 'challenge-editor', attrs: { role: 'form', 'aria-label': 'Edit the challenge' } },
    question,
    reference,
    h('div', { class: 'field-label' }, 'Rubric', h('span', { class: 'muted' }, ' · weight 1–10 · negative criteria are faults')),
    rows,
    h(
      'div',
      { class: 'editor-actions' },
      button('Add criterion', 'add-criterion', { onClick: () => addRow({ criterion: '', weight: 5, negative: false }) }),
      h('span', { class: 'spacer' }),
      button('Cancel', 'cancel', { onClick: o.onCancel }),
      button(o.submitLabel, o.submitAction, { appearance: 'primary', onClick: submit }),
    ),
    error,
  );
}

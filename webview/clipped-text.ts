// Long model or document text, shown as plain text and clipped with a "Show more" toggle.
import { h, type Child } from './dom';
import { charCount } from './format';

export interface ClipOptions {
  /** Characters shown before clipping. */
  limit: number;
  /** Lines shown before clipping (a short text of many lines is tall too). */
  maxLines?: number;
  className?: string;
  tag?: 'div' | 'p' | 'blockquote';
}

/** Where to cut `text` to show at most `limit` characters and `maxLines` lines; undefined when it fits. */
export function clipPoint(text: string, limit: number, maxLines = Infinity): number | undefined {
  let cut = text.length > limit ? limit : undefined;
  if (maxLines !== Infinity) {
    let nl = -1;
    for (let i = 0; i < maxLines; i++) {
      nl = text.indexOf('\n', nl + 1);
      if (nl < 0) {
        break;
      }
    }
    if (nl >= 0 && nl < text.length - 1 && (cut === undefined || nl < cut)) {
      cut = nl;
    }
  }
  if (cut === undefined) {
    return undefined;
  }
  // Prefer a word boundary close to the limit.
  const space = text.lastIndexOf(' ', cut);
  return space > cut * 0.8 ? space : cut;
}

export function clippedText(text: string, opts: ClipOptions): HTMLElement {
  const el = h(opts.tag ?? 'div', { class: `clip ${opts.className ?? ''}`.trim() });
  const cut = clipPoint(text, opts.limit, opts.maxLines);
  const body = document.createTextNode(cut === undefined ? text : `${text.slice(0, cut).trimEnd()} …`);
  el.appendChild(body);
  if (cut !== undefined) {
    let expanded = false;
    const more = `Show more (${charCount(text.length)})`;
    const toggle = h(
      'button',
      {
        class: 'link-button show-more',
        attrs: { type: 'button', 'data-action': 'show-more', 'aria-expanded': 'false' },
        on: {
          click: () => {
            expanded = !expanded;
            body.data = expanded ? text : `${text.slice(0, cut).trimEnd()} …`;
            toggle.textContent = expanded ? 'Show less' : more;
            toggle.setAttribute('aria-expanded', String(expanded));
          },
        },
      },
      more,
    );
    el.append(' ', toggle);
  }
  return el;
}

/** A native <details> whose body is built on first open (most of a thousand cards are never opened). */
export function lazyDetails(opts: { summary: Child[]; build: () => Child[]; className?: string; open?: boolean; action?: string }): HTMLDetailsElement {
  const d = h('details', { class: opts.className, attrs: { 'data-action': opts.action } }, h('summary', null, ...opts.summary));
  let built = false;
  const build = () => {
    if (built) {
      return;
    }
    built = true;
    d.append(h('div', { class: 'details-body' }, ...opts.build()));
  };
  if (opts.open) {
    d.open = true;
    build();
  }
  d.addEventListener('toggle', () => {
    if (d.open) {
      build();
    }
  });
  return d;
}

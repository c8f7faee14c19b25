// Tiny element builders. Text always goes in as text nodes: model and document text is never parsed as HTML.

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export interface ElementOptions {
  class?: string;
  /** Attributes; `true` sets an empty attribute, false / null / undefined leave it out. Never `style` (CSP). */
  attrs?: Attrs;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) {
    return;
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** `h('div', { class: 'card' }, 'text', child)`. Custom element tags (vscode-button) work too. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, opts?: ElementOptions | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, opts?: ElementOptions | null, ...children: Child[]): HTMLElement;
export function h(tag: string, opts?: ElementOptions | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (opts?.class) {
    el.className = opts.class;
  }
  setAttrs(el, opts?.attrs);
  if (opts?.on) {
    for (const [k, fn] of Object.entries(opts.on)) {
      el.addEventListener(k, fn as EventListener);
    }
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs ?? undefined);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.textContent = '';
  append(el, children);
}

/** Sets or clears a boolean attribute (e.g. `disabled` on toolkit buttons). */
export function toggleAttr(el: Element, name: string, on: boolean): void {
  if (on) {
    if (!el.hasAttribute(name)) {
      el.setAttribute(name, '');
    }
  } else if (el.hasAttribute(name)) {
    el.removeAttribute(name);
  }
}

/** A toolkit button with an action name for tests and delegation. */
export function button(
  label: Child,
  action: string,
  opts: {
    appearance?: 'primary' | 'secondary' | 'icon';
    title?: string;
    ariaLabel?: string;
    icon?: Node;
    disabled?: boolean;
    onClick?: (e: MouseEvent) => void;
  } = {},
): HTMLElement {
  const el = h('vscode-button', {
    attrs: { appearance: opts.appearance ?? 'secondary', 'data-action': action, title: opts.title, 'aria-label': opts.ariaLabel, disabled: opts.disabled },
    on: opts.onClick
      ? {
          click: (e) => {
            if (!(e.currentTarget as HTMLElement).hasAttribute('disabled')) {
              opts.onClick!(e);
            }
          },
        }
      : undefined,
  });
  if (opts.icon) {
    const slot = h('span', { class: 'btn-icon', attrs: { slot: opts.appearance === 'icon' ? undefined : 'start', 'aria-hidden': 'true' } }, opts.icon);
    el.appendChild(slot);
  }
  // The label stays a bare text node: the toolkit sizes slotted spans and svgs as 16px icons.
  append(el, [label]);
  return el;
}

/** A plain link-styled button (lighter than a toolkit component: used inside the many cards). */
export function linkButton(
  label: Child | Child[],
  action: string,
  opts: { title?: string; disabled?: boolean; onClick?: (e: MouseEvent) => void; ariaExpanded?: boolean } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      class: 'link-button',
      attrs: {
        type: 'button',
        'data-action': action,
        title: opts.title,
        disabled: opts.disabled,
        'aria-expanded': opts.ariaExpanded === undefined ? undefined : String(opts.ariaExpanded),
      },
      on: opts.onClick ? { click: opts.onClick } : undefined,
    },
    ...(Array.isArray(label) ? label : [label]),
  );
}

/** Whether keyboard focus is somewhere a person types (shortcuts must not fire there). */
export function isTypingTarget(e: Event): boolean {
  for (const n of e.composedPath()) {
    if (!(n instanceof HTMLElement)) {
      continue;
    }
    const tag = n.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || tag === 'VSCODE-TEXT-FIELD' || tag === 'VSCODE-TEXT-AREA' || n.isContentEditable) {
      return true;
    }
  }
  return false;
}

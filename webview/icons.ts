// Small 16×16 icons in the spirit of VS Code's codicons, drawn as SVG (no icon font to load under the CSP).
import { svg } from './dom';

const PATHS = {
  play: 'M4.5 2.5v11l9-5.5z',
  step: 'M3 2.5h2v11H3zM7 2.5v11l7-5.5z',
  pause: 'M4 2.5h3v11H4zM9 2.5h3v11H9z',
  stop: 'M3.5 3.5h9v9h-9z',
  check: 'M6.3 10.9 3 7.6l-1 1 4.3 4.3 7.7-7.7-1-1z',
  close: 'M8 7.1 12.1 3l.9.9L8.9 8l4.1 4.1-.9.9L8 8.9 3.9 13l-.9-.9L7.1 8 3 3.9l.9-.9z',
  edit: 'M13.2 1.8a1.6 1.6 0 0 0-2.3 0L3 9.7 2 14l4.3-1 7.9-7.9a1.6 1.6 0 0 0 0-2.3zM5.8 12l-2.4.6.6-2.4 6-6 1.8 1.8z',
  note: 'M2 2.5h12v8H7.5L4.5 13.5v-3H2zM3 3.5v6h2.5v1.6l1.6-1.6H13v-6z',
  file: 'M3.5 1.5h6l3 3v10h-9zM4.5 2.5v11h7V5h-2.5V2.5zM6 7.5h4v1H6zM6 9.5h4v1H6z',
  source: 'M9 2h5v5h-1V3.7L8.4 8.3l-.7-.7L12.3 3H9zM3 4h4v1H4v7h7V9h1v4H3z',
  warning: 'M8 1.5 15 14H1zM7.4 6v4.2h1.2V6zm0 5.3v1.3h1.2v-1.3z',
  info: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM7.4 7h1.2v4.5H7.4zm0-2.3h1.2V6H7.4z',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, className = 'icon'): SVGSVGElement {
  return svg(
    'svg',
    { class: className, viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' },
    svg('path', { d: PATHS[name], 'fill-rule': 'evenodd' }),
  );
}

// Weak mean vs strong mean, one dot per attempt, over the acceptance region and its borderline band (SVG, no library).
import type { PolicyThresholds } from '../src/shared/thresholds';
import { svg } from './dom';
import { STATUS_LABEL, formatScore } from './format';
import { scatterPoint, type AttemptView, type ScatterPoint } from './store';

const W = 260;
const H = 224;
const X0 = 36;
const X1 = W - 12;
const Y0 = 10;
const Y1 = H - 34;
const sx = (x: number) => X0 + Math.max(0, Math.min(1, x)) * (X1 - X0);
const sy = (y: number) => Y1 - Math.max(0, Math.min(1, y)) * (Y1 - Y0);

type Pt = [number, number];

/** Clips a convex polygon to the half-plane y − x ≥ g (Sutherland–Hodgman with one edge). */
export function clipToGap(poly: Pt[], g: number): Pt[] {
  const inside = (p: Pt) => p[1] - p[0] >= g - 1e-12;
  const cross = (a: Pt, b: Pt): Pt => {
    const fa = a[1] - a[0] - g;
    const fb = b[1] - b[0] - g;
    const t = fa / (fa - fb);
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  };
  const out: Pt[] = [];
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i];
    const b = poly[(i + 1) % poly.length];
    if (inside(a)) {
      out.push(a);
      if (!inside(b)) {
        out.push(cross(a, b));
      }
    } else if (inside(b)) {
      out.push(cross(a, b));
    }
  }
  return out;
}

/** The region (in score units) where the means pass, widened by `margin` on every threshold for the borderline band. */
export function acceptanceRegion(t: PolicyThresholds, margin = 0): Pt[] {
  const top = t.strongMeanMax < 1 ? Math.min(1, t.strongMeanMax + margin) : 1;
  const right = Math.min(1, t.weakMeanMax + margin);
  const bottom = Math.max(0, t.strongMeanMin - margin);
  if (right < 0 || top <= bottom) {
    return [];
  }
  return clipToGap(
    [
      [0, bottom],
      [right, bottom],
      [right, top],
      [0, top],
    ],
    t.minGap - margin,
  );
}

const points = (poly: Pt[]) => poly.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');

function tooltip(a: AttemptView, p: ScatterPoint): string {
  return `${a.id} · iteration ${a.iteration} · ${STATUS_LABEL[p.status]} · weak ${formatScore(p.x)} · ${p.skipped ? 'strong skipped' : `strong ${formatScore(p.y)}`}`;
}

export class Scatter {
  readonly el: SVGSVGElement;
  private readonly regions: SVGGElement;
  private readonly dots: SVGGElement;
  private readonly byId = new Map<string, { c: SVGCircleElement; title: SVGTitleElement; key: string }>();
  private thresholds?: PolicyThresholds;
  private selected?: string;

  constructor(private readonly onSelect: (attemptId: string) => void) {
    this.regions = svg('g', { class: 'regions' });
    this.dots = svg('g', { class: 'dots' });
    const axes = svg('g', { class: 'axes' });
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      axes.append(
        svg('line', { class: 'grid', x1: sx(v), x2: sx(v), y1: Y0, y2: Y1 }),
        svg('line', { class: 'grid', x1: X0, x2: X1, y1: sy(v), y2: sy(v) }),
        svg('text', { class: 'tick', x: sx(v), y: Y1 + 12, 'text-anchor': 'middle' }, v === 0 || v === 1 ? String(v) : v.toFixed(2)),
        svg('text', { class: 'tick', x: X0 - 5, y: sy(v) + 3, 'text-anchor': 'end' }, v === 0 || v === 1 ? String(v) : v.toFixed(2)),
      );
    }
    axes.append(
      svg('line', { class: 'axis', x1: X0, x2: X1, y1: Y1, y2: Y1 }),
      svg('line', { class: 'axis', x1: X0, x2: X0, y1: Y0, y2: Y1 }),
      svg('line', { class: 'diagonal', x1: sx(0), y1: sy(0), x2: sx(1), y2: sy(1) }),
      svg('text', { class: 'axis-title', x: (X0 + X1) / 2, y: H - 4, 'text-anchor': 'middle' }, 'weak mean'),
      svg('text', { class: 'axis-title', x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(10 ${(Y0 + Y1) / 2}) rotate(-90)` }, 'strong mean'),
    );
    this.el = svg(
      'svg',
      { class: 'scatter', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Weak mean against strong mean per attempt' },
      axes,
      this.regions,
      this.dots,
    );
    this.dots.addEventListener('click', (e) => {
      const id = (e.target as Element).getAttribute?.('data-attempt-id');
      if (id) {
        this.onSelect(id);
      }
    });
  }

  setThresholds(t: PolicyThresholds): void {
    if (this.thresholds === t) {
      return;
    }
    this.thresholds = t;
    this.regions.textContent = '';
    const band = acceptanceRegion(t, t.borderlineMargin);
    const region = acceptanceRegion(t);
    if (t.borderlineMargin > 0 && band.length > 2) {
      this.regions.append(
        svg(
          'polygon',
          { class: 'band', points: points(band) },
          svg('title', null, `Borderline band: within ${formatScore(t.borderlineMargin)} of a threshold, a person decides`),
        ),
      );
    }
    if (region.length > 2) {
      this.regions.append(svg('polygon', { class: 'region', points: points(region) }, svg('title', null, 'Acceptance region')));
    }
  }

  /** Adds, moves or recolours one attempt's dot. */
  update(a: AttemptView): void {
    const p = scatterPoint(a);
    const have = this.byId.get(a.id);
    if (!p) {
      if (have) {
        have.c.remove();
        this.byId.delete(a.id);
      }
      return;
    }
    const key = `${p.x}|${p.y}|${p.skipped}|${p.status}|${a.iteration}`;
    if (have?.key === key) {
      return;
    }
    const entry =
      have ??
      (() => {
        const title = svg('title');
        const c = svg('circle', { 'data-attempt-id': a.id, r: 3.4 }, title);
        this.dots.append(c);
        return { c, title, key: '' };
      })();
    entry.key = key;
    entry.c.setAttribute('cx', sx(p.x).toFixed(1));
    entry.c.setAttribute('cy', sy(p.y).toFixed(1));
    entry.c.setAttribute('class', `dot s-${p.status}${p.skipped ? ' hollow' : ''}${this.selected === a.id ? ' selected' : ''}`);
    entry.title.textContent = tooltip(a, p);
    this.byId.set(a.id, entry);
  }

  select(id: string | undefined): void {
    if (this.selected) {
      this.byId.get(this.selected)?.c.classList.remove('selected');
    }
    this.selected = id;
    const e = id ? this.byId.get(id) : undefined;
    if (e) {
      e.c.classList.add('selected');
      this.dots.append(e.c);
    }
  }

  describe(total: number, accepted: number): void {
    this.el.setAttribute('aria-label', `Weak mean against strong mean: ${this.byId.size} of ${total} attempts plotted, ${accepted} accepted`);
  }

  clear(): void {
    this.dots.textContent = '';
    this.byId.clear();
    this.selected = undefined;
  }

  get size(): number {
    return this.byId.size;
  }
}

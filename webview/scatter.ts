// Weak mean vs strong mean, one dot per attempt, over the acceptance region and its borderline band (SVG, no library).
// The dots of one status are one <path> (a circle per dot), so the plot costs a fixed number of nodes however long the
// run; pointing and clicking find the nearest dot, a tooltip names it, and the selected dot is its own circle on top.
import type { PolicyThresholds } from '../src/shared/thresholds';
import { h, svg } from './dom';
import { STATUS_LABEL, formatScore } from './format';
import { scatterPoint, type AttemptStatus, type AttemptView, type ScatterPoint } from './store';

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

function tooltip(a: ScatterPoint & { iteration: number }): string {
  return `${a.id} · iteration ${a.iteration} · ${STATUS_LABEL[a.status]} · weak ${formatScore(a.x)} · ${a.skipped ? 'strong skipped' : `strong ${formatScore(a.y)}`}`;
}

/** Dot radius, and how near (in plot units) the pointer must be to a dot to point at it. */
const R = 3.4;
const NEAR = 7;
/** Drawn bottom to top: what a person acts on lies over the rejections (every status has its place). */
const DEPTH: Record<AttemptStatus, number> = {
  running: 0,
  failed: 1,
  quality_failed: 2,
  low_spread: 3,
  too_easy: 4,
  too_hard: 5,
  gap_too_small: 6,
  rejected_by_you: 7,
  review: 8,
  accepted: 9,
  approved: 10,
};
const LAYERS = (Object.keys(DEPTH) as AttemptStatus[]).sort((a, b) => DEPTH[a] - DEPTH[b]);

interface Dot extends ScatterPoint {
  iteration: number;
  cx: number;
  cy: number;
  layer: string;
}

const layerOf = (p: ScatterPoint) => `${p.status}${p.skipped ? ' hollow' : ''}`;
const circleAt = (cx: number, cy: number) => `M${(cx - R).toFixed(1)} ${cy.toFixed(1)}a${R} ${R} 0 1 0 ${2 * R} 0a${R} ${R} 0 1 0 ${-2 * R} 0`;

export class Scatter {
  readonly el: HTMLElement;
  private readonly plot: SVGSVGElement;
  private readonly regions: SVGGElement;
  private readonly dots: SVGGElement;
  private readonly tip = h('div', { class: 'scatter-tip', attrs: { role: 'tooltip' } });
  private readonly ring = svg('circle', { class: 'dot hover', r: 5 });
  private readonly chosen = svg('circle', { class: 'dot selected', r: 5 });
  private readonly byId = new Map<string, Dot>();
  /** One path per status (and hollow variant), with the ids it draws. */
  private readonly layers = new Map<string, { path: SVGPathElement; ids: Set<string> }>();
  private readonly stale = new Set<string>();
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
    for (const status of LAYERS) {
      for (const hollow of [false, true]) {
        const key = `${status}${hollow ? ' hollow' : ''}`;
        const path = svg('path', { class: `dots-of s-${status}${hollow ? ' hollow' : ''}`, 'data-count': 0, d: '' });
        this.layers.set(key, { path, ids: new Set() });
        this.dots.append(path);
      }
    }
    this.ring.setAttribute('visibility', 'hidden');
    this.chosen.setAttribute('visibility', 'hidden');
    this.plot = svg(
      'svg',
      { class: 'scatter', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Weak mean against strong mean per attempt' },
      axes,
      this.regions,
      this.dots,
      this.chosen,
      this.ring,
    );
    this.tip.hidden = true;
    this.el = h('div', { class: 'scatter-box' }, this.plot, this.tip);
    this.plot.addEventListener('click', (e) => {
      const d = this.nearest(e);
      if (d) {
        this.onSelect(d.id);
      }
    });
    let moved: MouseEvent | undefined;
    this.plot.addEventListener('mousemove', (e) => {
      if (!moved) {
        requestAnimationFrame(() => {
          const m = moved;
          moved = undefined;
          if (m) {
            this.hover(m);
          }
        });
      }
      moved = e;
    });
    this.plot.addEventListener('mouseleave', () => {
      moved = undefined;
      this.hover(undefined);
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

  /** Adds, moves or recolours one attempt's dot (drawn at the next flush()). */
  update(a: AttemptView): void {
    const p = scatterPoint(a);
    const have = this.byId.get(a.id);
    if (!p) {
      if (have) {
        this.move(have, undefined);
        this.byId.delete(a.id);
      }
      return;
    }
    const cx = sx(p.x);
    const cy = sy(p.y);
    const layer = layerOf(p);
    if (have && have.cx === cx && have.cy === cy && have.layer === layer && have.iteration === a.iteration) {
      return;
    }
    const dot: Dot = { ...p, iteration: a.iteration, cx, cy, layer };
    if (have?.layer !== layer) {
      this.move(have, layer, a.id);
    } else {
      this.stale.add(layer);
    }
    this.byId.set(a.id, dot);
    if (this.selected === a.id) {
      this.drawChosen();
    }
  }

  /** Redraws the paths whose dots changed (once per frame, however many attempts changed). */
  flush(): void {
    for (const key of this.stale) {
      const layer = this.layers.get(key);
      if (!layer) {
        continue;
      }
      let d = '';
      for (const id of layer.ids) {
        const dot = this.byId.get(id);
        if (dot) {
          d += circleAt(dot.cx, dot.cy);
        }
      }
      layer.path.setAttribute('d', d);
      layer.path.setAttribute('data-count', String(layer.ids.size));
    }
    this.stale.clear();
  }

  select(id: string | undefined): void {
    this.selected = id;
    this.drawChosen();
  }

  /** The dot's position in the page (for tests and for a person's pointer), if it is plotted. */
  dotCentre(id: string): { x: number; y: number } | undefined {
    const d = this.byId.get(id);
    const m = this.plot.getScreenCTM();
    if (!d || !m) {
      return undefined;
    }
    const pt = new DOMPoint(d.cx, d.cy).matrixTransform(m);
    return { x: pt.x, y: pt.y };
  }

  describe(total: number, accepted: number): void {
    this.plot.setAttribute('aria-label', `Weak mean against strong mean: ${this.byId.size} of ${total} attempts plotted, ${accepted} accepted`);
    this.plot.setAttribute('data-plotted', String(this.byId.size));
  }

  clear(): void {
    for (const [key, layer] of this.layers) {
      layer.ids.clear();
      this.stale.add(key);
    }
    this.byId.clear();
    this.selected = undefined;
    this.drawChosen();
    this.hover(undefined);
    this.flush();
  }

  get size(): number {
    return this.byId.size;
  }

  private move(from: Dot | undefined, to: string | undefined, id = from?.id): void {
    if (from) {
      this.layers.get(from.layer)?.ids.delete(from.id);
      this.stale.add(from.layer);
    }
    if (to && id) {
      this.layers.get(to)?.ids.add(id);
      this.stale.add(to);
    }
  }

  private drawChosen(): void {
    const d = this.selected ? this.byId.get(this.selected) : undefined;
    if (!d) {
      this.chosen.setAttribute('visibility', 'hidden');
      this.chosen.removeAttribute('data-attempt-id');
      return;
    }
    this.chosen.setAttribute('visibility', 'visible');
    this.chosen.setAttribute('data-attempt-id', d.id);
    this.chosen.setAttribute('cx', d.cx.toFixed(1));
    this.chosen.setAttribute('cy', d.cy.toFixed(1));
    this.chosen.setAttribute('class', `dot selected s-${d.status}${d.skipped ? ' hollow' : ''}`);
  }

  /** The dot nearest the pointer, within reach. */
  private nearest(e: MouseEvent): Dot | undefined {
    const m = this.plot.getScreenCTM();
    if (!m) {
      return undefined;
    }
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    let best: Dot | undefined;
    let bestD = NEAR * NEAR;
    for (const d of this.byId.values()) {
      const dx = d.cx - p.x;
      const dy = d.cy - p.y;
      const dd = dx * dx + dy * dy;
      // Ties go to the later dot, which is drawn on top.
      if (dd <= bestD) {
        best = d;
        bestD = dd;
      }
    }
    return best;
  }

  private hover(e: MouseEvent | undefined): void {
    const d = e ? this.nearest(e) : undefined;
    this.plot.classList.toggle('pointing', !!d);
    if (!d) {
      this.ring.setAttribute('visibility', 'hidden');
      this.tip.hidden = true;
      return;
    }
    this.ring.setAttribute('visibility', 'visible');
    this.ring.setAttribute('cx', d.cx.toFixed(1));
    this.ring.setAttribute('cy', d.cy.toFixed(1));
    this.tip.textContent = tooltip(d);
    this.tip.hidden = false;
    const box = this.el.getBoundingClientRect();
    const at = this.dotCentre(d.id);
    if (at) {
      // Beside the dot, kept inside the plot's box.
      this.tip.style.left = `${Math.max(0, Math.min(box.width - this.tip.offsetWidth, at.x - box.left + 10))}px`;
      this.tip.style.top = `${Math.max(0, at.y - box.top - this.tip.offsetHeight - 8)}px`;
    }
  }
}

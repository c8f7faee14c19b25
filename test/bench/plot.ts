// A small SVG line plot of growth curves (one series per figure, log-scaled x), written beside BENCHMARKS.md.
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

export function plot(title: string, xLabel: string, yLabel: string, series: readonly Series[], opts: { target?: number } = {}): string {
  const W = 520;
  const H = 300;
  const L = 60;
  const R = 150;
  const T = 30;
  const B = 45;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).concat(opts.target ?? 0, 0);
  const x0 = Math.log10(Math.min(...xs));
  const x1 = Math.log10(Math.max(...xs));
  const y1 = Math.max(...ys) * 1.1 || 1;
  const px = (x: number) => L + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y: number) => H - B - (y / y1) * (H - T - B);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="13" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text x="14" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">${escape(yLabel)}</text>`,
  ];
  for (const x of [...new Set(xs)]) {
    parts.push(`<text x="${px(x)}" y="${H - B + 14}" text-anchor="middle">${x.toLocaleString('en')}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const y = (y1 * k) / 4;
    parts.push(
      `<text x="${L - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
      `<line x1="${L}" y1="${py(y)}" x2="${W - R}" y2="${py(y)}" stroke="#eee"/>`,
    );
  }
  if (opts.target !== undefined) {
    parts.push(
      `<line x1="${L}" y1="${py(opts.target)}" x2="${W - R}" y2="${py(opts.target)}" stroke="#888" stroke-dasharray="4 3"/>`,
      `<text x="${W - R + 4}" y="${py(opts.target) + 4}" fill="#666">target ${fmt(opts.target)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`);
    for (const [x, y] of s.points) {
      parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${c}"/>`);
    }
    parts.push(`<text x="${W - R + 4}" y="${T + 14 * (i + 1)}" fill="${c}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

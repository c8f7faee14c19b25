// A PDF's lines (as pdf.js reads them: text, font size, bold or not, baseline) turned into the text of its extracted
// source: paragraphs apart by a blank line, and headings as Markdown headings, so a paper splits into its sections.
// A PDF has no headings of its own: a heading is a short line set larger than the body text, or in bold.

export interface PdfTextLine {
  text: string;
  /** Font size in points (the largest of the line's pieces). */
  size: number;
  /** Every letter of the line is set in a bold (or black, heavy, semibold) font. */
  bold: boolean;
  /** Baseline, in points from the bottom of the page. */
  y: number;
}

/** How much larger than the body text a line must be to be a heading by size alone. */
const LARGER = 1.12;
const MAX_HEADING_CHARS = 100;
const MAX_HEADING_WORDS = 14;
/** Figure and table captions are often bold; they are not sections. */
const CAPTION = /^(figure|fig\.|table|algorithm|listing|equation)\s*[\dA-Z]/i;

const roundSize = (s: number) => Math.round(s * 2) / 2;

/** The size most of the document's letters are set in. */
export function bodySize(pages: PdfTextLine[][]): number {
  const chars = new Map<number, number>();
  for (const l of pages.flat()) {
    const s = roundSize(l.size);
    chars.set(s, (chars.get(s) ?? 0) + l.text.replace(/\s/g, '').length);
  }
  let best = 0;
  let most = -1;
  for (const [s, n] of chars) {
    if (n > most) {
      best = s;
      most = n;
    }
  }
  return best;
}

/** Whether a line reads as a heading: short, words rather than a sentence or a number, set larger or bold. */
export function isHeading(l: PdfTextLine, body: number): boolean {
  const text = l.text.trim();
  if (text.length < 2 || text.length > MAX_HEADING_CHARS || !/\p{L}{2}/u.test(text)) {
    return false;
  }
  if (text.split(/\s+/).length > MAX_HEADING_WORDS || /[.,;:]$/.test(text) || CAPTION.test(text)) {
    return false;
  }
  return roundSize(l.size) >= body * LARGER || (l.bold && roundSize(l.size) >= body);
}

/**
 * The text of a PDF's pages: lines in reading order, a blank line where the gap between two lines is larger than the
 * page's line spacing, and each heading on a line of its own starting with #, ## or ### (by its size: the largest is #).
 */
export function layoutPdfText(pages: PdfTextLine[][]): string {
  const body = bodySize(pages);
  const headingSizes = [
    ...new Set(
      pages
        .flat()
        .filter((l) => isHeading(l, body))
        .map((l) => roundSize(l.size)),
    ),
  ].sort((a, b) => b - a);
  const level = (l: PdfTextLine) => Math.min(3, headingSizes.indexOf(roundSize(l.size)) + 1);

  const out: string[] = [];
  for (const lines of pages) {
    const spacing = lineSpacing(lines);
    let page = '';
    let heading: PdfTextLine | undefined;
    let prev: PdfTextLine | undefined;
    for (const l of lines) {
      const text = l.text.trim();
      if (!text) {
        continue;
      }
      if (isHeading(l, body)) {
        // A heading wrapped onto a second line, in the same style, stays one heading.
        if (heading && prev === heading && roundSize(l.size) === roundSize(heading.size) && l.bold === heading.bold && heading.y - l.y <= l.size * 2) {
          page = `${page.trimEnd()} ${text}\n`;
          heading = { ...heading, y: l.y };
          prev = heading;
          continue;
        }
        page = `${page.trimEnd()}${page ? '\n\n' : ''}${'#'.repeat(level(l))} ${text}\n\n`;
        heading = l;
        prev = l;
        continue;
      }
      if (prev && !page.endsWith('\n\n') && spacing > 0 && prev.y - l.y > spacing * 1.5) {
        page = `${page.trimEnd()}\n\n`;
      }
      page += `${text}\n`;
      heading = undefined;
      prev = l;
    }
    if (page.trim()) {
      out.push(page.trim());
    }
  }
  return out.join('\n\n');
}

/** The usual distance between two lines of body text on a page (the smallest common gap between baselines). */
function lineSpacing(lines: PdfTextLine[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const gap = lines[i - 1].y - lines[i].y;
    if (gap > 0) {
      gaps.push(gap);
    }
  }
  if (gaps.length === 0) {
    return 0;
  }
  gaps.sort((a, b) => a - b);
  // The lower quartile: most gaps are line spacing, the larger ones paragraph and heading breaks.
  return gaps[Math.floor(gaps.length / 4)];
}

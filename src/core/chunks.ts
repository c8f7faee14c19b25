// Splits a document into sections (targets) on headings, keeping offsets so every item links back to its range.
import { createHash } from 'node:crypto';
import type { Target } from '../shared/schemas';

export interface ChunkOptions {
  /** Longest section sent to the Challenger, in characters; longer ones are split on paragraph breaks. */
  maxChars: number;
  /** Sections shorter than this are merged into a neighbour. */
  minChars: number;
  /** Also split on numbered heading lines such as "3.2 Results" (plain text, e.g. extracted from a PDF). */
  numberedHeadings?: boolean;
}

export const DEFAULT_CHUNKS: ChunkOptions = { maxChars: 12_000, minChars: 400 };

const HEADING = /^(#{1,6}[ \t]+\S.*|\\(?:section|subsection|chapter)\*?\{.*\}.*|[A-Z0-9][^\n]{0,80}\n(?:=+|-+)[ \t]*)$/gm;

interface Span {
  start: number;
  end: number;
  title: string;
}

function headingTitle(line: string): string {
  return line
    .replace(/^#+\s*/, '')
    .replace(/^\\\w+\*?\{(.*)\}.*$/, '$1')
    .split('\n')[0]
    .trim()
    .slice(0, 120);
}

/** A short line "1 Introduction" / "3.2 Related Work" on its own, without a final full stop. */
const NUMBERED = /^\d{1,2}(?:\.\d{1,2})*\.?[ \t]+[A-Z][^\n.]{1,70}$/gm;

function byHeadings(text: string, numbered: boolean): Span[] {
  const starts: Array<{ at: number; title: string }> = [];
  for (const m of text.matchAll(HEADING)) {
    starts.push({ at: m.index ?? 0, title: headingTitle(m[0]) });
  }
  if (numbered) {
    for (const m of text.matchAll(NUMBERED)) {
      starts.push({ at: m.index ?? 0, title: m[0].trim().slice(0, 120) });
    }
    starts.sort((a, b) => a.at - b.at);
  }
  if (starts.length === 0 || starts[0].at > 0) {
    starts.unshift({ at: 0, title: '' });
  }
  return starts.map((s, i) => ({ start: s.at, end: i + 1 < starts.length ? starts[i + 1].at : text.length, title: s.title }));
}

/** Cuts a span into pieces no longer than max, at paragraph, line, sentence or (last) character boundaries. */
function splitLong(text: string, s: Span, max: number): Span[] {
  const out: Span[] = [];
  let start = s.start;
  let part = 1;
  while (s.end - start > max) {
    const window = text.slice(start, start + max);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf('. ')].find((i) => i > max / 2);
    const end = start + (cut !== undefined ? cut + 1 : max);
    out.push({ start, end, title: `${s.title || 'Part'} (${part++})` });
    start = end;
  }
  out.push({ start, end: s.end, title: part > 1 ? `${s.title || 'Part'} (${part})` : s.title });
  return out;
}

export function splitSections(text: string, opts: ChunkOptions = DEFAULT_CHUNKS): Target[] {
  if (!text.trim()) {
    return [];
  }
  const merged: Span[] = [];
  for (const s of byHeadings(text, opts.numberedHeadings ?? false)) {
    const prev = merged[merged.length - 1];
    // A heading followed by little text joins the next section (or the previous one at the end).
    if (prev && prev.end - prev.start < opts.minChars && s.end - prev.start <= opts.maxChars) {
      prev.end = s.end;
      prev.title = prev.title || s.title;
    } else {
      merged.push({ ...s });
    }
  }
  const last = merged[merged.length - 1];
  if (merged.length > 1 && last.end - last.start < opts.minChars && last.end - merged[merged.length - 2].start <= opts.maxChars) {
    merged.pop();
    merged[merged.length - 1].end = last.end;
  }
  const spans = merged.flatMap((s) => splitLong(text, s, opts.maxChars)).filter((s) => text.slice(s.start, s.end).trim());
  return spans.map((s, i) => ({
    id: `s${i + 1}`,
    title: s.title || `Section ${i + 1}`,
    range: { start: s.start, end: s.end },
    text: text.slice(s.start, s.end),
  }));
}

/** Fewer characters than this (about two sentences) give a Challenger nothing to ask a real question about. */
export const MIN_SELECTION_CHARS = 200;

/** Why a selection cannot be generated from, or undefined when it can. */
export function selectionProblem(text: string, start: number, end: number): string | undefined {
  const chars = text.slice(start, end).trim().length;
  if (chars >= MIN_SELECTION_CHARS) {
    return undefined;
  }
  return `The selection has ${chars} character${chars === 1 ? '' : 's'}: too little to write a question about. Select at least ${MIN_SELECTION_CHARS} characters (a paragraph or more), or use Generate from Document.`;
}

/** A selection as a single target. */
export function selectionTarget(text: string, start: number, end: number, title = 'Selection'): Target {
  return { id: `sel-${start}-${end}`, title, range: { start, end }, text: text.slice(start, end) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Markdown emphasis and code marks, which a Challenger often drops (or adds) when it quotes. */
const MARKS = new Set(['*', '_', '`']);

/** A character as compared: any whitespace one space, curly quotes and dashes straight, emphasis marks dropped (''). */
function comparable(c: string): string {
  if (/\s/.test(c)) {
    return ' ';
  }
  if (MARKS.has(c)) {
    return '';
  }
  return c
    .replace(/[\u2018\u2019]/, "'")
    .replace(/[\u201C\u201D]/, '"')
    .replace(/[\u2013\u2014]/, '-');
}

/** The comparable form of a text, with each of its characters' offsets in the original. */
function flatten(text: string): { flat: string; map: number[] } {
  let flat = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = comparable(text[i]);
    // A blockquote's "> " after a line break is wrapping, not text.
    if (c === '>' && /\n[ \t]*$/.test(text.slice(Math.max(0, i - 8), i))) {
      continue;
    }
    if (!c || (c === ' ' && (flat.endsWith(' ') || flat === ''))) {
      continue;
    }
    flat += c;
    map.push(i);
  }
  return { flat, map };
}

/** Widens a range over emphasis marks whose partner lies inside it, so `**bold** text` is quoted whole. */
function withMarks(text: string, start: number, end: number): { start: number; end: number } {
  const open = new Map<string, number>();
  let s = start;
  let e = end;
  for (const m of text.matchAll(/\*+|_+|`+/g)) {
    const run = m[0];
    const at = m.index ?? 0;
    const o = open.get(run);
    if (o === undefined) {
      open.set(run, at);
      continue;
    }
    open.delete(run);
    const close = at;
    if (o + run.length === start && close >= start && close < end) {
      s = o;
    }
    if (close === end && o >= start && o < end) {
      e = close + run.length;
    }
  }
  return { start: s, end: e };
}

/** How many times this exact run of marks (`**`, not `***`) occurs in a text. */
function runsOf(text: string, run: string): number {
  let n = 0;
  for (const m of text.matchAll(/\*+|_+|`+/g)) {
    n += m[0] === run ? 1 : 0;
  }
  return n;
}

/**
 * Narrows a range that begins with the closing mark of emphasis opened before it (`** Sparse…` after `**Abstract.`), or
 * ends with the opening mark of emphasis closed after it: a quote does not take a lone marker along.
 */
function withoutStrayMarks(text: string, start: number, end: number): { start: number; end: number } {
  const lead = /^(\*+|_+|`+)\s*/.exec(text.slice(start, end));
  if (lead && runsOf(text.slice(start, end), lead[1]) % 2 === 1) {
    start += lead[0].length;
  }
  const trail = /\s*(\*+|_+|`+)$/.exec(text.slice(start, end));
  if (trail && runsOf(text.slice(start, end), trail[1]) % 2 === 1) {
    end -= trail[0].length;
  }
  return { start, end };
}

/**
 * Where a quote appears in a target, as absolute offsets into the document. Matches exactly first, then ignoring
 * differences in whitespace and line wrapping, quote characters and dashes, and Markdown emphasis (models reflow text
 * and drop `*x*`, `**x**`, `_x_` and backticks). The range is of the document's own text, its emphasis included, without a
 * lone marker at either end.
 */
export function locateQuote(target: Target, quote: string): { start: number; end: number } | undefined {
  const q = quote.trim();
  if (!q) {
    return undefined;
  }
  const exact = target.text.indexOf(q);
  if (exact >= 0) {
    const r = withoutStrayMarks(target.text, exact, exact + q.length);
    if (r.end > r.start) {
      return { start: target.range.start + r.start, end: target.range.start + r.end };
    }
  }
  const doc = flatten(target.text);
  const nq = flatten(q).flat.trim();
  if (!nq) {
    return undefined;
  }
  const at = doc.flat.indexOf(nq);
  if (at < 0) {
    return undefined;
  }
  const r = withMarks(target.text, doc.map[at], doc.map[at + nq.length - 1] + 1);
  return { start: target.range.start + r.start, end: target.range.start + r.end };
}

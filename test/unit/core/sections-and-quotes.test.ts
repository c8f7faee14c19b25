import assert from 'node:assert/strict';
import { locateQuote, selectionProblem, selectionTarget, splitSections } from '../../../src/core/chunks';

const para = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word} sentence ${i} explains one more point.`).join(' ');

describe('sections', () => {
  it('splits Markdown on headings and keeps offsets that slice back to each section', () => {
    const doc = `# Title\n\n${para(20, 'Intro')}\n\n## Method\n\n${para(20, 'Method')}\n\n## Results\n\n${para(20, 'Results')}\n`;
    const ts = splitSections(doc);
    assert.deepEqual(
      ts.map((t) => t.title),
      ['Title', 'Method', 'Results'],
    );
    for (const t of ts) {
      assert.equal(doc.slice(t.range.start, t.range.end), t.text);
    }
    assert.equal(ts[0].range.start, 0);
    assert.equal(ts[ts.length - 1].range.end, doc.length);
  });

  it('splits LaTeX sections', () => {
    const doc = `\\section{Introduction}\n${para(20, 'A')}\n\\section{Related Work}\n${para(20, 'B')}`;
    assert.deepEqual(
      splitSections(doc).map((t) => t.title),
      ['Introduction', 'Related Work'],
    );
  });

  it('merges a heading with almost no text into its neighbour', () => {
    const doc = `# Paper\n\n## Abstract\n\n${para(20, 'A')}`;
    const ts = splitSections(doc);
    assert.equal(ts.length, 1);
    assert.equal(ts[0].text, doc);
  });

  it('cuts a long section at paragraph breaks, never above the limit, and loses no text', () => {
    const doc = Array.from({ length: 40 }, (_, i) => para(10, `P${i}`)).join('\n\n');
    const ts = splitSections(doc, { maxChars: 2000, minChars: 100 });
    assert.ok(ts.length > 5);
    for (const t of ts) {
      assert.ok(t.text.length <= 2000, `${t.text.length}`);
    }
    assert.equal(ts.map((t) => t.text).join(''), doc);
  });

  it('refuses a selection too short to ask about, saying how long it is and what to select', () => {
    const doc = `Intro.\n\n${'Sparse attention lets each token look at a few others, which cuts the cost of long inputs. '.repeat(3)}`;
    const start = doc.indexOf('Sparse');
    const short = selectionProblem(doc, start, start + 52);
    assert.match(short ?? '', /^The selection has 52 characters: too little to write a question about\. Select at least 200 characters/);
    // Surrounding whitespace does not count; a paragraph is enough.
    assert.match(selectionProblem(doc, start - 2, start + 52) ?? '', /has 52 characters/);
    assert.equal(selectionProblem(doc, start, doc.length), undefined);
  });

  it('returns no sections for an empty or blank document', () => {
    assert.deepEqual(splitSections(''), []);
    assert.deepEqual(splitSections('  \n\n '), []);
  });

  it('finds a quote verbatim, or across reflowed whitespace and curly quotes, as absolute offsets', () => {
    const doc = 'Head.\n\nThe model "learns"   quickly\nwhen data is clean. Other text.';
    const t = selectionTarget(doc, 7, doc.length);
    const exact = locateQuote(t, 'when data is clean.');
    assert.deepEqual(exact, { start: doc.indexOf('when'), end: doc.indexOf('when') + 'when data is clean.'.length });
    const loose = locateQuote(t, 'The model \u201clearns\u201d quickly when data');
    assert.ok(loose);
    assert.equal(doc.slice(loose.start, loose.end), 'The model "learns"   quickly\nwhen data');
    assert.equal(locateQuote(t, 'not in the text at all'), undefined);
    assert.equal(locateQuote(t, 'Head.'), undefined, 'outside the target');
  });

  it('splits plain text (e.g. from a PDF) on numbered heading lines when asked, and only then', () => {
    const doc = `1 Introduction\n${para(15, 'Intro')}\n\n2.1 Related Work\n${para(15, 'Rel')}\n\n3. Results and discussion\n${para(15, 'Res')}\n`;
    assert.deepEqual(
      splitSections(doc, { maxChars: 12000, minChars: 200, numberedHeadings: true }).map((t) => t.title),
      ['1 Introduction', '2.1 Related Work', '3. Results and discussion'],
    );
    assert.equal(splitSections(doc, { maxChars: 12000, minChars: 200 }).length, 1);
    const list = `${para(15, 'A')}\n1. Do this first.\n2. Then this.\n`;
    assert.equal(splitSections(list, { maxChars: 12000, minChars: 200, numberedHeadings: true }).length, 1, 'list items with full stops are not headings');
  });

  it('splits a 50 MB document into bounded sections without losing a character', () => {
    const chapter = (i: number) => `# Chapter ${i}\n\n${'A paragraph of the chapter with enough words to look like prose. '.repeat(40)}\n\n`;
    let doc = '';
    for (let i = 0; doc.length < 50 * 1024 * 1024; i++) {
      doc += chapter(i);
    }
    const ts = splitSections(doc);
    assert.ok(ts.length > 10_000, `${ts.length} sections`);
    assert.ok(ts.every((t) => t.text.length <= 12_000));
    assert.equal(
      ts.reduce((n, t) => n + t.text.length, 0),
      doc.length,
    );
    assert.equal(ts[ts.length - 1].range.end, doc.length);
  });
});

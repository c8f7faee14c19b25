import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitSections } from '../../../src/core/chunks';
import { isHeading, layoutPdfText, type PdfTextLine } from '../../../src/run/pdf-layout';
import { PdfError, pdfText } from '../../../src/run/pdf-text';
import { sectionsOf } from '../../../src/run/sources';
import { writePdf } from '../../fakes/pdf-writer';

const fixture = path.resolve(__dirname, '../../fixtures/workspace/curriculum.pdf');

describe('PDF text', () => {
  it('extracts every page in order, with headings on their own lines, so sections split on them', async () => {
    const { text, pages } = await pdfText(fixture);
    assert.equal(pages, 2);
    assert.ok(text.indexOf('1 Introduction') < text.indexOf('2 Method'));
    assert.match(text, /^1 Introduction$/m);
    assert.match(text, /Curriculum sampling orders training examples from easy to hard\./);
    const sections = splitSections(text, { maxChars: 12000, minChars: 200, numberedHeadings: true });
    assert.deepEqual(
      sections.map((s) => s.title),
      ['1 Introduction', '2 Method'],
    );
  });

  it('refuses a file that is not a PDF with a clear error', async () => {
    const f = path.join(os.tmpdir(), `not-a-pdf-${process.pid}.pdf`);
    fs.writeFileSync(f, 'plain text pretending to be a PDF');
    try {
      await assert.rejects(pdfText(f), (e: Error) => e instanceof PdfError && /Cannot read this PDF/.test(e.message));
    } finally {
      fs.rmSync(f);
    }
  });

  it("leaves this process's globals alone (pdfjs polyfills stay in its worker thread)", async () => {
    const parse = JSON.parse;
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    await pdfText(fixture);
    assert.equal(JSON.parse, parse);
    assert.deepEqual(Object.getOwnPropertyDescriptor(globalThis, 'navigator'), nav);
    assert.equal('DOMMatrix' in globalThis, false);
  });
});

/** Body lines of about 80 characters on a topic, enough to make a section of its own. */
function body(topic: string, lines = 7): string[] {
  return Array.from({ length: lines }, (_, i) => `${topic} line ${i + 1} explains one more detail of the argument and how it was tested in full`);
}

describe('PDF headings', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-pdf-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('splits a paper at its headings, found by a larger or bold font: numbered, unnumbered, and set in pieces', async () => {
    const file = path.join(dir, 'paper.pdf');
    writePdf(file, [
      [
        { text: 'Adaptive Curricula for Language Models', size: 17, bold: true },
        'Ada Lovelace and Alan Turing',
        '',
        { text: 'Abstract', size: 11, bold: true },
        ...body('The abstract'),
        '',
        { text: '1 Introduction', size: 12, bold: true },
        ...body('The introduction'),
        { text: 'Figure 1: Loss against steps for the fixed and the adaptive schedule', bold: true },
        { text: 'Setup.', bold: true },
        ...body('The setup paragraph', 2),
      ],
      [
        {
          pieces: [
            { text: '2', size: 12, bold: true },
            { text: 'Related Work', size: 12, bold: true },
          ],
        },
        ...body('Related work'),
        { text: '2.1 Curricula', bold: true },
        ...body('Earlier curricula'),
        { text: 'Conclusion', size: 12 },
        ...body('The conclusion'),
        '3',
      ],
    ]);
    const { text } = await pdfText(file);
    const sections = sectionsOf(text, 12_000, true);
    assert.deepEqual(
      sections.map((s) => s.title),
      ['Adaptive Curricula for Language Models', '1 Introduction', '2 Related Work', '2.1 Curricula', 'Conclusion'],
    );
    // The title and its authors join the abstract (too short alone); every section holds its own text and no other's.
    assert.match(sections[0].text, /The abstract line 7/);
    assert.match(sections[1].text, /Figure 1: Loss against steps/);
    assert.match(sections[1].text, /Setup\.\nThe setup paragraph line 1/);
    assert.doesNotMatch(sections[2].text, /Earlier curricula/);
    assert.match(sections[4].text, /The conclusion line 7/);
    for (const s of sections) {
      assert.equal(text.slice(s.range.start, s.range.end), s.text);
    }
  });

  it('takes a bold sentence, a caption, a page number or small print for body text, and joins a heading wrapped onto two lines', () => {
    const line = (text: string, size = 10, bold = false, y = 0): PdfTextLine => ({ text, size, bold, y });
    assert.equal(isHeading(line('Results', 10, true), 10), true);
    assert.equal(isHeading(line('Results', 12), 10), true);
    assert.equal(isHeading(line('Results'), 10), false);
    assert.equal(isHeading(line('We therefore keep the schedule fixed.', 10, true), 10), false);
    assert.equal(isHeading(line('Table 2: Accuracy per model', 10, true), 10), false);
    assert.equal(isHeading(line('12', 14), 10), false);
    assert.equal(isHeading(line('Preprint. Under review', 8, true), 10), false);
    const pages = [
      [line('A Long Title That Needs', 16, true, 700), line('Two Lines', 16, true, 680), ...body('Text').map((t, i) => line(t, 10, false, 650 - 12 * i))],
    ];
    assert.match(layoutPdfText(pages), /^# A Long Title That Needs Two Lines\n\nText line 1/);
  });
});

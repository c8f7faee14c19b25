import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitSections } from '../../../src/core/chunks';
import { PdfError, pdfText } from '../../../src/run/pdf-text';

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

// Quotes matched through Markdown emphasis, whitespace and line wrapping; the range is of the document's own text.
import assert from 'node:assert/strict';
import { locateQuote, selectionTarget } from '../../../../src/core/chunks';
import { closeWorlds, run } from './harness';

const doc = `# Head\n\nIntro line.\n\nThe **router** sends each *token* to\nthe top-\`k\` experts, and _capacity_ caps\n> what one expert takes.\n\nTail.`;
const target = selectionTarget(doc, doc.indexOf('Intro'), doc.length);
const at = (quote: string) => {
  const r = locateQuote(target, quote);
  return r && doc.slice(r.start, r.end);
};

describe('method: quotes', function () {
  this.timeout(20000);
  afterEach(closeWorlds);

  it("finds a quote whose emphasis, backticks and line breaks were dropped, and returns the document's text", () => {
    assert.equal(at('The router sends each token to the top-k experts'), 'The **router** sends each *token* to\nthe top-`k` experts');
    assert.equal(at('router sends each token'), '**router** sends each *token*', 'emphasis at both ends comes whole');
    assert.equal(at('capacity caps what one expert takes.'), '_capacity_ caps\n> what one expert takes.', 'a blockquote marker after a wrap is wrapping');
    assert.equal(at('The *router* sends'), 'The **router** sends', 'emphasis the model added is ignored too');
    assert.equal(at('each token to the top\u2013k'), 'each *token* to\nthe top-`k`', 'a dash for a hyphen, and the closing backtick');
  });

  it('still matches exactly first, and finds nothing that is not there', () => {
    const r = locateQuote(target, 'Intro line.');
    assert.deepEqual(r, { start: doc.indexOf('Intro line.'), end: doc.indexOf('Intro line.') + 11 });
    assert.equal(at('The router sends every token'), undefined);
    assert.equal(at('Head'), undefined, 'outside the target');
    assert.equal(at('** __ `'), undefined, 'marks alone quote nothing');
  });

  it('leaves out a lone marker a quote copied from the end of a bold phrase before it, or the start of one after it', () => {
    const text = '**Abstract.** Sparse layers let a model grow. The *router* is **unstable early** in training.';
    const t = selectionTarget(text, 0, text.length);
    const quoted = (q: string) => {
      const r = locateQuote(t, q);
      return r && text.slice(r.start, r.end);
    };
    assert.equal(quoted('** Sparse layers let a model grow.'), 'Sparse layers let a model grow.');
    assert.equal(quoted('The *router* is **'), 'The *router* is');
    assert.equal(quoted('**Abstract.** Sparse layers'), '**Abstract.** Sparse layers', 'a bold phrase quoted whole keeps its marks');
    assert.equal(quoted('**unstable early** in training.'), '**unstable early** in training.');
  });

  it("writes the document's text at the range into the record when the Challenger dropped the emphasis", async () => {
    const text = `# Method\n\nThe **router** sends each *token* to the top-k experts, and capacity caps what one expert takes. ${'More detail follows about the method. '.repeat(10)}\n`;
    const r = await run(
      [{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9], quote: 'The router sends each token to the top-k experts' }],
      {},
      {
        document: { path: 'paper.md', text },
        targets: [selectionTarget(text, 0, text.length, 'Method')],
      },
    );
    assert.equal(r.summary.accepted.length, 1, 'the quote was found');
    const rec = r.summary.accepted[0];
    assert.equal(text.slice(rec.source.range.start, rec.source.range.end), 'The **router** sends each *token* to the top-k experts');
  });
});

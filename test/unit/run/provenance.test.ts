// Provenance is exact: the record quotes the document's own text at its range (UTF-16 offsets), keeps the model's
// quote when it differs, hashes the document's bytes, and its JSONL line escapes U+2028 and U+2029.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../../src/run/dataset';
import { readJsonl } from '../../../src/run/jsonl';
import { exactSource } from '../../../src/run/provenance';
import { DatasetRecord } from '../../../src/shared/schemas';
import { scriptRoles } from '../../fakes/scripted-roles';
import { record } from './fs-faults';
import { runWorkspaces, startRun } from './run-harness';

/** A section whose paragraph is wrapped at about 60 columns, with non-BMP characters before it (UTF-16 surrogate pairs). */
function wrapped(title: string): string {
  const words = `${title} changes how the method behaves, and this paragraph explains why the effect appears and when it fades away again. `
    .repeat(4)
    .split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if ((line + w).length > 60) {
      lines.push(line.trim());
      line = '';
    }
    line += `${w} `;
  }
  lines.push(line.trim());
  return `## ${title} 🧪𝔸\n\n${lines.join('\n')}\n\n`;
}

describe('provenance', function () {
  this.timeout(30_000);
  const w = runWorkspaces('provenance');

  it('records the document text at the range as the quote, the model quote beside it, and the hash of the file bytes', async () => {
    const doc = `# Notes 🧪\n\n${wrapped('Warm-up length')}${wrapped('Batch noise')}`;
    fs.writeFileSync(path.join(w.ws, 'a.md'), doc);
    const server = await w.serve(scriptRoles([{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] }]).respond);
    const r = await (await startRun(w.ws, 'a.md', server.baseURL)).result;
    assert.equal(r.outcome, 'completed', r.message);
    const records = (await readJsonl(path.join(w.ws, '.autodata', 'dataset.jsonl'))).values.map((v) => DatasetRecord.parse(v));
    assert.ok(records.length >= 1);
    const fileHash = createHash('sha256')
      .update(fs.readFileSync(path.join(w.ws, 'a.md')))
      .digest('hex');
    let differed = 0;
    for (const rec of records) {
      // Offsets are UTF-16 code units: String.prototype.slice on the document's text.
      assert.equal(rec.source.quote, doc.slice(rec.source.range.start, rec.source.range.end));
      assert.equal(rec.source.sha256, fileHash, 'the SHA-256 of the file bytes (UTF-8, no BOM)');
      if (rec.source.modelQuote !== undefined) {
        differed++;
        assert.notEqual(rec.source.modelQuote, rec.source.quote);
        assert.equal(rec.source.modelQuote.replace(/\s+/g, ' '), rec.source.quote.replace(/\s+/g, ' '));
      }
    }
    assert.ok(differed > 0, "the scripted Challenger joins wrapped lines with spaces, so its quote differs from the document's");
    // The journal's records are the same as the dataset's.
    const journal = fs.readdirSync(path.join(w.ws, '.autodata', 'runs')).find((f) => f.endsWith('.jsonl'))!;
    const accepted = (await readJsonl(path.join(w.ws, '.autodata', 'runs', journal))).values.filter((e) => (e as { type: string }).type === 'item_accepted');
    for (const e of accepted as Array<{ record: DatasetRecord }>) {
      assert.equal(e.record.source.quote, doc.slice(e.record.source.range.start, e.record.source.range.end));
    }
  });

  it('exactSource keeps the model quote only when it differs', () => {
    const text = 'alpha\nbeta gamma';
    const r = record('r:1');
    r.source = { ...r.source, range: { start: 0, end: 10 }, quote: 'alpha beta' };
    exactSource(r, text);
    assert.deepEqual([r.source.quote, r.source.modelQuote], ['alpha\nbeta', 'alpha beta']);
    const same = record('r:2');
    same.source = { ...same.source, range: { start: 6, end: 10 }, quote: 'beta' };
    exactSource(same, text);
    assert.deepEqual([same.source.quote, same.source.modelQuote], ['beta', undefined]);
  });

  it('escapes U+2028 and U+2029 in JSONL lines, and reads them back', async () => {
    const d = new Dataset(path.join(w.ws, 'd.jsonl'));
    const r = record('r:ls');
    r.question = 'One\u2028two\u2029three?';
    await d.append(r);
    const bytes = fs.readFileSync(d.file);
    assert.equal(bytes.includes(Buffer.from('\u2028', 'utf8')), false);
    assert.equal(bytes.includes(Buffer.from('\u2029', 'utf8')), false);
    assert.ok(bytes.toString('utf8').includes('One\\u2028two\\u2029three?'));
    assert.equal(((await readJsonl(d.file)).values[0] as DatasetRecord).question, 'One\u2028two\u2029three?');
  });
});

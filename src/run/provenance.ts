// Exact provenance of a record: `source.quote` is always the document's own text at `source.range` (offsets in UTF-16
// code units of the document's text, as VS Code and JavaScript count them); the model's quote, when it differs (other
// line breaks, emphasis, a paraphrase), is kept as `source.modelQuote`.
import type { DatasetRecord } from '../shared/schemas';

/** Sets `record.source.quote` to the document's text at its range (in place, so every holder of the record agrees). */
export function exactSource(record: DatasetRecord, text: string): DatasetRecord {
  const { range } = record.source;
  if (!(range.start >= 0 && range.end >= range.start && range.end <= text.length)) {
    return record;
  }
  const docQuote = text.slice(range.start, range.end);
  if (docQuote !== record.source.quote) {
    record.source.modelQuote ??= record.source.quote;
    record.source.quote = docQuote;
  }
  if (record.source.modelQuote === docQuote) {
    delete record.source.modelQuote;
  }
  return record;
}

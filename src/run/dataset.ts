// The workspace dataset: accepted items appended once each (by id), refusing a file that is not JSONL.
import { DatasetRecord } from '../shared/schemas';
import { JsonlWriter, readJsonl, type Repair } from './jsonl';

export class DatasetFileError extends Error {}

export class Dataset {
  private readonly writer: JsonlWriter;
  private ids: Set<string> | undefined;
  private readonly known: Array<{ id: string; question: string }> = [];

  constructor(readonly file: string) {
    this.writer = new JsonlWriter(file, true);
  }

  /** Repairs a torn last line, then checks every line; a file that is not JSONL is refused, not overwritten. */
  async open(): Promise<Repair> {
    const repair = await this.writer.open();
    if (!this.ids) {
      const { values, badLines } = await readJsonl(this.file);
      if (badLines.length > 0) {
        throw new DatasetFileError(
          `${this.file} is not a JSONL dataset (line ${badLines.slice(0, 3).join(', ')}${badLines.length > 3 ? ', …' : ''} is not JSON). Fix the file or choose another autodata.datasetPath; nothing was written.`,
        );
      }
      this.ids = new Set();
      for (const v of values as Array<{ id?: unknown; question?: unknown }>) {
        if (typeof v?.id !== 'string') {
          continue;
        }
        this.ids.add(v.id);
        if (typeof v.question === 'string') {
          this.known.push({ id: v.id, question: v.question });
        }
      }
    }
    return repair;
  }

  has(id: string): boolean {
    return this.ids?.has(id) ?? false;
  }

  /** The questions already in the file (after open), for the near-duplicate check. */
  questions(): ReadonlyArray<{ id: string; question: string }> {
    return this.known;
  }

  /** Appends a record unless one with its id is already there. Returns whether it wrote. */
  async append(record: DatasetRecord): Promise<boolean> {
    await this.open();
    const valid = DatasetRecord.parse(record);
    if (this.ids!.has(valid.id)) {
      return false;
    }
    this.ids!.add(valid.id);
    try {
      await this.writer.append(valid);
    } catch (e) {
      this.ids!.delete(valid.id);
      throw e;
    }
    this.known.push({ id: valid.id, question: valid.question });
    return true;
  }
}

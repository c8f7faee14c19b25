// The workspace dataset: accepted items appended once each (by id), refusing a file that is not JSONL. Its ids and
// questions live in a persisted index (near-duplicate-index.ts), so opening it reads only the lines added since.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { DatasetRecord } from '../shared/schemas';
import { JsonlWriter, type Repair } from './jsonl';
import { DatasetLineError, NearDuplicateIndex } from './near-duplicate-index';

export class DatasetFileError extends Error {}

export class Dataset {
  private readonly writer: JsonlWriter;
  private index: NearDuplicateIndex | undefined;

  /** `indexRoot`: where indexes are kept (default: .autodata/near-duplicate-index beside the dataset). */
  constructor(
    readonly file: string,
    private readonly indexRoot = path.join(path.dirname(file), path.basename(path.dirname(file)) === '.autodata' ? '' : '.autodata', 'near-duplicate-index'),
  ) {
    this.writer = new JsonlWriter(file, true);
  }

  /** Repairs a torn last line, then checks every line; a file that is not JSONL is refused, not overwritten. */
  async open(): Promise<Repair> {
    const repair = await this.writer.open();
    if (!this.index) {
      try {
        const key = createHash('sha256').update(path.resolve(this.file)).digest('hex').slice(0, 16);
        this.index = await NearDuplicateIndex.open(this.file, path.join(this.indexRoot, key));
      } catch (e) {
        if (e instanceof DatasetLineError) {
          throw new DatasetFileError(
            `${this.file} is not a JSONL dataset (${e.message}). Fix the file or choose another autodata.datasetPath; nothing was written.`,
          );
        }
        throw e;
      }
    }
    return repair;
  }

  has(id: string): boolean {
    return this.index?.has(id) ?? false;
  }

  /** The questions already in the file (after open), for the near-duplicate check. */
  questions(): NearDuplicateIndex {
    if (!this.index) {
      throw new Error('the dataset is not open');
    }
    return this.index;
  }

  /** Appends a record unless one with its id is already there. Returns whether it wrote. */
  async append(record: DatasetRecord): Promise<boolean> {
    await this.open();
    const valid = DatasetRecord.parse(record);
    if (this.index!.has(valid.id)) {
      return false;
    }
    this.index!.add(valid.id, valid.question);
    try {
      await this.writer.append(valid);
    } catch (e) {
      this.index!.forget(valid.id);
      throw e;
    }
    return true;
  }
}

// The dataset's questions and ids, indexed once and kept under .autodata/near-duplicate-index/: a run start reads only
// the dataset lines added since the index was last brought up to date, and the whole index is rebuilt when the dataset
// shrank or its indexed bytes changed. The index answers the near-duplicate check (the same word 3-gram Jaccard as
// src/core/similarity.ts) and the exactly-once check by id, holding typed arrays rather than one object per item.
//
// Bringing it up to date (reading lines, parsing them, computing grams, building, merging and writing segments, under
// the folder's lock and only over the meta.json this process started from) runs in the index worker
// (near-duplicate-build.ts, index-worker.ts), off the main thread: here the request is sent and its answer adopted,
// segments in shared memory viewed in place (near-duplicate-segment.ts). Queries run here.
import * as fs from 'node:fs';
import type { KnownQuestions } from '../core/asked-questions';
import { jaccardSorted } from '../core/similarity';
import { buildInWorker } from './index-worker-client';
import { EMPTY, type BuildResult, type Coverage, type SharedSegment } from './near-duplicate-build';
import { gramsOf, idHashOf } from './near-duplicate-grams';
import { Segment } from './near-duplicate-segment';

export { DatasetLineError } from './near-duplicate-build';
export { gramsOf, idHashOf } from './near-duplicate-grams';

interface Held extends SharedSegment {
  segment: Segment;
}

export class NearDuplicateIndex implements KnownQuestions {
  private segments: Held[] = [];
  /** Items appended by this process and not yet read back from the dataset, with the offset just past each one's line. */
  private readonly recent = new Map<string, { question: string; grams: Uint32Array; end: number }>();
  /** The refresh in flight (refreshes run one at a time). */
  private refreshing: Promise<void> = Promise.resolve();
  /** meta.json as last loaded or written, and the dataset bytes the segments in memory cover. */
  private coverage: Coverage = { meta: EMPTY, covered: { size: 0, lines: 0 }, coveredTail: '' };
  /** How the last open or refresh went (the worker's figures, and the main thread's time adopting its answer). */
  lastOpen = { rebuilt: false, linesRead: 0, bytesRead: 0, segmentsLoaded: 0, merges: 0, persisted: false, workerMs: 0, adoptMs: 0 };

  private constructor(
    readonly dataset: string,
    readonly dir: string,
  ) {}

  /**
   * Opens the index of `dataset` kept in `dir`, reading only the dataset lines added since it was last brought up to
   * date (all of them when the dataset shrank or changed). Throws DatasetLineError naming lines that are not JSON, and
   * IndexWorkerError when the index worker stopped.
   */
  static async open(dataset: string, dir: string): Promise<NearDuplicateIndex> {
    const index = new NearDuplicateIndex(dataset, dir);
    index.adopt(await buildInWorker({ op: 'open', dataset, dir }));
    return index;
  }

  /**
   * Reads the lines appended since the index's end (by this process or another); a dataset that was replaced or cut
   * shorter is indexed again from its start. What it reads is kept in memory (and persisted by the next open, or once
   * a whole segment's worth is unpersisted).
   */
  refresh(): Promise<void> {
    // One at a time, each from what the one before left.
    const job = this.refreshing.then(async () => {
      const segments = this.segments.map(({ name, bytes }) => ({ name, bytes }));
      this.adopt(await buildInWorker({ op: 'refresh', dataset: this.dataset, dir: this.dir, state: { ...this.coverage, segments } }));
    });
    this.refreshing = job.catch(() => undefined);
    return job;
  }

  /** Takes the worker's answer: its segments, viewed in place. */
  private adopt(r: BuildResult): void {
    const t0 = performance.now();
    this.segments = r.segments.map(({ name, bytes }) => ({ name, bytes, segment: Segment.decode(Buffer.from(bytes)) }));
    this.coverage = { meta: r.meta, covered: r.covered, coveredTail: r.coveredTail };
    if (r.reset) {
      this.recent.clear();
    }
    // What the segments now cover is theirs: an item is held once, so a long run's appends do not pile up here.
    for (const [id, item] of this.recent) {
      if (item.end <= this.coverage.covered.size) {
        this.recent.delete(id);
      }
    }
    this.lastOpen = { ...r.stats, adoptMs: performance.now() - t0 };
  }

  get size(): number {
    return this.segments.reduce((n, s) => n + s.segment.size, 0) + this.recent.size;
  }

  /** Bytes of the segments held, in shared memory (which `process.memoryUsage().external` does not count). */
  get sharedBytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes.byteLength, 0);
  }

  /** Segments held (at most about log2 of the items over SEGMENT, plus one). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Whether an item with this id is in the dataset (checked against its line on a hash match). */
  has(id: string): boolean {
    if (this.recent.has(id)) {
      return true;
    }
    const h = idHashOf(id);
    for (const { segment } of this.segments) {
      for (const e of segment.withIdHash(h)) {
        if (this.lineAt(segment.offset[e])?.id === id) {
          return true;
        }
      }
    }
    return false;
  }

  /** Records an item this process appended, whose line ends at byte `end` of the dataset. */
  add(id: string, question: string, end: number): void {
    this.recent.set(id, { question, grams: gramsOf(question), end });
  }

  /** Undoes `add` (the append failed). */
  forget(id: string): void {
    this.recent.delete(id);
  }

  /** The most similar dataset question at or above `threshold` (ties: the earliest), scored as QuestionIndex scores. */
  similarTo(question: string, threshold: number): { id: string; score: number; question: string } | undefined {
    const q = gramsOf(question);
    let best: { seg: number; entry: number; score: number } | undefined;
    this.segments.forEach(({ segment }, seg) => {
      const b = segment.best(q, threshold);
      if (b && (!best || b.score > best.score)) {
        best = { seg, ...b };
      }
    });
    let hit: { id: string; score: number; question: string } | undefined;
    if (best) {
      const line = this.lineAt(this.segments[best.seg].segment.offset[best.entry]);
      hit = { id: line?.id ?? '(unknown)', score: best.score, question: line?.question ?? '' };
    }
    for (const [id, r] of this.recent) {
      const score = jaccardSorted(q, r.grams);
      if (score >= threshold - 1e-12 && (!hit || score > hit.score)) {
        hit = { id, score, question: r.question };
      }
    }
    return hit;
  }

  /** The item on the dataset line at `offset` (a short synchronous read: only on a match). */
  private lineAt(offset: number): { id?: string; question?: string } | undefined {
    const fd = fs.openSync(this.dataset, 'r');
    try {
      const chunks: Buffer[] = [];
      let pos = offset;
      for (;;) {
        const buf = Buffer.alloc(16_384);
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        const nl = buf.subarray(0, n).indexOf(10);
        chunks.push(buf.subarray(0, nl === -1 ? n : nl));
        if (nl !== -1 || n === 0) {
          break;
        }
        pos += n;
      }
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown; question?: unknown };
      return { id: typeof v.id === 'string' ? v.id : undefined, question: typeof v.question === 'string' ? v.question : undefined };
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }
}

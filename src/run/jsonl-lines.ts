// Reads a JSONL file's complete lines from a byte offset on, in chunks, so a large file neither becomes one string
// (V8 caps strings near 512 MB) nor holds the event loop: each chunk is handled, then other work gets its turn.
import { openRegular } from './workspace-boundary';
import * as fs from 'node:fs';

export interface LineAt {
  /** The line's text, without its newline. */
  text: string;
  /** Byte offset of the line's start in the file. */
  offset: number;
  /** 1-based line number, counted from `firstLine`. */
  line: number;
}

const CHUNK = 1 << 17;

/**
 * Calls `onLine` for each complete line (ending in a newline) from `start`; a last line without its newline (another
 * process is still writing it) is left for later. Returns the offset after the last complete line and lines read.
 */
export async function readLinesFrom(
  file: string,
  start: number,
  firstLine: number,
  onLine: (l: LineAt) => void,
  /** Called after each chunk's lines, before the next read (a place for larger steps that should not hold the loop). */
  afterChunk?: () => Promise<void>,
): Promise<{ end: number; lines: number }> {
  let handle: fs.promises.FileHandle;
  try {
    // A pipe or a device is refused (NotAFileError), never waited on.
    handle = await openRegular(file, fs.constants.O_RDONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return { end: start, lines: 0 };
    }
    throw e;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingAt = start;
    let pos = start;
    let line = firstLine;
    let end = start;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) {
        break;
      }
      let from = 0;
      for (let nl = buf.indexOf(10, 0); nl !== -1 && nl < bytesRead; nl = buf.indexOf(10, from)) {
        const piece = buf.subarray(from, nl);
        const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
        onLine({ text: bytes.toString('utf8'), offset: pendingAt, line });
        line++;
        pending = [];
        from = nl + 1;
        pendingAt = pos + from;
        end = pendingAt;
      }
      if (from < bytesRead) {
        pending.push(Buffer.from(buf.subarray(from, bytesRead)));
      }
      pos += bytesRead;
      await afterChunk?.();
      // Let the event loop run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { end, lines: line - firstLine };
  } finally {
    await handle.close();
  }
}

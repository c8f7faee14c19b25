// A document's bytes as text, never silently altered: a byte-order mark declares UTF-8, UTF-16LE or UTF-16BE (the
// mark itself is not part of the text, as in VS Code); without one the bytes must be valid UTF-8. Anything else
// (Latin-1, Windows-1252, Shift-JIS…) is refused with the offset of the first byte that is not UTF-8, rather than read
// with replacement characters that would change the text, its offsets and its hash.
export class EncodingError extends Error {}

export type TextEncodingName = 'utf-8' | 'utf-8 with BOM' | 'utf-16le' | 'utf-16be';

/** The offset of the first byte that does not decode as UTF-8, or -1. */
function firstInvalidUtf8(bytes: Buffer): number {
  const back = Buffer.from(bytes.toString('utf8'), 'utf8');
  if (back.equals(bytes)) {
    return -1;
  }
  const n = Math.min(back.length, bytes.length);
  for (let i = 0; i < n; i++) {
    if (back[i] !== bytes[i]) {
      return i;
    }
  }
  return n;
}

export function decodeText(bytes: Buffer, name: string): { text: string; encoding: TextEncodingName } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const body = bytes.subarray(3);
    const bad = firstInvalidUtf8(body);
    if (bad >= 0) {
      throw new EncodingError(`${name} declares UTF-8 (byte-order mark) but byte ${bad + 3} is not UTF-8; save it as UTF-8`);
    }
    return { text: body.toString('utf8'), encoding: 'utf-8 with BOM' };
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    try {
      const text = new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: false }).decode(bytes);
      return { text, encoding: le ? 'utf-16le' : 'utf-16be' };
    } catch {
      throw new EncodingError(`${name} declares UTF-16 (byte-order mark) but is not valid UTF-16; save it as UTF-8`);
    }
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    throw new EncodingError(
      `${name} is not UTF-8 (byte ${bad} is 0x${bytes[bad].toString(16).padStart(2, '0')}): it looks like another encoding, such as Latin-1 or Windows-1252. Save it as UTF-8 (e.g. iconv -f latin1 -t utf-8) and run again; nothing was read.`,
    );
  }
  return { text: bytes.toString('utf8'), encoding: 'utf-8' };
}

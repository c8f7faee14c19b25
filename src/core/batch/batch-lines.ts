// The lines of a batch file in OpenAI's batch format (vLLM's offline `run-batch` reads the same), their custom ids, and
// the result files read back: `{custom_id, response: {status_code, body}, error}` per line, in any order.
import { createHash } from 'node:crypto';

export const CHAT_URL = '/v1/chat/completions';

export interface BatchLine {
  custom_id: string;
  method: 'POST';
  url: typeof CHAT_URL;
  body: Record<string, unknown>;
}

/** One line's outcome: the reply's status and body, or an error the batch gave instead (`batch_expired`, …). */
export interface LineResult {
  customId: string;
  status?: number;
  body?: unknown;
  error?: { code?: string; message: string };
}

/** What identifies a request body (128 bits of its SHA-256). */
export function bodyHash(body: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32);
}

/**
 * A custom id from the request body's hash and how many identical bodies this process asked for before it: the same
 * request asked again after a restart gets the same id, so a recorded batch answers it instead of a new upload.
 */
export function customIdFor(hash: string, occurrence: number): string {
  return `ad-${hash}-${occurrence}`;
}

export function batchFile(lines: readonly BatchLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** Every readable line of an output or error file; lines that are not JSON or name no custom id are left out. */
export function readResultFile(text: string): LineResult[] {
  const out: LineResult[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.trim()) {
      continue;
    }
    let v: { custom_id?: unknown; response?: { status_code?: unknown; body?: unknown } | null; error?: { code?: unknown; message?: unknown } | null };
    try {
      v = JSON.parse(raw) as typeof v;
    } catch {
      continue;
    }
    if (typeof v?.custom_id !== 'string') {
      continue;
    }
    const status = typeof v.response?.status_code === 'number' ? v.response.status_code : undefined;
    const error = v.error ? { code: typeof v.error.code === 'string' ? v.error.code : undefined, message: String(v.error.message ?? 'failed') } : undefined;
    out.push({ customId: v.custom_id, status, body: v.response?.body, error });
  }
  return out;
}

// The files and batches endpoints of one OpenAI-compatible base URL, through the openai SDK: upload a batch file, create
// the batch, ask for its status, read its output and error files.
import OpenAI, { toFile } from 'openai';
import { guardedFetch } from '../endpoints/transport';
import { batchFile, CHAT_URL, type BatchLine } from './batch-lines';

export type BatchStatus = 'validating' | 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchInfo {
  id: string;
  status: BatchStatus;
  outputFileId?: string;
  errorFileId?: string;
  /** Why a batch failed validation, line by line. */
  errors: string[];
}

export interface BatchApi {
  submit(lines: readonly BatchLine[]): Promise<{ batchId: string; fileId: string }>;
  status(batchId: string): Promise<BatchInfo>;
  fileText(fileId: string): Promise<string>;
}

/** Terminal states: the output and error files say what became of each line. */
export function isDone(s: BatchStatus): boolean {
  return s === 'completed' || s === 'failed' || s === 'expired' || s === 'cancelled';
}

export interface BatchApiOptions {
  baseURL: string;
  apiKey: string;
  maxRetries: number;
  timeoutMs: number;
}

export function openAIBatchApi(o: BatchApiOptions): BatchApi {
  const client = new OpenAI({
    baseURL: o.baseURL.replace(/\/$/, ''),
    apiKey: o.apiKey || 'none',
    maxRetries: o.maxRetries,
    timeout: o.timeoutMs,
    fetch: guardedFetch({ deadlineMs: o.timeoutMs, idleMs: o.timeoutMs, secrets: o.apiKey ? [o.apiKey] : [] }),
  });
  return {
    async submit(lines) {
      const file = await client.files.create({ file: await toFile(Buffer.from(batchFile(lines), 'utf8'), 'autodata-batch.jsonl'), purpose: 'batch' });
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: CHAT_URL, completion_window: '24h' });
      return { batchId: batch.id, fileId: file.id };
    },
    async status(batchId) {
      const b = await client.batches.retrieve(batchId);
      return {
        id: b.id,
        status: b.status as BatchStatus,
        outputFileId: b.output_file_id ?? undefined,
        errorFileId: b.error_file_id ?? undefined,
        errors: (b.errors?.data ?? []).map((e) => `${e.line !== undefined && e.line !== null ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? 'invalid'}`),
      };
    },
    async fileText(fileId) {
      const res = await client.files.content(fileId);
      return res.text();
    },
  };
}

// The files and batches endpoints of the scripted server, as OpenAI documents them: a batch file uploaded with purpose
// "batch", a batch created on it, validated (a malformed line fails the whole batch with per-line errors), in progress for
// a few status requests, then completed (or expired, with the answered lines in the output file and the rest in the error
// file as `batch_expired`). Each line is answered by the server's own chat endpoint with the line's body, exactly as a
// chat request would be, and the output lines come back shuffled. Faults: expiry after k lines, failed lines, batches
// held in progress until released.
import * as http from 'node:http';
import { randomUUID } from 'node:crypto';

export interface UploadRecord {
  fileId: string;
  customIds: string[];
  /** Each line's body as uploaded (JSON text). */
  bodies: string[];
}

export interface BatchFaults {
  /** The next batch expires after answering this many of its lines (in input order). */
  expireNext(answered: number): void;
  /**
   * The next `count` lines (across batches) are answered with this status and an error body, not by the chat endpoint;
   * given an error code instead, they are not executed at all (no response, the error object with that code).
   */
  failNextLines(count: number, status?: number | string): void;
  /**
   * While held, batches stay in progress (their lines not answered) whatever the number of status requests; given a
   * model's name, only the batches of that model are held.
   */
  hold(held: boolean | string): void;
}

export interface BatchEndpoints extends BatchFaults {
  uploads: UploadRecord[];
  /** Batch ids created, in order. */
  created: string[];
  /** Status requests answered. */
  polls: number;
  handle(req: http.IncomingMessage, path: string, raw: Buffer, send: (status: number, body: unknown, raw?: boolean) => void): Promise<boolean>;
}

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  created_at: number;
}

interface Batch {
  id: string;
  inputFileId: string;
  endpoint: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired';
  polls: number;
  errors: Array<{ code: string; message: string; line: number | null; param: string | null }>;
  lines: Array<{ custom_id: string; body: Record<string, unknown> }>;
  expireAfter?: number;
  /** The creating request's authorization, which its lines are sent with. */
  auth?: string;
  output: string[];
  failed: string[];
  outputFileId?: string;
  errorFileId?: string;
  created_at: number;
}

const now = () => Math.floor(Date.now() / 1000);

function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function err(message: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type: 'invalid_request_error', param, code } };
}

/** `chatURL`: the server's own chat completions URL; `inProgressPolls`: status requests a batch stays in progress for. */
export function batchEndpoints(chatURL: () => string, opts: { inProgressPolls?: number } = {}): BatchEndpoints {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, Batch>();
  let expireNext: number | undefined;
  let failing: { count: number; status: number | string } = { count: 0, status: 500 };
  let held: boolean | string = false;
  const inProgressPolls = opts.inProgressPolls ?? 2;

  const fileObject = (f: StoredFile) => ({
    id: f.id,
    object: 'file',
    bytes: Buffer.byteLength(f.content),
    created_at: f.created_at,
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
  });
  const batchObject = (b: Batch) => ({
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    errors: b.errors.length ? { object: 'list', data: b.errors } : null,
    input_file_id: b.inputFileId,
    completion_window: '24h',
    status: b.status,
    output_file_id: b.outputFileId ?? null,
    error_file_id: b.errorFileId ?? null,
    created_at: b.created_at,
    request_counts: { total: b.lines.length, completed: b.output.length, failed: b.failed.length },
    metadata: null,
  });

  /** Checks every line as OpenAI does before a batch starts; the errors fail the batch. */
  function validate(b: Batch, content: string): void {
    const ids = new Set<string>();
    const models = new Set<string>();
    content.split('\n').forEach((raw, i) => {
      if (!raw.trim()) return;
      const line = i + 1;
      let v: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
      try {
        v = JSON.parse(raw) as typeof v;
      } catch {
        b.errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line, param: null });
        return;
      }
      if (typeof v.custom_id !== 'string' || !v.custom_id) {
        b.errors.push({ code: 'missing_required_parameter', message: 'Missing required parameter: custom_id.', line, param: 'custom_id' });
        return;
      }
      if (ids.has(v.custom_id)) {
        b.errors.push({
          code: 'duplicate_custom_id',
          message: `The custom_id for this request is a duplicate of another request: ${v.custom_id}.`,
          line,
          param: 'custom_id',
        });
        return;
      }
      ids.add(v.custom_id);
      if (v.method !== 'POST') {
        b.errors.push({ code: 'invalid_value', message: 'Invalid value for method: only POST is supported.', line, param: 'method' });
        return;
      }
      if (v.url !== b.endpoint) {
        b.errors.push({
          code: 'mismatched_endpoint',
          message: `The provided URL ${String(v.url)} does not match the batch's endpoint ${b.endpoint}.`,
          line,
          param: 'url',
        });
        return;
      }
      const body = v.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || typeof body.model !== 'string') {
        b.errors.push({ code: 'missing_required_parameter', message: 'Missing required parameter: body.model.', line, param: 'body' });
        return;
      }
      if (body.stream === true) {
        b.errors.push({ code: 'invalid_value', message: 'Streaming is not supported in batch requests.', line, param: 'body.stream' });
        return;
      }
      models.add(body.model);
      if (models.size > 1) {
        b.errors.push({ code: 'model_mismatch', message: 'Every request of a batch must use the same model.', line, param: 'body.model' });
        return;
      }
      b.lines.push({ custom_id: v.custom_id, body });
    });
  }

  /** Answers the lines through the chat endpoint, up to the expiry; writes the output and error files. */
  async function run(b: Batch, auth: string | undefined): Promise<void> {
    const answer = async (l: Batch['lines'][number]) => {
      const id = `batch_req_${randomUUID().replace(/-/g, '')}`;
      if (failing.count > 0 && typeof failing.status === 'string') {
        failing.count--;
        b.failed.push(
          JSON.stringify({ id, custom_id: l.custom_id, response: null, error: { code: failing.status, message: `Scripted line error ${failing.status}` } }),
        );
        return;
      }
      if (failing.count > 0 && typeof failing.status === 'number') {
        failing.count--;
        const body = err(`Scripted line failure ${failing.status}`, failing.status >= 500 ? 'server_error' : null);
        b.failed.push(
          JSON.stringify({ id, custom_id: l.custom_id, response: { status_code: failing.status, request_id: `req_${randomUUID()}`, body }, error: null }),
        );
        return;
      }
      const res = await fetch(chatURL(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-batch-line': l.custom_id, ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(l.body),
      });
      const body = (await res.json()) as unknown;
      const line = JSON.stringify({
        id,
        custom_id: l.custom_id,
        response: { status_code: res.status, request_id: res.headers.get('x-request-id'), body },
        error: null,
      });
      (res.ok ? b.output : b.failed).push(line);
    };
    const limit = b.expireAfter ?? b.lines.length;
    await Promise.all(b.lines.slice(0, limit).map(answer));
    for (const l of b.lines.slice(limit)) {
      b.failed.push(
        JSON.stringify({
          id: `batch_req_${randomUUID().replace(/-/g, '')}`,
          custom_id: l.custom_id,
          response: null,
          error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
        }),
      );
    }
  }

  const store = (purpose: string, filename: string, lines: string[]): string | undefined => {
    if (lines.length === 0) return undefined;
    const f: StoredFile = { id: `file-${randomUUID().replace(/-/g, '')}`, filename, purpose, content: shuffled(lines).join('\n') + '\n', created_at: now() };
    files.set(f.id, f);
    return f.id;
  };

  const isHeld = (b: Batch) => held === true || (typeof held === 'string' && b.lines[0]?.body.model === held);
  const api: BatchEndpoints = {
    uploads: [],
    created: [],
    polls: 0,
    expireNext: (answered) => {
      expireNext = answered;
    },
    failNextLines: (count, status = 500) => {
      failing = { count, status };
    },
    hold: (h) => {
      held = h;
    },
    async handle(req, path, raw, send) {
      const method = req.method ?? 'GET';
      if (method === 'POST' && path === '/v1/files') {
        let form: FormData;
        try {
          form = await new Request('http://scripted/v1/files', {
            method: 'POST',
            headers: { 'content-type': String(req.headers['content-type'] ?? '') },
            body: new Blob([new Uint8Array(raw)]),
          }).formData();
        } catch {
          send(400, err('Could not parse multipart form data.', 'invalid_request'));
          return true;
        }
        const file = form.get('file');
        const purpose = form.get('purpose');
        if (!(file instanceof Blob)) {
          send(400, err("Missing required parameter: 'file'.", 'missing_required_parameter', 'file'));
          return true;
        }
        if (purpose !== 'batch') {
          send(400, err(`Invalid value for 'purpose': ${String(purpose)}.`, 'invalid_value', 'purpose'));
          return true;
        }
        const content = await file.text();
        const f: StoredFile = {
          id: `file-${randomUUID().replace(/-/g, '')}`,
          filename: (file as File).name ?? 'upload.jsonl',
          purpose,
          content,
          created_at: now(),
        };
        files.set(f.id, f);
        const parsed = content
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => {
            try {
              return JSON.parse(l) as { custom_id?: unknown; body?: unknown };
            } catch {
              return {};
            }
          });
        api.uploads.push({ fileId: f.id, customIds: parsed.map((l) => String(l.custom_id)), bodies: parsed.map((l) => JSON.stringify(l.body)) });
        send(200, fileObject(f));
        return true;
      }
      if (method === 'POST' && path === '/v1/batches') {
        let body: { input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown };
        try {
          body = JSON.parse(raw.toString('utf8')) as typeof body;
        } catch {
          send(400, err('We could not parse the JSON body of your request.'));
          return true;
        }
        const file = typeof body.input_file_id === 'string' ? files.get(body.input_file_id) : undefined;
        if (!file) {
          send(404, err(`No such File object: ${String(body.input_file_id)}`, null, 'input_file_id'));
          return true;
        }
        if (!['/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/responses'].includes(String(body.endpoint))) {
          send(400, err(`Invalid value for 'endpoint': ${String(body.endpoint)}.`, 'invalid_value', 'endpoint'));
          return true;
        }
        if (body.completion_window !== '24h') {
          send(
            400,
            err(`Invalid value for 'completion_window': ${String(body.completion_window)}. Supported values are: '24h'.`, 'invalid_value', 'completion_window'),
          );
          return true;
        }
        const b: Batch = {
          id: `batch_${randomUUID().replace(/-/g, '')}`,
          inputFileId: file.id,
          endpoint: String(body.endpoint),
          status: 'validating',
          polls: 0,
          errors: [],
          lines: [],
          output: [],
          failed: [],
          expireAfter: expireNext,
          created_at: now(),
        };
        expireNext = undefined;
        validate(b, file.content);
        if (b.errors.length) b.status = 'failed';
        batches.set(b.id, b);
        api.created.push(b.id);
        b.auth = req.headers.authorization;
        send(200, batchObject(b));
        return true;
      }
      const status = method === 'GET' && /^\/v1\/batches\/([^/]+)$/.exec(path);
      if (status) {
        const b = batches.get(status[1]);
        if (!b) {
          send(404, err(`No such Batch object: ${status[1]}`));
          return true;
        }
        api.polls++;
        b.polls++;
        if (b.status === 'validating') {
          b.status = 'in_progress';
        } else if (b.status === 'in_progress' && !isHeld(b) && b.polls > inProgressPolls) {
          // The lines are answered while the batch is in progress; it finalizes once they all are.
          await run(b, b.auth);
          b.status = 'finalizing';
        } else if (b.status === 'finalizing') {
          b.outputFileId = store('batch_output', 'batch_output.jsonl', b.output);
          b.errorFileId = store('batch_output', 'batch_errors.jsonl', b.failed);
          b.status = b.expireAfter !== undefined && b.expireAfter < b.lines.length ? 'expired' : 'completed';
        }
        send(200, batchObject(b));
        return true;
      }
      const content = method === 'GET' && /^\/v1\/files\/([^/]+)\/content$/.exec(path);
      if (content) {
        const f = files.get(content[1]);
        if (!f) {
          send(404, err(`No such File object: ${content[1]}`));
          return true;
        }
        send(200, f.content, true);
        return true;
      }
      return false;
    },
  };
  return api;
}

// The scripted server's files and batches endpoints behave as OpenAI documents them, through the openai SDK: validation
// errors, in progress for a few polls, output and error files, expiry, and output lines in any order.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';

const KEY = 'k';
const line = (id: string, content: string, model = 'm') =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }] } });

describe('scripted server: files and batches', function () {
  this.timeout(20_000);
  let server: ScriptedServer;
  let client: OpenAI;
  beforeEach(async () => {
    server = await startScriptedServer({
      respond: (req) => ({ content: `re: ${req.messages?.at(-1)?.content}` }),
      models: ['m'],
      apiKey: KEY,
      batchInProgressPolls: 2,
    });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: KEY, maxRetries: 0 });
  });
  afterEach(() => server.close());

  async function batchOf(lines: string[]) {
    const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'in.jsonl'), purpose: 'batch' });
    return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  }
  async function until(id: string) {
    const seen: string[] = [];
    for (;;) {
      const b = await client.batches.retrieve(id);
      seen.push(b.status);
      if (['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) return { b, seen };
    }
  }
  const read = async (fileId: string | null | undefined) =>
    fileId
      ? (await (await client.files.content(fileId)).text())
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];

  it('answers each line as the chat endpoint would, after being in progress for a few polls', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const created = await batchOf(ids.map((id) => line(id, `q-${id}`)));
    assert.equal(created.status, 'validating');
    const { b, seen } = await until(created.id);
    assert.deepEqual(seen, ['in_progress', 'in_progress', 'finalizing', 'completed']);
    assert.deepEqual(b.request_counts, { total: 12, completed: 12, failed: 0 });
    const out = await read(b.output_file_id);
    assert.deepEqual(out.map((o) => o.custom_id).sort(), [...ids].sort());
    assert.notDeepEqual(
      out.map((o) => o.custom_id),
      ids,
      'output order is not input order',
    );
    for (const o of out) {
      assert.equal(o.response.status_code, 200);
      assert.equal(o.response.body.choices[0].message.content, `re: q-${o.custom_id}`);
    }
    assert.equal(b.error_file_id, null);
  });

  it('fails a batch with malformed lines, a duplicate id, a wrong url or two models, saying which lines', async () => {
    const created = await batchOf([
      line('a', 'x'),
      '{not json',
      line('a', 'y'),
      line('c', 'z').replace('/v1/chat/completions', '/v1/embeddings'),
      line('d', 'w', 'other'),
    ]);
    const { b } = await until(created.id);
    assert.equal(b.status, 'failed');
    assert.deepEqual(
      b.errors?.data?.map((e) => [e.line, e.code]),
      [
        [2, 'invalid_json_line'],
        [3, 'duplicate_custom_id'],
        [4, 'mismatched_endpoint'],
        [5, 'model_mismatch'],
      ],
    );
  });

  it('refuses a file without purpose batch and a completion window other than 24h', async () => {
    await assert.rejects(client.files.create({ file: await toFile(Buffer.from(line('a', 'x')), 'in.jsonl'), purpose: 'fine-tune' }), /purpose/);
    const file = await client.files.create({ file: await toFile(Buffer.from(line('a', 'x')), 'in.jsonl'), purpose: 'batch' });
    await assert.rejects(
      client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '1h' as '24h' }),
      /completion_window/,
    );
  });

  it('expires with the answered lines in the output file and the rest as batch_expired; failed lines go to the error file', async () => {
    server.batch.expireNext(3);
    server.batch.failNextLines(1, 500);
    const created = await batchOf(['a', 'b', 'c', 'd', 'e'].map((id) => line(id, id)));
    const { b } = await until(created.id);
    assert.equal(b.status, 'expired');
    const out = await read(b.output_file_id);
    const errors = await read(b.error_file_id);
    assert.deepEqual(out.map((o) => o.custom_id).sort(), ['b', 'c']);
    const byId = Object.fromEntries(errors.map((e) => [e.custom_id, e]));
    assert.equal(byId.a.response.status_code, 500);
    assert.equal(byId.d.error.code, 'batch_expired');
    assert.equal(byId.e.response, null);
  });
});

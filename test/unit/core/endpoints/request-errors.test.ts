// Error bodies in every server's shape, the parameter each names, the adaptation it allows, whether it recurs, and a
// message that names role, host, model and setting with every credential taken out.
import assert from 'node:assert/strict';
import { defaultCapabilities } from '../../../../src/core/endpoints/families';
import { adaptationFor, errorInfoFrom, isPermanent, redact, rejectedParam, statusError } from '../../../../src/core/endpoints/request-errors';

const CAPS = defaultCapabilities('generic', 'some-model');
const SENT = {
  model: 'm',
  messages: [],
  max_tokens: 512,
  temperature: 0,
  n: 3,
  stream: true,
  stream_options: { include_usage: true },
  response_format: { type: 'json_schema' },
};
const CTX = { role: 'judge', host: 'gpu-box:8000/v1', model: 'qwen3-32b' };

describe('request errors', () => {
  it("reads every server's error body into OpenAI's shape", () => {
    assert.deepEqual(
      errorInfoFrom(400, JSON.stringify({ object: 'error', message: 'max_tokens must be at least 1', type: 'BadRequestError', param: null, code: 400 })),
      { message: 'max_tokens must be at least 1', type: 'BadRequestError', param: null, code: 400 },
    );
    assert.equal(
      errorInfoFrom(400, JSON.stringify({ error: "'response_format.type' must be 'json_schema' or 'text'" })).message,
      "'response_format.type' must be 'json_schema' or 'text'",
    );
    assert.equal(
      errorInfoFrom(422, JSON.stringify({ detail: [{ loc: ['body', 'n'], msg: 'Extra inputs are not permitted' }] })).message,
      'body.n: Extra inputs are not permitted',
    );
    assert.match(
      errorInfoFrom(400, JSON.stringify({ error: { code: 400, message: 'Provider returned error', metadata: { raw: 'temperature is not supported' } } }))
        .message,
      /Provider returned error \(temperature is not supported\)/,
    );
    assert.equal(errorInfoFrom(502, '<html>Bad gateway</html>').message, '<html>Bad gateway</html>');
    assert.equal(errorInfoFrom(500, '').message, 'HTTP 500');
  });

  it('finds the parameter in the wording each server uses', () => {
    const said: Array<[string, string | null, string]> = [
      ["Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens', 'max_tokens'],
      ["Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.", 'temperature', 'temperature'],
      ["Unsupported parameter: 'temperature' is not supported with this model.", null, 'temperature'],
      ['Unrecognized request argument supplied: stream_options', null, 'stream_options'],
      ["'n' : number must be at most 1", null, 'n'],
      ['Only one completion choice is allowed', null, 'n'],
      ["litellm.BadRequestError: OpenAIException - Unsupported value: 'temperature' does not support 0 with this model.", 'None', 'temperature'],
      ["litellm.UnsupportedParamsError: openai does not support parameters: ['temperature'], for model=o3-mini.", null, 'temperature'],
      ["'response_format.type' must be 'json_schema' or 'text'", null, 'response_format'],
      ["Unsupported value: 'messages[0].role' does not support 'system' with this model.", 'messages[0].role', 'messages[0].role'],
    ];
    for (const [message, param, expected] of said) {
      assert.equal(rejectedParam({ message, param }), expected, message);
    }
    assert.equal(rejectedParam({ message: 'The model is overloaded' }), undefined);
  });

  it('adapts only what the request sent, and only for a refusal', () => {
    const adapt = (status: number, message: string, sent: Record<string, unknown> = SENT, caps = CAPS) => adaptationFor(status, { message }, sent, caps)?.patch;
    assert.deepEqual(adapt(400, "Unsupported parameter: 'max_tokens' is not supported with this model."), { tokenLimit: 'max_completion_tokens' });
    assert.equal(
      adapt(400, "Unsupported parameter: 'max_tokens' is not supported.", { ...SENT, max_tokens: undefined, max_completion_tokens: 512 }),
      undefined,
      'already sending the other one',
    );
    assert.deepEqual(adapt(400, "Unsupported value: 'temperature' does not support 0"), { temperature: 'default_only' });
    assert.deepEqual(adapt(400, "'n' : number must be at most 1"), { n: 'rejected' });
    assert.deepEqual(adapt(500, 'Only one completion choice is allowed'), { n: 'rejected' });
    assert.deepEqual(adapt(400, 'Unrecognized request argument supplied: stream_options'), { streamUsage: 'none' });
    assert.deepEqual(adapt(400, "response_format type 'json_schema' is not supported by this server"), { responseFormat: 'json_object' });
    assert.deepEqual(adapt(400, "'response_format.type' must be 'json_schema' or 'text'", { ...SENT, response_format: { type: 'json_object' } }), {
      responseFormat: 'none',
    });
    assert.deepEqual(adapt(400, "Unsupported value: 'messages[0].role' does not support 'system' with this model."), { systemMessage: false });
    assert.equal(adapt(500, 'CUDA out of memory'), undefined);
    assert.equal(adapt(429, "'n' : number must be at most 1"), undefined);
    // A context too small for the reasoning allowance loses the allowance; without one, there is nothing to adapt.
    const reasoner = defaultCapabilities('vllm', 'qwen3-8b');
    assert.deepEqual(adapt(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens", SENT, reasoner), {
      reasoningAllowance: 0,
    });
    assert.equal(adapt(400, "This model's maximum context length is 8192 tokens. However, max_tokens is too large"), undefined);
  });

  it('marks as permanent a 5xx that names a parameter, and a 429 for an account out of quota', () => {
    assert.equal(isPermanent(500, { message: 'Only one completion choice is allowed' }), true);
    assert.equal(isPermanent(500, { message: 'Internal error' }), false);
    assert.equal(isPermanent(503, { message: 'overloaded' }), false);
    assert.equal(
      isPermanent(429, { message: 'You exceeded your current quota, please check your plan and billing details.', code: 'insufficient_quota' }),
      true,
    );
    assert.equal(isPermanent(429, { message: 'Rate limit reached for requests' }), false);
  });

  it('names role, host, model and the setting to change, and says which errors end the run', () => {
    const cases: Array<[number, string, string, boolean, RegExp]> = [
      [
        401,
        'Incorrect API key provided',
        'auth',
        true,
        /^judge \(qwen3-32b at gpu-box:8000\/v1\) refused the API key \(401\): Incorrect API key provided\. Set the API key for gpu-box:8000\.$/,
      ],
      [404, 'The model `qwen3-32b` does not exist.', 'unknown_model', true, /does not know this model \(404\).*roles\.judge\.model/],
      [404, 'Not Found', 'not_found', true, /has no chat completions endpoint here \(404\).*roles\.judge\.baseUrl/],
      [400, "This model's maximum context length is 8192 tokens", 'context_length', true, /roles\.judge\.maxTokens/],
      [
        400,
        "Unsupported parameter: 'temperature' is not supported with this model.",
        'unsupported',
        true,
        /rejects temperature \(sent 0\).*endpoints\["gpu-box:8000\/qwen3-32b"\]\.temperature/,
      ],
      [400, 'Something else is wrong', 'bad_request', true, /rejected the request \(400\)/],
      [400, "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", 'content_filter', false, /filtered/],
      [402, 'Insufficient credits', 'quota', true, /out of credit/],
      [429, 'Rate limit reached', 'rate_limit', false, /rate-limiting/],
      [503, 'Service Unavailable', 'server', false, /failed \(503\)/],
      [500, 'Only one completion choice is allowed', 'unsupported', true, /rejects n \(sent 3\).*\.n to "rejected"/],
    ];
    for (const [status, message, kind, fatal, text] of cases) {
      const e = statusError(status, { message }, CTX, SENT);
      assert.equal(e.kind, kind, message);
      assert.equal(e.fatal, fatal, message);
      assert.match(e.message, text);
    }
  });

  it('tells a missing key apart from a refused one', () => {
    const none = statusError(401, { message: 'Missing bearer token' }, { ...CTX, keyless: true });
    assert.equal(none.kind, 'auth');
    assert.match(
      none.message,
      /^judge \(qwen3-32b at gpu-box:8000\/v1\) needs an API key \(401\) and no key is stored for gpu-box:8000: Missing bearer token\./,
    );
    assert.match(statusError(401, { message: 'Bad key' }, { ...CTX, keyless: false }).message, /refused the API key \(401\)/);
  });

  it('takes credentials out: the key itself, bearer tokens, key-like strings and URL passwords', () => {
    const text = redact(
      'Bad header Authorization: Bearer sk-live-1234567890abcdef for https://user:hunter2@proxy.local/v1 with key my-own-secret-key and api_key=abc123def',
      ['my-own-secret-key'],
    );
    for (const secret of ['sk-live-1234567890abcdef', 'hunter2', 'my-own-secret-key', 'abc123def']) {
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    assert.match(text, /proxy\.local\/v1/);
    assert.ok(!errorInfoFrom(400, JSON.stringify({ error: { message: 'Invalid key gsk_ABCDEFGHIJKLMNOP' } })).message.includes('ABCDEFGHIJKLMNOP'));
  });
});

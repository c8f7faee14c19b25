import assert from 'node:assert/strict';
import { sentence, sentences } from '../../../src/shared/text';

describe('messages built from parts', () => {
  it('ends each part once: no "failed Check", no "server.. Type"', () => {
    assert.equal(sentences('fetch failed', 'Check the base URL.'), 'fetch failed. Check the base URL.');
    assert.equal(sentences('Cannot reach the server.', 'Type a model name instead'), 'Cannot reach the server. Type a model name instead.');
    assert.equal(sentence('the server..'), 'the server.');
    assert.equal(sentence('Is it running?'), 'Is it running?');
    assert.equal(sentences('only', undefined, '', false), 'only.');
  });
});

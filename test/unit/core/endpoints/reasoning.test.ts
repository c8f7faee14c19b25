// Reasoning kept apart from the answer: whole replies, replies cut off while thinking, templates that open the block,
// the harmony format, and streams whose tags fall across chunk boundaries.
import assert from 'node:assert/strict';
import { ReasoningSplitter, reasoningSpentMessage, splitReasoning } from '../../../../src/core/endpoints/reasoning';
import { extractJson } from '../../../../src/core/structured';

const THOUGHT = 'First {"draft": true}, then check {the braces}.';

describe('reasoning', () => {
  it('takes a <think> block (braces and all) out of the answer, and keeps it', () => {
    const s = splitReasoning(`<think>\n${THOUGHT}\n</think>\n\n{"ok": true}`);
    assert.deepEqual(s, { content: '{"ok": true}', reasoning: THOUGHT });
    assert.deepEqual(extractJson(`<think>${THOUGHT}</think>{"ok": true}`), { ok: true });
    assert.deepEqual(splitReasoning(`<thinking>${THOUGHT}</thinking>Answer.`), { content: 'Answer.', reasoning: THOUGHT });
    assert.deepEqual(splitReasoning(`◁think▷${THOUGHT}◁/think▷Answer.`), { content: 'Answer.', reasoning: THOUGHT });
  });

  it('reads a closing tag with no opening one as the end of a block the template opened', () => {
    assert.deepEqual(splitReasoning(`${THOUGHT}\n</think>\n\nThe answer.`), { content: 'The answer.', reasoning: THOUGHT });
  });

  it('treats a block never closed as reasoning cut off, and text with no tags as the answer, untouched', () => {
    assert.deepEqual(splitReasoning(`<think>\n${THOUGHT}`), { content: '', reasoning: THOUGHT });
    assert.deepEqual(splitReasoning('  A plain answer.\n'), { content: '  A plain answer.\n', reasoning: '' });
    // With a template that opens the block, a reply cut off before the closing tag is all reasoning.
    assert.deepEqual(splitReasoning(THOUGHT, true), { content: '', reasoning: THOUGHT });
    assert.deepEqual(splitReasoning(`${THOUGHT}</think>Done.`, true), { content: 'Done.', reasoning: THOUGHT });
  });

  it("keeps only the final channel of gpt-oss's harmony format", () => {
    const s = splitReasoning('<|channel|>analysis<|message|>Think about it.<|end|><|start|>assistant<|channel|>final<|message|>Paris.<|return|>');
    assert.equal(s.content, 'Paris.');
    assert.match(s.reasoning, /Think about it/);
  });

  it('splits a stream at every chunk size without passing reasoning on, tags falling across chunks', () => {
    const raw = `<think>\n${THOUGHT}\n</think>\n\nThe answer is 42.`;
    for (let size = 1; size <= 16; size++) {
      const splitter = new ReasoningSplitter();
      let content = '';
      let reasoning = '';
      for (let i = 0; i < raw.length; i += size) {
        const out = splitter.push(raw.slice(i, i + size));
        content += out.content;
        reasoning += out.reasoning;
      }
      const rest = splitter.end();
      content += rest.content;
      reasoning += rest.reasoning;
      assert.equal(content, 'The answer is 42.', `chunk size ${size}`);
      assert.equal(reasoning.trim(), THOUGHT);
      assert.equal(splitter.sawTags, true);
    }
  });

  it('starts inside the block for a template that opens it, and notices an unopened close when it does not know', () => {
    const raw = `${THOUGHT}</think>Answer.`;
    const known = new ReasoningSplitter(true);
    assert.equal(known.push(raw).content + known.end().content, 'Answer.');
    const unknown = new ReasoningSplitter(false);
    unknown.push(raw);
    unknown.end();
    assert.equal(unknown.sawUnopenedClose, true);
  });

  it('holds back a tail that may be the start of a tag, and lets it go when it is not', () => {
    const s = new ReasoningSplitter();
    assert.equal(s.push('a < b and <th').content, 'a < b and ');
    assert.equal(s.push('ree> c').content, '<three> c');
  });

  it('names the model, its budget, the role and the setting when reasoning took the whole budget', () => {
    assert.equal(
      reasoningSpentMessage('qwen3:8b', 2048, 'judge'),
      'qwen3:8b spent its 2048 tokens reasoning; raise maxTokens for judge (roles.judge.maxTokens)',
    );
  });
});

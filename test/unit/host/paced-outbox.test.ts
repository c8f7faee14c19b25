import assert from 'node:assert/strict';
import { PacedOutbox } from '../../../src/host/paced-outbox';

type Msg = { type: string; n?: number; slice?: number };

function outbox(window = 3) {
  const sent: Msg[] = [];
  const box = new PacedOutbox<Msg>((m) => sent.push(m), window);
  return { box, sent, types: () => sent.map((m) => (m.slice ? `${m.type}#${m.slice}` : m.type)) };
}

describe('paced outbox (replayed history to the panel)', () => {
  it('sends at most the window of slices until the webview says it folded them, then one more per slice folded', () => {
    const { box, sent } = outbox(3);
    for (let i = 1; i <= 10; i++) {
      box.push({ type: 'events', n: i }, true);
    }
    assert.deepEqual(
      sent.map((m) => [m.n, m.slice]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    );
    assert.equal(box.waiting, 7);
    box.folded(1);
    assert.deepEqual(sent.at(-1), { type: 'events', n: 4, slice: 4 });
    // An acknowledgement covers every slice before it.
    box.folded(4);
    assert.deepEqual(
      sent.map((m) => m.n),
      [1, 2, 3, 4, 5, 6, 7],
    );
    box.folded(7);
    box.folded(10);
    assert.equal(sent.length, 10);
    assert.equal(box.waiting, 0);
  });

  it('keeps the order: a message behind unsent slices waits for them', () => {
    const { box, types } = outbox(1);
    box.push({ type: 'reset' });
    box.push({ type: 'events' }, true);
    box.push({ type: 'events' }, true);
    box.push({ type: 'notice' });
    box.push({ type: 'probe' });
    assert.deepEqual(types(), ['reset', 'events#1']);
    box.folded(1);
    // Once the last slice before them is sent, the messages behind it go too (the webview takes them in order).
    assert.deepEqual(types(), ['reset', 'events#1', 'events#2', 'notice', 'probe']);
    // With nothing paced in the way, a message goes at once.
    box.push({ type: 'delta' });
    assert.deepEqual(types().at(-1), 'delta');
  });

  it('ignores acknowledgements of slices never sent, or from before a restart', () => {
    const { box, sent } = outbox(2);
    for (let i = 0; i < 6; i++) {
      box.push({ type: 'events' }, true);
    }
    box.folded(99);
    assert.equal(sent.length, 2, 'a slice number that was never sent moves nothing');
    // The webview reloaded: what was queued is void, and slice numbers go on from where they were.
    box.restart();
    assert.equal(box.waiting, 0);
    box.push({ type: 'reset' });
    box.push({ type: 'events' }, true);
    box.push({ type: 'events' }, true);
    box.push({ type: 'events' }, true);
    assert.deepEqual(
      sent.slice(2).map((m) => m.slice ?? m.type),
      ['reset', 3, 4],
    );
    box.folded(2);
    assert.equal(sent.length, 5, "the old webview's acknowledgement does not count for the new one");
    box.folded(3);
    assert.equal(sent.at(-1)?.slice, 5);
  });
});

// One segment of the near-duplicate index: merging two gives the same arrays as building one from both sets of entries,
// a segment read back from its bytes answers as before (views, no copy when aligned), and a cut or foreign file is refused.
import assert from 'node:assert/strict';
import { gramsOf, idHashOf } from '../../../src/run/near-duplicate-index';
import { Segment, type SegmentEntry } from '../../../src/run/near-duplicate-segment';

const WORDS = 'router schedule capacity gradient baseline expert token sparse dense layer loss batch'.split(' ');
function question(i: number): string {
  let h = (i * 2654435761) >>> 0;
  const w = () => {
    h = (h * 1103515245 + 12345) >>> 0;
    return WORDS[(h >>> 8) % WORDS.length];
  };
  return `Why does the ${w()} ${w()} shape the ${w()} ${w()} when ${w()} ${w()} ${w()} grows?`;
}
const entries = (from: number, count: number): SegmentEntry[] =>
  Array.from({ length: count }, (_, k) => ({ idHash: idHashOf(`id-${from + k}`), offset: (from + k) * 100, grams: gramsOf(question(from + k)) }));
const arrays = (s: Segment) => [s.idHash, s.offset, s.gramCount, s.byId, s.distinct, s.postStart, s.post].map((a) => Array.from(a));

describe('near-duplicate segment', () => {
  it('merging two segments gives what building one from all their entries gives', async () => {
    const a = entries(0, 700);
    const b = entries(700, 450);
    let pauses = 0;
    const merged = await Segment.merge(Segment.build(a), Segment.build(b), () => {
      pauses++;
      return undefined;
    });
    assert.deepEqual(arrays(merged), arrays(Segment.build([...a, ...b])));
    assert.ok(pauses > 0, 'the merge offers to pause');
    // And it answers: a near-copy of a question of the second part is found under its merged entry number.
    const q = gramsOf(`${question(900)} Explain.`);
    const hit = merged.best(q, 0.6);
    assert.equal(hit?.entry, 900);
    assert.deepEqual(merged.withIdHash(idHashOf('id-1100')), [1100]);
  });

  it('best() scores as Jaccard over the grams, ties going to the earliest entry', () => {
    const same = gramsOf('How does the router change the capacity of the layer?');
    const s = Segment.build([
      { idHash: 1, offset: 0, grams: gramsOf('Something else entirely about loss curves and batches.') },
      { idHash: 2, offset: 10, grams: same },
      { idHash: 3, offset: 20, grams: same },
    ]);
    assert.deepEqual(s.best(same, 0.6), { entry: 1, score: 1 });
    const other = gramsOf('How does the router change the capacity of the dense layer?');
    const shared = Array.from(other).filter((g) => same.includes(g)).length;
    assert.equal(s.best(other, 0.1)?.score, shared / (other.length + same.length - shared));
    assert.equal(s.best(gramsOf('Unrelated words that share nothing here.'), 0.6), undefined);
  });

  it('reads back from its bytes as views over them, and refuses a cut or foreign file', () => {
    const s = Segment.build(entries(0, 300));
    const bytes = s.encode();
    const back = Segment.decode(bytes);
    assert.deepEqual(arrays(back), arrays(s));
    assert.equal(back.post.buffer, bytes.buffer, 'no copy of an aligned buffer');
    const unaligned = Buffer.alloc(bytes.length + 4);
    bytes.copy(unaligned, 4);
    assert.deepEqual(arrays(Segment.decode(unaligned.subarray(4))), arrays(s));
    assert.throws(() => Segment.decode(bytes.subarray(0, bytes.length - 8)));
    assert.throws(() => Segment.decode(Buffer.from('{"not":"a segment"}                              ')));
  });
});

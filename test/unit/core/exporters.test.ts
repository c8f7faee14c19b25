// Training-format exporters: each format's schema after a JSONL round trip, Arrow-consistent GRPO columns, DPO pairs.
import assert from 'node:assert/strict';
import { EngineEvent } from '../../../src/shared/events';
import {
  DpoRow,
  exportRecords,
  FLOAT_KEYS,
  GRPO_RESERVED_COLUMNS,
  GrpoRow,
  indexRollouts,
  SftRow,
  toDpo,
  toGrpo,
  toJsonl,
  toSft,
  type RolloutIndex,
} from '../../../src/core/exporters';
import type { DatasetRecord, Rollout } from '../../../src/shared/schemas';
import { fact } from '../../fakes/scripted-roles';
import { startRun, Worlds } from '../../fakes/scripted-run';

function record(id: string, patch: Partial<DatasetRecord> = {}): DatasetRecord {
  return {
    id,
    createdAt: new Date(0).toISOString(),
    question: `Question of ${id}?`,
    questionType: 'explanation',
    skills: ['causal reasoning'],
    rubric: [
      { criterion: 'Names the mechanism', weight: 3, negative: false },
      { criterion: 'Confuses cause and effect', weight: 2, negative: true },
    ],
    referenceAnswer: `Reference of ${id}.`,
    source: { path: 'paper.md', sha256: 'a'.repeat(64), range: { start: 10, end: 42 }, quote: 'a quote' },
    scores: { weak: { mean: 0.3, rollouts: [0.2, 0.4] }, strong: { mean: 0.8, rollouts: [0.8, 0.8] }, gap: 0.5 },
    decision: { by: 'policy', borderline: false },
    iterations: 2,
    models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
    runId: id.split(':')[0],
    promptVersion: 'v1',
    ...patch,
  };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

/**
 * The Arrow-like type of a JSON text, read from the text itself (JSON.parse cannot tell 1 from 1.0): what
 * `datasets.load_dataset("json")` infers per column. Struct fields keep their order, as Arrow's do.
 */
function arrowType(text: string): string {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) {
      i++;
    }
  };
  const value = (): string => {
    ws();
    const c = text[i];
    if (c === '"') {
      i++;
      while (text[i] !== '"') {
        i += text[i] === '\\' ? 2 : 1;
      }
      i++;
      return 'string';
    }
    if (c === '{') {
      i++;
      const fields: string[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return 'struct<>';
      }
      for (;;) {
        ws();
        const start = i;
        value();
        const key = JSON.parse(text.slice(start, i)) as string;
        ws();
        i++; // ':'
        fields.push(`${key}:${value()}`);
        ws();
        if (text[i++] === '}') {
          return `struct<${fields.join(',')}>`;
        }
      }
    }
    if (c === '[') {
      i++;
      const items = new Set<string>();
      ws();
      if (text[i] === ']') {
        i++;
        return 'list<null>';
      }
      for (;;) {
        items.add(value());
        ws();
        if (text[i++] === ']') {
          break;
        }
      }
      return `list<${[...items].join('|')}>`;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(text.slice(i));
    if (!m) {
      throw new Error(`not JSON at ${i}: ${text.slice(i, i + 20)}`);
    }
    i += m[0].length;
    if (m[0] === 'null') {
      return 'null';
    }
    if (m[0] === 'true' || m[0] === 'false') {
      return 'bool';
    }
    return /[.eE]/.test(m[0]) ? 'double' : 'int64';
  };
  return value();
}

describe('exporters', () => {
  // Records that differ in every way the columns could: optional note, human decision, integer and fractional
  // means (0 and 1 are what JSON.stringify would write as integers), fractional weights, a longer rubric.
  const records = [
    record('r1:s1.1'),
    record('r1:s2.3', { decision: { by: 'human', borderline: true, note: 'approved by hand' }, skills: [] }),
    record('r2:s1.1', { scores: { weak: { mean: 0, rollouts: [0, 0] }, strong: { mean: 1, rollouts: [1, 1] }, gap: 1 } }),
    record('r2:s4.2', {
      rubric: [
        { criterion: 'Half weight', weight: 1.5, negative: false },
        { criterion: 'b', weight: 10, negative: false },
        { criterion: 'c', weight: 1, negative: true },
      ],
    }),
  ];

  describe('chat SFT', () => {
    it('writes the question as the user turn and the reference answer as the assistant turn, with the record id', () => {
      const out = lines(toJsonl(toSft(records)));
      assert.equal(out.length, records.length);
      out.forEach((l, i) => {
        const row = SftRow.parse(JSON.parse(l));
        assert.equal(row.id, records[i].id);
        assert.deepEqual(row.messages, [
          { role: 'user', content: records[i].question },
          { role: 'assistant', content: records[i].referenceAnswer },
        ]);
        assert.deepEqual(Object.keys(JSON.parse(l)), ['id', 'messages']);
      });
    });

    it('puts an optional system message first', () => {
      const [row] = toSft(records.slice(0, 1), { system: 'Answer as an expert.' });
      assert.deepEqual(
        row.messages.map((m) => m.role),
        ['system', 'user', 'assistant'],
      );
      assert.equal(row.messages[0].content, 'Answer as an expert.');
    });
  });

  describe('GRPO', () => {
    it('writes a conversational prompt and the reward columns, parsing against the schema', () => {
      const out = lines(exportRecords('grpo', records).text).map((l) => GrpoRow.parse(JSON.parse(l)));
      assert.deepEqual(out[0].prompt, [{ role: 'user', content: 'Question of r1:s1.1?' }]);
      assert.deepEqual(out[0].rubric, records[0].rubric);
      assert.equal(out[0].reference_answer, 'Reference of r1:s1.1.');
      assert.deepEqual(out[0].source, { path: 'paper.md', sha256: 'a'.repeat(64), start: 10, end: 42, quote: 'a quote' });
      assert.equal(out[2].weak_mean, 0);
      assert.equal(out[2].strong_mean, 1);
    });

    it('writes a plain-text prompt in the standard style, system text first', () => {
      const [row] = toGrpo(records.slice(0, 1), { style: 'standard', system: 'Be rigorous.' });
      assert.equal(row.prompt, 'Be rigorous.\n\nQuestion of r1:s1.1?');
      GrpoRow.parse(row);
    });

    it('gives every line the same columns, key order and types, so Arrow infers one schema', () => {
      for (const style of ['conversational', 'standard'] as const) {
        const types = lines(exportRecords('grpo', records, { style }).text).map(arrowType);
        assert.equal(new Set(types).size, 1, `one type for every line:\n${[...new Set(types)].join('\n')}`);
        assert.doesNotMatch(types[0], /null|int64\|double|double\|int64/);
        assert.match(types[0], /weak_mean:double,strong_mean:double/);
        assert.match(types[0], /weight:double/);
      }
      const text = exportRecords('grpo', records).text;
      assert.match(lines(text)[2], /"weak_mean":0\.0,"strong_mean":1\.0/);
    });

    it('uses no column name that GRPOTrainer passes to reward functions itself', () => {
      const columns = Object.keys(toGrpo(records)[0]);
      assert.deepEqual(columns, ['prompt', 'id', 'rubric', 'reference_answer', 'source', 'weak_mean', 'strong_mean']);
      for (const reserved of GRPO_RESERVED_COLUMNS) {
        assert.equal(columns.includes(reserved), false, reserved);
      }
    });
  });

  describe('JSONL writing', () => {
    it('writes float keys with a decimal point at any depth and leaves other numbers alone', () => {
      const text = toJsonl([{ a: 1, w: 2, nested: [{ w: 3 }], list: { w: [1, 2.5] } }], ['w']);
      assert.equal(text, '{"a":1,"w":2.0,"nested":[{"w":3.0}],"list":{"w":[1.0,2.5]}}\n');
      assert.deepEqual(JSON.parse(text), { a: 1, w: 2, nested: [{ w: 3 }], list: { w: [1, 2.5] } });
    });

    it('escapes strings as JSON does and refuses numbers JSON cannot hold', () => {
      const s = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀';
      assert.equal(JSON.parse(toJsonl([{ s }]).trim()).s, s);
      assert.throws(() => toJsonl([{ w: NaN }], ['w']), /NaN/);
      assert.throws(() => toJsonl([{ x: Infinity }]), /Infinity/);
    });

    it('declares the float columns of each format', () => {
      assert.deepEqual(FLOAT_KEYS.grpo, ['weight', 'weak_mean', 'strong_mean']);
      assert.deepEqual(FLOAT_KEYS.dpo, ['score_chosen', 'score_rejected']);
    });
  });

  describe('DPO', () => {
    let seq = 0;
    const grades = (runId: string, attemptId: string, solver: 'weak' | 'strong', rollouts: Array<Partial<Rollout> & { score?: number }>) =>
      EngineEvent.parse({
        type: 'grades',
        runId,
        seq: ++seq,
        at: new Date(0).toISOString(),
        attemptId,
        solver,
        rollouts: rollouts.map((r, index) => ({ solver, index, answer: `${solver} answer ${index}`, ...r })),
        mean: null,
      });
    const events = [
      grades('r1', 's1.1', 'weak', [{ score: 0.4 }, { score: 0.2 }, { score: 0.2 }, { failure: 'empty answer', answer: '' }]),
      grades('r1', 's1.1', 'strong', [{ score: 0.7 }, { score: 0.9 }, { score: 0.9 }]),
      // Only the weak solver was graded (the strong rollouts were skipped).
      grades('r1', 's2.3', 'weak', [{ score: 0.5 }]),
      // The worst weak answer outscores the best strong one: no preference.
      grades('r2', 's1.1', 'weak', [{ score: 0.8 }]),
      grades('r2', 's1.1', 'strong', [{ score: 0.7 }]),
      // A failed measurement is never picked, even where its missing score would rank it first.
      grades('r2', 's4.2', 'weak', [{ failure: 'cut off', answer: 'half an ans' }, { score: 0.3 }]),
      grades('r2', 's4.2', 'strong', [{ failure: 'cut off', answer: 'half' }, { score: 0.75 }]),
      // A different run's attempt with the same attempt id must not be mixed in.
      grades('r9', 's1.1', 'strong', [{ score: 1, answer: 'from another run' }]),
    ];

    it('indexes graded rollouts by record id, a later grading replacing an earlier one', () => {
      const index = indexRollouts([...events, grades('r2', 's1.1', 'strong', [{ score: 0.95, answer: 'regraded' }])]);
      assert.deepEqual([...index.keys()].sort(), ['r1:s1.1', 'r1:s2.3', 'r2:s1.1', 'r2:s4.2', 'r9:s1.1']);
      assert.equal(index.get('r2:s1.1')!.strong![0].answer, 'regraded');
      assert.equal(index.get('r1:s2.3')!.strong, undefined);
    });

    it('pairs the best strong answer (chosen) with the worst weak answer (rejected), lowest index on ties', () => {
      const { rows, skipped } = toDpo(records, indexRollouts(events));
      assert.deepEqual(
        rows.map((r) => r.id),
        ['r1:s1.1', 'r2:s4.2'],
      );
      const [a, b] = rows.map((r) => DpoRow.parse(JSON.parse(toJsonl([r]))));
      assert.deepEqual(a.prompt, [{ role: 'user', content: 'Question of r1:s1.1?' }]);
      assert.deepEqual(a.chosen, [{ role: 'assistant', content: 'strong answer 1' }]);
      assert.deepEqual(a.rejected, [{ role: 'assistant', content: 'weak answer 1' }]);
      assert.equal(a.score_chosen, 0.9);
      assert.equal(a.score_rejected, 0.2);
      assert.deepEqual(b.chosen, [{ role: 'assistant', content: 'strong answer 1' }]);
      assert.deepEqual(b.rejected, [{ role: 'assistant', content: 'weak answer 1' }]);
      assert.deepEqual(skipped, { noRollouts: 0, noWeak: 0, noStrong: 1, noPreference: 1 });
    });

    it('skips and counts records missing from the journals', () => {
      const { rows, skipped } = toDpo([record('r3:s1.1'), ...records], indexRollouts(events));
      assert.equal(rows.length, 2);
      assert.equal(skipped.noRollouts, 1);
      const noWeak = toDpo([records[0]], new Map([['r1:s1.1', { strong: indexRollouts(events).get('r1:s1.1')!.strong }]]) as RolloutIndex);
      assert.deepEqual(noWeak.skipped, { noRollouts: 0, noWeak: 1, noStrong: 0, noPreference: 0 });
    });

    it('writes plain strings in the standard style and consistent types on every line', () => {
      const { text, rows, skipped } = exportRecords('dpo', records, { rollouts: indexRollouts(events), style: 'standard', system: 'Sys.' });
      assert.equal(rows, 2);
      assert.equal(skipped?.noPreference, 1);
      const parsed = lines(text).map((l) => DpoRow.parse(JSON.parse(l)));
      assert.equal(parsed[0].prompt, 'Sys.\n\nQuestion of r1:s1.1?');
      assert.equal(parsed[0].chosen, 'strong answer 1');
      assert.equal(new Set(lines(text).map(arrowType)).size, 1);
      assert.match(lines(text)[0], /"score_chosen":0\.9,"score_rejected":0\.2/);
    });

    it('pairs the answers of a real run: accepted records link to their rollouts through the journal', async () => {
      const worlds = new Worlds();
      try {
        const w = await worlds.world({ questions: [{ weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] }] });
        const doc = `# Method\n\nSparse attention restricts each token to a subset of positions, which cuts the quadratic cost. ${'Detail. '.repeat(60)}\n`;
        const { events: journal, run } = startRun(w, { runId: 'run-x', document: { path: 'paper.md', text: doc } });
        const summary = await run;
        assert.equal(summary.accepted.length, 1);
        const { rows } = toDpo(summary.accepted, indexRollouts(journal));
        assert.equal(rows.length, 1);
        const facts = (k: number) => Array.from({ length: k }, (_, i) => fact(1, i + 1)).join(', ');
        assert.deepEqual(rows[0].chosen, [{ role: 'assistant', content: `STRONG#1 answer to Q1: ${facts(9)}.` }]);
        assert.deepEqual(rows[0].rejected, [{ role: 'assistant', content: `WEAK#0 answer to Q1: ${facts(3)}.` }]);
        assert.equal(rows[0].score_chosen, 0.9);
        assert.equal(rows[0].score_rejected, 0.3);
      } finally {
        await worlds.close();
      }
    });
  });
});

// One valid dataset record for tests of the write path, with any fields a test needs to differ.
import type { DatasetRecord } from '../../src/shared/schemas';

export function datasetRecord(id: string, fields: Partial<DatasetRecord> = {}): DatasetRecord {
  return {
    id,
    createdAt: new Date(0).toISOString(),
    question: `Question ${id}?`,
    questionType: 'explanation',
    skills: [],
    rubric: [{ criterion: 'c', weight: 1, negative: false }],
    referenceAnswer: 'A.',
    source: { path: 'p.md', sha256: 'a'.repeat(64), range: { start: 0, end: 1 }, quote: 'x' },
    scores: { weak: { mean: 0.3, rollouts: [0.3] }, strong: { mean: 0.8, rollouts: [0.8] }, gap: 0.5 },
    decision: { by: 'policy', borderline: false },
    iterations: 1,
    models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
    runId: 'r',
    promptVersion: 'v',
    ...fields,
  };
}

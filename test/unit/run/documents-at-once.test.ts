// Several documents at once (the CLI's `generate a.md b.md …`, the editor's Generate from Files): one pool of section
// slots shared by their runs, against the scripted server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunId } from '../../../src/core/endpoint';
import { Limiter } from '../../../src/core/limiter';
import { documentsAtOnce, runDocuments, sectionSlots, type DocumentJob } from '../../../src/run/documents-at-once';
import { sectionsOf } from '../../../src/run/sources';
import { openWorkspace } from '../../../src/run/workspace';
import { scriptedModels } from '../../fakes/scripted-config';
import { Worlds } from '../../fakes/scripted-run';
import type { ScriptedQuestion } from '../../fakes/scripted-roles';
import { documentOf, settingsFor } from './run-harness';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };

/** Replaces a method for one test; `restore` puts it back. */
function sinonless<T extends object, K extends keyof T>(obj: T, key: K, fn: T[K]): { restore: () => void } {
  const original = obj[key];
  obj[key] = fn;
  return { restore: () => void (obj[key] = original) };
}

describe('documents at once', function () {
  this.timeout(60000);
  const worlds = new Worlds();
  let ws: string;
  beforeEach(() => (ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-docs-'))));
  afterEach(async () => {
    await worlds.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('sizes the slots from the request limit and opens enough documents to fill them half as much again', () => {
    assert.equal(sectionSlots(16, 1), 64);
    assert.equal(sectionSlots(2, 10), 10, 'never fewer than the sections at once one run is allowed');
    assert.equal(documentsAtOnce(Array(32).fill(2), 64), 32);
    assert.equal(documentsAtOnce(Array(100).fill(2), 64), 48);
    assert.equal(documentsAtOnce(Array(10).fill(40), 64), 3);
    assert.equal(documentsAtOnce([], 64), 1);
  });

  it('runs the sections of several documents from one pool of slots: more than one per document, never more than the slots', async () => {
    // Each request takes 60 ms or more, so sections overlap; the request limit is 1, so there are 4 slots.
    const w = await worlds.world({ questions: [GOOD], latency: { challengerLatencyMs: 60, qualityLatencyMs: 30, solverMsPerSample: 20 } });
    const settings = { ...settingsFor(w.server.baseURL), requestConcurrency: 1 };
    const files = await openWorkspace(ws, settings.datasetPath);
    const jobs: DocumentJob[] = Array.from({ length: 4 }, (_, i) => {
      const text = documentOf(3).replace('# Paper', `# Paper ${i}`);
      return {
        runId: newRunId(`-d${i}`),
        document: { path: `paper-${i}.md`, text },
        targets: sectionsOf(text, settings.sectionMaxChars, false),
        settings,
        prompts: files.prompts,
        recipe: { text: '', version: 0 },
      };
    });
    assert.equal(settings.engine.targetConcurrency, 1);
    // Slots held at once, seen by the pool itself (the observers' events of different runs are not in one order).
    let held = 0;
    let maxHeld = 0;
    const take = Limiter.prototype.take;
    const spy = sinonless(Limiter.prototype, 'take', async function (this: Limiter, signal?: AbortSignal) {
      const release = await take.call(this, signal);
      maxHeld = Math.max(maxHeld, ++held);
      return () => {
        held--;
        release();
      };
    });
    const perDocument = new Map<string, { open: number; max: number }>();
    const results = await runDocuments(files, jobs, scriptedModels(settings.engine, { limit: 1 }), settings.requestConcurrency, {
      observer: (job) => ({
        event: (e) => {
          const d = perDocument.get(job.document.path) ?? { open: 0, max: 0 };
          perDocument.set(job.document.path, d);
          if (e.type === 'target_started') {
            d.max = Math.max(d.max, ++d.open);
          } else if (e.type === 'target_finished') {
            d.open--;
          }
        },
      }),
    }).finally(spy.restore);
    assert.equal(results.length, 4);
    assert.ok(results.every((r) => r.outcome === 'completed'));
    assert.equal(
      results.reduce((n, r) => n + r.accepted.length, 0),
      12,
    );
    assert.equal(maxHeld, sectionSlots(1, 1), 'the runs together fill the 4 slots and never exceed them');
    assert.ok(
      [...perDocument.values()].some((d) => d.max > 1),
      'a document runs more sections at once than its own targetConcurrency of 1',
    );
  });

  it('leaves one document alone to its own sections at once', async () => {
    const w = await worlds.world({ questions: [GOOD], latency: { challengerLatencyMs: 30 } });
    const settings = settingsFor(w.server.baseURL);
    const files = await openWorkspace(ws, settings.datasetPath);
    const text = documentOf(3);
    let open = 0;
    let maxOpen = 0;
    const [r] = await runDocuments(
      files,
      [
        {
          runId: newRunId(),
          document: { path: 'paper.md', text },
          targets: sectionsOf(text, settings.sectionMaxChars, false),
          settings,
          prompts: files.prompts,
          recipe: { text: '', version: 0 },
        },
      ],
      scriptedModels(settings.engine),
      settings.requestConcurrency,
      {
        observer: () => ({
          event: (e) => {
            if (e.type === 'target_started') {
              maxOpen = Math.max(maxOpen, ++open);
            } else if (e.type === 'target_finished') {
              open--;
            }
          },
        }),
      },
    );
    assert.equal(r.outcome, 'completed');
    assert.equal(r.accepted.length, 3);
    assert.equal(maxOpen, 1);
  });
});

// Extension costs: bundle and .vsix size, time to load and activate the bundle, appending 10,000 dataset items.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/run/dataset';
import { JsonlWriter } from '../../src/run/jsonl';
import type { DatasetRecord } from '../../src/shared/schemas';

const root = path.resolve(__dirname, '../..');

export interface ExtensionFigures {
  bundleKB: number;
  webviewKB: number;
  vsixKB: number | null;
  loadMs: number;
  activateMs: number;
  append: { items: number; durableMs: number; bufferedMs: number; perItemDurableMs: number; perItemBufferedMs: number; checkedDatasetMs: number };
}

/** A stand-in for the `vscode` module with just what activate() touches; it measures our module's own cost. */
function vscodeStub(): unknown {
  const disposable = {
    dispose() {
      /* nothing */
    },
  };
  class EventEmitter {
    event = () => disposable;
    fire() {
      /* nothing */
    }
    dispose() {
      /* nothing */
    }
  }
  const channel = { info() {}, warn() {}, error() {}, debug() {}, show() {}, dispose() {} };
  return {
    window: {
      createOutputChannel: () => channel,
      createTextEditorDecorationType: () => disposable,
      registerWebviewPanelSerializer: () => disposable,
      createStatusBarItem: () => ({ ...disposable, show() {}, hide() {} }),
    },
    commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
    workspace: { getConfiguration: () => ({ get: (_: string, d: unknown) => d, inspect: () => undefined }), onDidChangeConfiguration: () => disposable },
    EventEmitter,
    Disposable: class {
      static from() {
        return disposable;
      }
      constructor(private f: () => void) {}
      dispose() {
        this.f();
      }
    },
    ThemeColor: class {},
    OverviewRulerLane: { Center: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    Uri: { joinPath: () => ({}) },
  };
}

function record(i: number): DatasetRecord {
  return {
    id: `bench:${i}`,
    createdAt: new Date(0).toISOString(),
    question: `Question ${i}: explain why the method works and where it fails. `.repeat(3),
    questionType: 'explanation',
    skills: ['reasoning'],
    rubric: Array.from({ length: 10 }, (_, k) => ({ criterion: `Criterion ${k} of question ${i}`, weight: 1 + (k % 5), negative: k === 9 })),
    referenceAnswer: 'A reference answer of a realistic length. '.repeat(20),
    source: { path: 'paper.md', sha256: 'a'.repeat(64), range: { start: i, end: i + 80 }, quote: 'A quote from the source.' },
    scores: { weak: { mean: 0.4, rollouts: [0.3, 0.4, 0.5] }, strong: { mean: 0.8, rollouts: [0.8, 0.8, 0.8] }, gap: 0.4 },
    decision: { by: 'policy', borderline: false },
    iterations: 6,
    models: { challenger: 'c', quality: 'q', weak: 'w', strong: 's', judge: 'j' },
    runId: 'bench',
    promptVersion: 'v1',
  };
}

export async function run(): Promise<ExtensionFigures> {
  execFileSync(process.execPath, [path.join(root, 'build.mjs')], { cwd: root, stdio: 'ignore' });
  const bundle = path.join(root, 'out/extension.js');
  let vsixKB: number | null;
  try {
    execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', 'out/autodata.vsix'], {
      cwd: root,
      stdio: 'ignore',
    });
    vsixKB = fs.statSync(path.join(root, 'out/autodata.vsix')).size / 1024;
  } catch {
    vsixKB = null;
  }

  // Load and activate in this process with the stand-in `vscode` module.
  const load = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const original = load._load;
  const stub = vscodeStub();
  load._load = function (req: string, ...rest: unknown[]) {
    return req === 'vscode' ? stub : original.call(this, req, ...rest);
  };
  const t0 = performance.now();
  const ext = require(bundle) as { activate: (ctx: unknown) => unknown };
  const t1 = performance.now();
  ext.activate({
    subscriptions: [],
    secrets: { get: async () => undefined },
    extensionUri: {},
    globalState: { get: () => undefined, update: async () => undefined },
    logUri: {},
    extension: { packageJSON: { version: '0.0.0-bench' } },
  });
  const t2 = performance.now();
  load._load = original;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-'));
  const n = 10_000;
  const items = Array.from({ length: n }, (_, i) => record(i));
  const durable = new JsonlWriter(path.join(dir, 'durable.jsonl'), true);
  let s = performance.now();
  for (const it of items) {
    await durable.append(it);
  }
  const durableMs = performance.now() - s;
  const buffered = new JsonlWriter(path.join(dir, 'buffered.jsonl'), false);
  s = performance.now();
  await Promise.all(items.map((it) => buffered.append(it)));
  const bufferedMs = performance.now() - s;
  await Promise.all([durable.close(), buffered.close()]);
  // The dataset as the extension uses it: validation + exactly-once by id + durable append, over a file that already holds 10,000 items.
  const ds = new Dataset(path.join(dir, 'durable.jsonl'));
  s = performance.now();
  for (let i = n; i < n + 1000; i++) {
    await ds.append(record(i));
  }
  const checkedDatasetMs = (performance.now() - s) / 1000;
  fs.rmSync(dir, { recursive: true, force: true });

  return {
    bundleKB: fs.statSync(bundle).size / 1024,
    webviewKB: fs.statSync(path.join(root, 'out/webview/main.js')).size / 1024,
    vsixKB,
    loadMs: t1 - t0,
    activateMs: t2 - t1,
    append: { items: n, durableMs, bufferedMs, perItemDurableMs: durableMs / n, perItemBufferedMs: bufferedMs / n, checkedDatasetMs },
  };
}

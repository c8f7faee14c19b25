// The real Run against the scripted server, in this process or in a child process (`node --require tsx/cjs`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunId } from '../../../src/core/endpoint';
import type { EngineConfig } from '../../../src/core/config';
import type { ChatModel } from '../../../src/core/models';
import { byRole, type WithSecondJudge } from '../../../src/shared/schemas';
import { findResumable, readRunDocument, resumeSpec } from '../../../src/run/resumable';
import { Run, type RunObserver, type RunResult, type RunSpec } from '../../../src/run/run';
import { RUN_DEFAULTS, type RunSettings } from '../../../src/run/settings';
import { sectionsOf } from '../../../src/run/sources';
import { openWorkspace } from '../../../src/run/workspace';
import { startScriptedServer, type Responder, type ScriptedServer } from '../../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../../fakes/scripted-config';
import { MODELS } from '../../fakes/scripted-roles';

export interface RunWorkspace {
  /** This test's workspace folder. */
  readonly ws: string;
  /** The server this test started with `serve`. */
  readonly server: ScriptedServer;
  /** Starts this test's scripted server (every role's model, the test key), closed after the test. */
  serve(respond: Responder): Promise<ScriptedServer>;
}

/** Called in a describe block: a fresh workspace folder for each of its tests, removed after it with the test's server. */
export function runWorkspaces(prefix: string): RunWorkspace {
  let ws = '';
  let server: ScriptedServer | undefined;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), `autodata-${prefix}-`));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(ws, { recursive: true, force: true });
  });
  return {
    get ws() {
      return ws;
    },
    get server() {
      if (!server) {
        throw new Error('this test started no server: call serve() first');
      }
      return server;
    },
    async serve(respond) {
      server = await startScriptedServer({ respond, models: Object.values(MODELS), apiKey: 'test-key' });
      return server;
    },
  };
}

function section(title: string): string {
  return `## ${title}\n\n${title} is the subject of this section, which explains how it works and why it matters. ${`The ${title.toLowerCase()} argument goes on with detail about its assumptions and trade-offs. `.repeat(5)}\n\n`;
}
/** A document of `n` sections of about 600 characters each. */
export function documentOf(n: number): string {
  return `# Paper\n\n${Array.from({ length: n }, (_, i) => section(`Topic ${i + 1}`)).join('')}`;
}

export function settingsFor(baseURL: string, datasetPath: string = RUN_DEFAULTS.datasetPath, engine: Partial<EngineConfig> = {}): RunSettings {
  return { ...RUN_DEFAULTS, datasetPath, streamAnswers: false, engine: scriptedConfig(baseURL, engine) };
}

/** Every `complete()` call the engine makes, counted when it is made (not when the server sees it). */
export const modelCalls = { count: 0 };
function counted(models: WithSecondJudge<ChatModel>): WithSecondJudge<ChatModel> {
  const count = (m: ChatModel): ChatModel => ({
    model: m.model,
    endpoint: m.endpoint,
    complete: (req) => {
      modelCalls.count++;
      return m.complete(req);
    },
  });
  return { ...byRole((role) => count(models[role])), ...(models.judge2 ? { judge2: count(models.judge2) } : {}) };
}

export interface Started {
  run: Run;
  result: Promise<RunResult>;
}

/** Starts a new run over `doc` (a file in the workspace). */
export async function startRun(
  ws: string,
  doc: string,
  baseURL: string,
  observer: RunObserver = {},
  datasetPath?: string,
  engine: Partial<EngineConfig> = {},
  spec: Pick<RunSpec, 'keepItems'> = {},
): Promise<Started> {
  const settings = settingsFor(baseURL, datasetPath, engine);
  const files = await openWorkspace(ws, settings.datasetPath);
  const text = fs.readFileSync(path.join(ws, doc), 'utf8');
  const run = new Run(
    files,
    {
      runId: newRunId(),
      document: { path: doc, text },
      targets: sectionsOf(text, settings.sectionMaxChars, false),
      settings,
      models: counted(scriptedModels(settings.engine)),
      prompts: files.prompts,
      recipe: { text: '', version: 0 },
      ...spec,
    },
    observer,
  );
  return { run, result: run.start() };
}

/** Resumes one run of the workspace, as the CLI and the editor do. */
export async function resumeRun(ws: string, runId: string, baseURL: string, observer: RunObserver = {}): Promise<RunResult> {
  const settings = settingsFor(baseURL);
  const files = await openWorkspace(ws, settings.datasetPath);
  const [r] = await findResumable(ws, [runId]);
  const spec = await resumeSpec(files, r, settings, await readRunDocument(ws, r));
  return new Run(files, { ...spec, models: scriptedModels(spec.settings.engine) }, observer).start();
}

/** `node --require tsx/cjs run-harness.ts resume <ws> <runId> <baseURL>`: prints the result as JSON. */
if (require.main === module) {
  const [cmd, ws, a, b] = process.argv.slice(2);
  void (async () => {
    try {
      const result = cmd === 'resume' ? await resumeRun(ws, a, b) : await (await startRun(ws, a, b)).result;
      process.stdout.write(
        `${JSON.stringify({ outcome: result.outcome, accepted: result.accepted.length, written: result.written, message: result.message })}\n`,
      );
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ error: (e as Error).constructor.name, message: (e as Error).message })}\n`);
    }
  })();
}

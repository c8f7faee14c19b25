// Many documents at once through the CLI (`autodata generate a.md b.md …`): how busy the endpoint's limit is kept,
// at three sizes, against a scripted endpoint that admits 16 requests at a time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { startScriptedServer } from '../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';
import { LAT } from './loop.bench';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const KEY = 'bench-key';
const CAP = 16;

function doc(i: number): string {
  const section = (title: string) =>
    `## ${title}\n\n${`${title} of paper ${i} explains one idea of the method in enough words to stand alone as a section for a question. `.repeat(5)}\n\n`;
  return `# Paper ${i}\n\n${section(`Mechanism ${i}a`)}${section(`Mechanism ${i}b`)}`;
}

export interface DocumentsFigure {
  documents: number;
  sections: number;
  accepted: number;
  ms: number;
  /** Time the endpoint's admission slots were taken ÷ (its limit × wall time). */
  utilisation: number;
  status429: number;
}

export async function runDocuments(documents: number): Promise<DocumentsFigure> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-docs-'));
  const script = scriptRoles([GOOD], LAT);
  const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), apiKey: KEY, maxConcurrent: CAP, retryAfterSeconds: 0.2 });
  try {
    const files = Array.from({ length: documents }, (_, i) => {
      fs.writeFileSync(path.join(ws, `paper-${i}.md`), doc(i));
      return `paper-${i}.md`;
    });
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(
      path.join(ws, 'autodata.json'),
      JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles, requestConcurrency: CAP, itemsPerRun: 0 }),
    );
    let out = '';
    const t0 = performance.now();
    const code = await main(['generate', ...files, '--config', 'autodata.json'], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      env: { AUTODATA_API_KEY: KEY },
      cwd: ws,
    });
    const ms = performance.now() - t0;
    if (code !== 0) {
      throw new Error(`autodata generate exited ${code}: ${out.slice(-300)}`);
    }
    const busy = server.admittedMs;
    return {
      documents,
      sections: documents * 2,
      accepted: Number(/(\d+) accepted/.exec(out)?.[1] ?? 0),
      ms,
      utilisation: busy / (CAP * ms),
      status429: server.requests.filter((r) => r.status === 429).length,
    };
  } finally {
    await server.close();
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

export async function run(): Promise<DocumentsFigure[]> {
  const out: DocumentsFigure[] = [];
  for (const n of [8, 16, 32]) {
    out.push(await runDocuments(n));
  }
  return out;
}

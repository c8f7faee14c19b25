// Resume with many finished runs in the workspace: the time to say "nothing to resume" and to find the one run that
// can go on, at three counts of finished runs; and the memory a resume holds while it reads a large journal, at three
// journal sizes (each in its own Node process with --expose-gc, heap sampled every 2 ms while the journal is read).
// The heap sampled includes garbage not yet collected, up to the young generation's size (V8's default: about 16 MB
// per semi-space), so the memory is measured twice: with a 1 MB semi-space (--max-semi-space-size=1), where what is
// sampled is close to what the resume retains, and with the default, for comparison.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../src/cli/main';
import { findResumable } from '../../src/run/resumable';
import { journalFile, runsDir } from '../../src/run/journal';
import { startScriptedServer } from '../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const KEY = 'k';

export interface ResumeFigures {
  nothing: Array<{ finished: number; ms: number }>;
  one: Array<{ finished: number; ms: number }>;
  /** peakExtraMB / ratio: with a 1 MB semi-space; defaultPeakExtraMB: with V8's default young generation. */
  memory: Array<{ journalMB: number; ms: number; peakExtraMB: number; ratio: number; defaultPeakExtraMB: number }>;
}

const doc = (name: string, sections: number) =>
  `# ${name}\n\n${Array.from({ length: sections }, (_, i) => `## Part ${i}\n\n${`Part ${i} of ${name} explains a separate idea of the method in enough words to stand alone. `.repeat(5)}\n\n`).join('')}`;

/** A workspace with one completed and one stopped journal, made by the CLI against the scripted server. */
async function seed(ws: string): Promise<{ completed: string; stopped: string }> {
  const server = await startScriptedServer({ respond: scriptRoles([GOOD], { solverLatencyMs: 50 }).respond, models: Object.values(MODELS), apiKey: KEY });
  try {
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(path.join(ws, 'autodata.json'), JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles }));
    const io = (extra: Partial<CliIO> = {}): CliIO => ({ stdout: () => undefined, stderr: () => undefined, env: { AUTODATA_API_KEY: KEY }, cwd: ws, ...extra });
    fs.writeFileSync(path.join(ws, 'done.md'), doc('done', 8));
    await main(['generate', 'done.md', '--config', 'autodata.json'], io());
    const [completed] = fs.readdirSync(runsDir(ws)).filter((f) => f.endsWith('.jsonl'));
    fs.writeFileSync(path.join(ws, 'open.md'), doc('open', 3));
    const stop = new AbortController();
    await main(['generate', 'open.md', '--config', 'autodata.json'], io({ signal: stop.signal, stdout: (t) => void (/attempt 1/.test(t) && stop.abort()) }));
    const stopped = fs.readdirSync(runsDir(ws)).find((f) => f.endsWith('.jsonl') && f !== completed)!;
    return { completed: path.join(runsDir(ws), completed), stopped: path.join(runsDir(ws), stopped) };
  } finally {
    await server.close();
  }
}

/** Copies of a finished journal under new run ids (ids sort by time, like real ones). */
function finishedRuns(ws: string, template: string, n: number): void {
  const text = fs.readFileSync(template, 'utf8');
  const runId = JSON.parse(text.slice(0, text.indexOf('\n'))).runId as string;
  for (let i = 0; i < n; i++) {
    const id = `20200101-000000-f${String(i).padStart(4, '0')}`;
    fs.writeFileSync(journalFile(ws, id), text.split(runId).join(id));
  }
}

/** The median of three scans (the machine is shared and noisy). */
async function timedFind(ws: string): Promise<{ ms: number; found: number }> {
  const runs: Array<{ ms: number; found: number }> = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const found = await findResumable(ws, undefined, { events: false });
    runs.push({ ms: performance.now() - t0, found: found.length });
  }
  return runs.sort((a, b) => a.ms - b.ms)[1];
}

/** In a child: reads one interrupted journal grown to `mb` with usage events, sampling the heap. */
async function memoryChild(file: string): Promise<void> {
  const gc = (global as { gc?: () => void }).gc!;
  gc();
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const base = used();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 2);
  const t0 = performance.now();
  const found = await findResumable(path.dirname(path.dirname(path.dirname(file))), undefined, { events: false });
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, used());
  console.log(JSON.stringify({ ms, peakExtra: peak - base, found: found.length }));
}

function grow(file: string, mb: number): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const usage = lines.find((l) => l.includes('"type":"usage"')) ?? lines[lines.length - 1];
  const fd = fs.openSync(file, 'a');
  try {
    const block = `${usage}\n`.repeat(Math.ceil(1e6 / (usage.length + 1)));
    while (fs.fstatSync(fd).size < mb * 1e6) {
      fs.writeSync(fd, block);
    }
  } finally {
    fs.closeSync(fd);
  }
}

export async function run(): Promise<ResumeFigures> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-bench-resume-'));
  try {
    const { completed, stopped } = await seed(ws);
    const open = fs.readFileSync(stopped);
    const nothing: ResumeFigures['nothing'] = [];
    const one: ResumeFigures['one'] = [];
    for (const n of [10, 50, 200]) {
      fs.rmSync(stopped, { force: true });
      fs.readdirSync(runsDir(ws))
        .filter((f) => f.startsWith('20200101'))
        .forEach((f) => fs.rmSync(path.join(runsDir(ws), f)));
      finishedRuns(ws, completed, n - 1);
      const a = await timedFind(ws);
      if (a.found !== 0) {
        throw new Error(`${a.found} run(s) found where every run finished`);
      }
      nothing.push({ finished: n, ms: a.ms });
      fs.writeFileSync(stopped, open);
      const b = await timedFind(ws);
      if (b.found !== 1) {
        throw new Error(`${b.found} run(s) found where one was stopped`);
      }
      one.push({ finished: n, ms: b.ms });
    }
    const memory: ResumeFigures['memory'] = [];
    for (const mb of [10, 30, 100]) {
      grow(stopped, mb);
      const size = fs.statSync(stopped).size;
      const read = (flags: string[]) => {
        const out = execFileSync(process.execPath, [...flags, '--expose-gc', '--require', require.resolve('tsx/cjs'), __filename, stopped], {
          encoding: 'utf8',
        });
        const r = JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; peakExtra: number; found: number };
        if (r.found !== 1) {
          throw new Error('the grown journal was not found resumable');
        }
        return r;
      };
      const small = read(['--max-semi-space-size=1']);
      const usual = read([]);
      memory.push({
        journalMB: size / 1e6,
        ms: small.ms,
        peakExtraMB: small.peakExtra / 1e6,
        ratio: small.peakExtra / size,
        defaultPeakExtraMB: usual.peakExtra / 1e6,
      });
    }
    return { nothing, one, memory };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2]) {
  void memoryChild(process.argv[2]);
}

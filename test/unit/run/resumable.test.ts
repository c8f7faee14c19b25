// Finding the runs that can go on: the same runs and resume points as reading every journal whole, a completed run
// known from its journal's tail, and the events kept only when asked for.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../../src/cli/main';
import { resumePoint } from '../../../src/core/resume';
import { journalFile, listRuns, readJournal } from '../../../src/run/journal';
import { findResumable, finishedFromTail } from '../../../src/run/resumable';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles, type ScriptedQuestion } from '../../fakes/scripted-roles';

const GOOD: ScriptedQuestion = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.9, 0.8] };
const KEY = 'k';
const doc = (name: string) =>
  `# ${name}\n\n${['One', 'Two', 'Three']
    .map((s) => `## ${s}\n\n${`${s} of ${name} explains a separate idea of the method in enough words to stand alone as a section. `.repeat(5)}\n\n`)
    .join('')}`;

/** What a resume found before journals were streamed: every journal read whole. */
async function byFullRead(root: string) {
  const out: Array<{ runId: string; point: ReturnType<typeof resumePoint> }> = [];
  for (const runId of await listRuns(root)) {
    const { events } = await readJournal(journalFile(root, runId));
    try {
      const point = resumePoint(events);
      if (!point.finished) {
        out.push({ runId, point });
      }
    } catch {
      continue;
    }
  }
  return out;
}

describe('resumable runs', function () {
  this.timeout(60_000);
  let ws: string;
  let server: ScriptedServer;
  const io = (extra: Partial<CliIO> = {}): CliIO => ({ stdout: () => undefined, stderr: () => undefined, env: { AUTODATA_API_KEY: KEY }, cwd: ws, ...extra });

  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-resumable-'));
    server = await startScriptedServer({ respond: scriptRoles([GOOD], { solverLatencyMs: 100 }).respond, models: Object.values(MODELS), apiKey: KEY });
    const roles = Object.fromEntries(Object.entries(MODELS).map(([role, model]) => [role, { model }]));
    fs.writeFileSync(path.join(ws, 'autodata.json'), JSON.stringify({ endpoint: { baseURL: server.baseURL, maxTokens: 512 }, roles }));
    // Three completed runs, then two stopped after their first attempt started.
    for (const name of ['a', 'b', 'c']) {
      fs.writeFileSync(path.join(ws, `${name}.md`), doc(name));
      assert.equal(await main(['generate', `${name}.md`, '--config', 'autodata.json'], io()), 0);
    }
    for (const name of ['d', 'e']) {
      fs.writeFileSync(path.join(ws, `${name}.md`), doc(name));
      const stop = new AbortController();
      const code = await main(
        ['generate', `${name}.md`, '--config', 'autodata.json'],
        io({ signal: stop.signal, stdout: (t) => /attempt 1/.test(t) && stop.abort() }),
      );
      assert.equal(code, 130);
    }
    // A journal cut by a crash: the run_finished line of a stopped run torn away.
    const [stopped] = (await findResumable(ws)).map((r) => r.runId);
    const file = journalFile(ws, stopped);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.trimEnd().lastIndexOf('\n') + 1) + '{"type":"run_fin');
  });
  after(async () => {
    await server.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('finds the same runs and resume points as reading every journal whole', async () => {
    const expected = await byFullRead(ws);
    const found = await findResumable(ws);
    assert.equal(expected.length, 2);
    assert.deepEqual(
      found.map((r) => r.runId),
      expected.map((r) => r.runId),
    );
    found.forEach((r, i) => assert.deepEqual(r.point, expected[i].point));
    const full = await readJournal(journalFile(ws, found[0].runId));
    assert.deepEqual(found[0].events, full.events, 'the events, for the panel');
    const lean = await findResumable(ws, undefined, { events: false });
    assert.deepEqual(
      lean.map((r) => [r.runId, r.events.length]),
      found.map((r) => [r.runId, 0]),
    );
  });

  it('knows a completed run from its journal’s tail, even with events after its end', async () => {
    const runs = await listRuns(ws);
    const tails = await Promise.all(runs.map((id) => finishedFromTail(journalFile(ws, id))));
    const resumable = new Set((await byFullRead(ws)).map((r) => r.runId));
    runs.forEach((id, i) => assert.equal(tails[i] === true, !resumable.has(id), id));
    // A review decision journaled after the run finished does not hide its end.
    const done = runs.find((id) => !resumable.has(id))!;
    fs.appendFileSync(journalFile(ws, done), `${JSON.stringify({ type: 'note', text: 'x'.repeat(100) })}\n`);
    assert.equal(await finishedFromTail(journalFile(ws, done)), true);
    await assert.rejects(findResumable(ws, [done]), /nothing left to do/);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Dataset, DatasetFileError } from '../../../src/run/dataset';
import { JsonlWriter, PathOutsideWorkspaceError, readJsonl, repairTail, resolveInside } from '../../../src/run/jsonl';
import { datasetRecord } from '../../fakes/dataset-record';

const run = promisify(execFile);

const record = (id: string) => datasetRecord(id, { question: 'Q?' });

describe('JSONL files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-jsonl-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('repairs a torn last line from a crash, keeping every earlier line and the torn bytes aside', async () => {
    const f = path.join(dir, 'd.jsonl');
    fs.writeFileSync(f, '{"id":"1"}\n{"id":"2"}\n{"id":"3","quest');
    const r = await repairTail(f, 50);
    assert.equal(r.tornBytes, '{"id":"3","quest'.length);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"id":"1"}\n{"id":"2"}\n');
    assert.equal(fs.readFileSync(`${f}.torn`, 'utf8'), '{"id":"3","quest\n');
  });

  it('completes a whole last line that only lacks its newline', async () => {
    const f = path.join(dir, 'd.jsonl');
    fs.writeFileSync(f, '{"id":"1"}\n{"id":"2"}');
    assert.equal((await repairTail(f, 50)).tornBytes, 0);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"id":"1"}\n{"id":"2"}\n');
  });

  it('does not cut a line another writer is still writing: a fresh unfinished tail is left to complete', async () => {
    const f = path.join(dir, 'd.jsonl');
    fs.writeFileSync(f, '{"id":"1"}\n{"id":"2","que');
    const repair = repairTail(f, 300);
    await new Promise((r) => setTimeout(r, 100));
    fs.appendFileSync(f, 'stion":"done"}\n');
    assert.equal((await repair).tornBytes, 0);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"id":"1"}\n{"id":"2","question":"done"}\n');
  });

  it('appends from two processes at once without losing or interleaving a line', async () => {
    const f = path.join(dir, 'd.jsonl');
    const script = `const { JsonlWriter } = require(${JSON.stringify(path.resolve('src/run/jsonl.ts'))});
      (async () => { const w = new JsonlWriter(process.argv[1], false); const pad = 'x'.repeat(5000);
        await Promise.all(Array.from({ length: 300 }, (_, i) => w.append({ who: process.argv[2], i, pad }))); await w.close(); })();`;
    await Promise.all(['a', 'b'].map((who) => run(process.execPath, ['--require', 'tsx/cjs', '-e', script, f, who])));
    const { values, badLines } = await readJsonl(f);
    assert.deepEqual(badLines, []);
    assert.equal(values.length, 600);
    for (const who of ['a', 'b']) {
      const mine = values
        .filter((v) => (v as { who: string }).who === who)
        .map((v) => (v as { i: number }).i)
        .sort((x, y) => x - y);
      assert.deepEqual(
        mine,
        Array.from({ length: 300 }, (_, i) => i),
      );
    }
  });

  it('writes to the file at its path: one removed or replaced meanwhile is written anew, not the old open file', async () => {
    const f = path.join(dir, 'j.jsonl');
    const w = new JsonlWriter(f, false);
    await w.append({ i: 1 });
    fs.rmSync(f);
    await w.append({ i: 2 });
    assert.equal(fs.readFileSync(f, 'utf8'), '{"i":2}\n', 'a removed file is created again');
    // Replaced by a rename, as an editor saving the file does.
    fs.writeFileSync(`${f}.new`, '{"i":0}\n');
    fs.renameSync(`${f}.new`, f);
    await w.append({ i: 3 });
    await w.append({ i: 4 });
    await w.close();
    assert.equal(fs.readFileSync(f, 'utf8'), '{"i":0}\n{"i":3}\n{"i":4}\n');
  });

  it('keeps writing in order when appends are not awaited', async () => {
    const w = new JsonlWriter(path.join(dir, 'sub', 'j.jsonl'), false);
    const done = Array.from({ length: 50 }, (_, i) => w.append({ i }));
    await Promise.all(done);
    await w.close();
    const { values } = await readJsonl(w.file);
    assert.deepEqual(
      values.map((v) => (v as { i: number }).i),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('writes each dataset item once, by id, and validates it', async () => {
    const d = new Dataset(path.join(dir, 'data.jsonl'));
    assert.equal(await d.append(record('r:1')), true);
    assert.equal(await d.append(record('r:1')), false);
    const again = new Dataset(d.file);
    assert.equal(await again.append(record('r:1')), false, 'ids already in the file count');
    assert.equal(await again.append(record('r:2')), true);
    assert.equal((await readJsonl(d.file)).values.length, 2);
    await assert.rejects(again.append({ ...record('r:3'), question: '' }));
  });

  it('refuses a dataset file that is not JSONL and leaves it untouched', async () => {
    const f = path.join(dir, 'notes.jsonl');
    fs.writeFileSync(f, '{"id":"a"}\nprose here\n');
    await assert.rejects(new Dataset(f).open(), DatasetFileError);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"id":"a"}\nprose here\n');
  });

  it('keeps paths inside the workspace: no .., no absolute paths, no symlinked way out', async () => {
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    assert.equal(await resolveInside(ws, '.autodata/dataset.jsonl'), path.join(fs.realpathSync(ws), '.autodata', 'dataset.jsonl'));
    await assert.rejects(resolveInside(ws, '../x.jsonl'), PathOutsideWorkspaceError);
    await assert.rejects(resolveInside(ws, 'a/../../x.jsonl'), PathOutsideWorkspaceError);
    await assert.rejects(resolveInside(ws, '/etc/passwd'), PathOutsideWorkspaceError);
    await assert.rejects(resolveInside(ws, ''), PathOutsideWorkspaceError);
    fs.symlinkSync(dir, path.join(ws, 'link'));
    await assert.rejects(resolveInside(ws, 'link/x.jsonl'), PathOutsideWorkspaceError);
  });
});

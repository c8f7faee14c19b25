// The workspace boundary with real symlinks, FIFOs and folders: nothing outside the workspace is read or written, and
// nothing blocks on a FIFO.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetFileError } from '../../../src/run/dataset';
import { exportDataset } from '../../../src/run/export';
import { listRuns, readJournal } from '../../../src/run/journal';
import { PathOutsideWorkspaceError } from '../../../src/run/jsonl';
import { loadPrompts } from '../../../src/run/prompt-files';
import { keepLearnedEndpoints, learnedEndpointsFile } from '../../../src/run/learned-endpoints';
import { endpointProfiles } from '../../../src/core/endpoints/profiles';
import { readRecipe, writeRecipe } from '../../../src/run/recipe-file';
import { findResumable, readRunDocument } from '../../../src/run/resumable';
import { extractPdf, readText, SourceError } from '../../../src/run/sources';
import { openWorkspace } from '../../../src/run/workspace';
import { NotAFileError } from '../../../src/run/workspace-boundary';
import { startScriptedServer, type ScriptedServer } from '../../fakes/openai-server';
import { MODELS, scriptRoles } from '../../fakes/scripted-roles';
import { record } from './fs-faults';
import { documentOf, startRun } from './run-harness';

/** Fails if `p` has not settled within `ms`: a FIFO opened for reading or writing would hang here. */
function soon<T>(p: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms))]);
}
const mkfifo = (file: string) => execFileSync('mkfifo', [file]);

describe('workspace boundary', function () {
  this.timeout(30_000);
  let root: string;
  let ws: string;
  let outside: string;
  let server: ScriptedServer | undefined;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-boundary-'));
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    fs.mkdirSync(path.join(ws, '.autodata'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret\n');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('neither reads nor overwrites a learned-endpoints file that links out of the workspace', async () => {
    const target = path.join(outside, 'secret.txt');
    fs.symlinkSync(target, learnedEndpointsFile(ws));
    const keeper = await keepLearnedEndpoints(ws);
    try {
      endpointProfiles.learn('http://127.0.0.1:9/v1', 'boundary-model', { n: 'ignored' }, 'ignores n');
      await keeper.flush();
    } finally {
      keeper.stop();
    }
    assert.equal(fs.readFileSync(target, 'utf8'), 'outside secret\n', 'the outside file is untouched');
    assert.equal(fs.lstatSync(learnedEndpointsFile(ws)).isSymbolicLink(), true);
  });

  it('refuses a dataset file that is a symlink to a file outside, and writes nothing through it', async () => {
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, '.autodata', 'dataset.jsonl'));
    await assert.rejects(openWorkspace(ws, '.autodata/dataset.jsonl'), PathOutsideWorkspaceError);
    // A dangling link to outside too: it would create the file there.
    fs.symlinkSync(path.join(outside, 'new.jsonl'), path.join(ws, 'dangling.jsonl'));
    await assert.rejects(openWorkspace(ws, 'dangling.jsonl'), PathOutsideWorkspaceError);
    assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'outside secret\n');
    assert.equal(fs.existsSync(path.join(outside, 'new.jsonl')), false);
  });

  it('refuses a dataset path that is a FIFO or a folder at once, without blocking', async () => {
    mkfifo(path.join(ws, 'pipe.jsonl'));
    await assert.rejects(soon(openWorkspace(ws, 'pipe.jsonl')), (e: Error) => e instanceof DatasetFileError && /named pipe/.test(e.message));
    fs.mkdirSync(path.join(ws, 'dir.jsonl'));
    await assert.rejects(soon(openWorkspace(ws, 'dir.jsonl')), (e: Error) => e instanceof DatasetFileError && /a folder/.test(e.message));
  });

  it('never reads or writes the recipe, its history or the prompt templates outside the workspace', async () => {
    // .autodata/recipe.md linked to an outside file: not read (so never sent to an endpoint), not overwritten.
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, '.autodata', 'recipe.md'));
    await assert.rejects(readRecipe(ws), PathOutsideWorkspaceError);
    await assert.rejects(writeRecipe(ws, 2, 'recipe text', 'note'), PathOutsideWorkspaceError);
    fs.rmSync(path.join(ws, '.autodata', 'recipe.md'));
    // .autodata/recipes linked to an outside folder: the history copy is refused.
    fs.symlinkSync(outside, path.join(ws, '.autodata', 'recipes'));
    await assert.rejects(writeRecipe(ws, 2, 'recipe text', 'note'), PathOutsideWorkspaceError);
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
    fs.rmSync(path.join(ws, '.autodata', 'recipes'));
    // A prompt template linked to an outside file.
    fs.mkdirSync(path.join(ws, '.autodata', 'prompts'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, '.autodata', 'prompts', 'challenger.md'));
    await assert.rejects(loadPrompts(ws), PathOutsideWorkspaceError);
    fs.rmSync(path.join(ws, '.autodata', 'prompts', 'challenger.md'));
    mkfifo(path.join(ws, '.autodata', 'prompts', 'challenger.md'));
    await assert.rejects(soon(loadPrompts(ws)), /named pipe/);
    fs.rmSync(path.join(ws, '.autodata', 'prompts', 'challenger.md'));
    // A recipe.md that is a FIFO.
    mkfifo(path.join(ws, '.autodata', 'recipe.md'));
    await assert.rejects(soon(readRecipe(ws)), NotAFileError);
    assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'outside secret\n');
  });

  it('refuses a runs folder linked outside: no run starts, no model is called, nothing is written there', async () => {
    fs.symlinkSync(outside, path.join(ws, '.autodata', 'runs'));
    fs.writeFileSync(path.join(ws, 'a.md'), documentOf(2));
    server = await startScriptedServer({ respond: scriptRoles([{ weak: [0.3], strong: [0.9] }]).respond, models: Object.values(MODELS), apiKey: 'test-key' });
    await assert.rejects((await startRun(ws, 'a.md', server.baseURL)).result, PathOutsideWorkspaceError);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
    await assert.rejects(listRuns(ws), PathOutsideWorkspaceError);
    await assert.rejects(readJournal(path.join(ws, '.autodata', 'runs', 'x.jsonl')), PathOutsideWorkspaceError);
  });

  it('reads no journal that is a FIFO, without blocking', async () => {
    fs.mkdirSync(path.join(ws, '.autodata', 'runs'));
    mkfifo(path.join(ws, '.autodata', 'runs', '20260101-000000-aaaa.jsonl'));
    await assert.rejects(soon(readJournal(path.join(ws, '.autodata', 'runs', '20260101-000000-aaaa.jsonl'))), NotAFileError);
    await assert.rejects(soon(findResumable(ws)), NotAFileError);
  });

  it('sources: a FIFO, a folder and text that is not UTF-8 are refused; UTF-8 and UTF-16 byte-order marks are honoured', async () => {
    mkfifo(path.join(ws, 'doc.md'));
    await assert.rejects(soon(readText(path.join(ws, 'doc.md'))), (e: Error) => e instanceof SourceError && /named pipe/.test(e.message));
    await assert.rejects(soon(readText(ws)), (e: Error) => e instanceof SourceError && /folder/.test(e.message));
    mkfifo(path.join(ws, 'paper.pdf'));
    await assert.rejects(soon(extractPdf(ws, path.join(ws, 'paper.pdf'))), (e: Error) => e instanceof SourceError && /named pipe/.test(e.message));
    // Latin-1: "café" with é as 0xe9.
    fs.writeFileSync(path.join(ws, 'latin1.md'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await assert.rejects(readText(path.join(ws, 'latin1.md')), (e: Error) => e instanceof SourceError && /not UTF-8 \(byte 3 is 0xe9\)/.test(e.message));
    fs.writeFileSync(path.join(ws, 'bom.md'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('café\n', 'utf8')]));
    assert.equal(await readText(path.join(ws, 'bom.md')), 'café\n');
    fs.writeFileSync(path.join(ws, 'utf16.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('café ✓\n', 'utf16le')]));
    assert.equal(await readText(path.join(ws, 'utf16.md')), 'café ✓\n');
  });

  it('a resumed run whose recorded document became a link to outside is refused before the file is read', async () => {
    fs.writeFileSync(path.join(ws, 'a.md'), documentOf(2));
    server = await startScriptedServer({
      respond: scriptRoles([{ weak: [0.3, 0.4], strong: [0.9, 0.8] }]).respond,
      models: Object.values(MODELS),
      apiKey: 'test-key',
    });
    let stop = () => {};
    const started = await startRun(ws, 'a.md', server.baseURL, { event: (e) => e.type === 'challenge' && stop() });
    stop = () => started.run.stop();
    await started.result;
    fs.copyFileSync(path.join(ws, 'a.md'), path.join(outside, 'a.md'));
    fs.rmSync(path.join(ws, 'a.md'));
    fs.symlinkSync(path.join(outside, 'a.md'), path.join(ws, 'a.md'));
    const [r] = await findResumable(ws);
    let read = false;
    await assert.rejects(
      readRunDocument(ws, r, async () => {
        read = true;
        return '';
      }),
      PathOutsideWorkspaceError,
    );
    assert.equal(read, false);
  });

  it('exports: an output under the workspace that leads outside through a link, or that is a FIFO, is refused', async () => {
    const dataset = path.join(ws, '.autodata', 'dataset.jsonl');
    fs.writeFileSync(dataset, `${JSON.stringify(record('r:1'))}\n`);
    fs.symlinkSync(outside, path.join(ws, '.autodata', 'exports'));
    await assert.rejects(
      exportDataset({ datasetFile: dataset, format: 'sft', out: path.join(ws, '.autodata', 'exports', 'x.jsonl') }),
      PathOutsideWorkspaceError,
    );
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
    mkfifo(path.join(ws, 'out.jsonl'));
    await assert.rejects(soon(exportDataset({ datasetFile: dataset, format: 'sft', out: path.join(ws, 'out.jsonl') })), /named pipe/);
    // A dataset linked outside is not read for an export either.
    fs.rmSync(dataset);
    fs.symlinkSync(path.join(outside, 'secret.txt'), dataset);
    await assert.rejects(exportDataset({ datasetFile: dataset, format: 'sft', out: path.join(ws, 'ok.jsonl') }), PathOutsideWorkspaceError);
  });
});

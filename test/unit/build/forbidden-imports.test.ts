// The layers hold: a forbidden import fails the build (naming the file and the import), the linter marks it (type-only
// imports too), and each layer's type-check has only its own globals (no Node in the panel, no DOM in the engine) and no
// editor API outside the host. Fixture trees are built in a temp dir and checked with the repository's own rules.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { ESLint } from 'eslint';
import { layerRules } from '../../../build/layers.mjs';

const repo = path.resolve(__dirname, '../../..');

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-layers-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Bundles the entry points as `npm run build` does (same plugin, the real rule table, without the known edges). */
async function bundle(root: string, entryPoints: string[], platform: 'node' | 'browser'): Promise<esbuild.Message[]> {
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints,
      outdir: path.join(root, 'out'),
      bundle: true,
      write: false,
      platform,
      logLevel: 'silent',
      logLimit: 0,
      // Packages are external: the fixture has no node_modules, and the rule is about the import, not the package.
      external: ['vscode', 'zod', 'openai', 'pdfjs-dist', '@vscode/webview-ui-toolkit'],
      plugins: [layerRules({ root })],
    });
    return [];
  } catch (e) {
    return (e as esbuild.BuildFailure).errors;
  }
}

/** Type-checks `files` in a temp project extending one of the repository's layer projects; resolves to tsc's output. */
function typecheck(project: string, files: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = tree({
    ...files,
    'tsconfig.json': JSON.stringify({
      extends: path.join(repo, project),
      // typeRoots: a temp dir has no node_modules of its own.
      compilerOptions: {
        composite: false,
        emitDeclarationOnly: false,
        noEmit: true,
        tsBuildInfoFile: './tsbuildinfo',
        typeRoots: [path.join(repo, 'node_modules/@types')],
      },
      files: Object.keys(files),
      include: [],
    }),
  });
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir });
    let output = '';
    p.stdout.on('data', (d) => {
      output += d;
    });
    p.stderr.on('data', (d) => {
      output += d;
    });
    p.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? 1, output });
    });
  });
}

describe('layer rules', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  const clean = {
    'src/shared/schemas.ts': "import { z } from 'zod';\nexport const Item = z.object({ q: z.string() });\n",
    'src/protocol.ts': "import { Item } from './shared/schemas';\nexport const Message = Item;\n",
    'src/core/engine.ts':
      "import * as path from 'node:path';\nimport OpenAI from 'openai';\nimport { Item } from '../shared/schemas';\nexport const run = () => [path.sep, OpenAI, Item];\n",
    'src/run/pipeline.ts':
      "import { readFile } from 'node:fs/promises';\nimport { run } from '../core/engine';\nexport const start = () => [readFile, run()];\n",
    'src/cli/main.ts': "import { start } from '../run/pipeline';\nimport { run } from '../core/engine';\nexport const main = () => [start(), run()];\n",
    'src/host/commands.ts':
      "import * as vscode from 'vscode';\nimport { start } from '../run/pipeline';\nimport { Message } from '../protocol';\nexport const go = () => [vscode.window, start(), Message];\n",
    'src/extension.ts': "import { go } from './host/commands';\nexport function activate() { return go(); }\n",
    'webview/main.ts':
      "import { provideVSCodeDesignSystem } from '@vscode/webview-ui-toolkit';\nimport { Message } from '../src/protocol';\nimport { Item } from '../src/shared/schemas';\nimport { view } from './view';\nexport const ui = [provideVSCodeDesignSystem, Message, Item, view];\n",
    'webview/view.ts': 'export const view = () => document.title;\n',
  };

  it('lets a tree that keeps to its layers build', async () => {
    const root = tree(clean);
    dirs.push(root);
    assert.deepEqual(await bundle(root, ['src/extension.ts', 'src/cli/main.ts'], 'node'), []);
    assert.deepEqual(await bundle(root, ['webview/main.ts'], 'browser'), []);
  });

  it('fails the build on every forbidden import, naming the file, its line and the import', async () => {
    const root = tree({
      ...clean,
      // The engine reaches for the editor.
      'src/core/engine.ts': "import * as vscode from 'vscode';\nexport const run = () => vscode.window;\n",
      // The CLI reaches into the host (a workspace file that belongs in the run layer).
      'src/cli/main.ts': "import { run } from '../core/engine';\nimport { Dataset } from '../host/dataset';\nexport const main = () => [run(), Dataset];\n",
      'src/host/dataset.ts': 'export class Dataset {}\n',
      // The host reaches into the CLI.
      'src/host/commands.ts': "import { main } from '../cli/main';\nexport const go = () => main();\n",
    });
    dirs.push(root);
    const errors = await bundle(root, ['src/extension.ts', 'src/cli/main.ts'], 'node');
    const found = errors.map((e) => `${e.location?.file}:${e.location?.line} ${e.text}`).sort();
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(
      found[0],
      /^src\/cli\/main\.ts:2 forbidden import: src\/cli\/main\.ts imports '\.\.\/host\/dataset' \(src\/host\/dataset\): the cli layer may import only /,
    );
    assert.match(found[1], /^src\/core\/engine\.ts:1 forbidden import: src\/core\/engine\.ts imports 'vscode': the core layer may import only /);
    assert.match(
      found[2],
      /^src\/host\/commands\.ts:1 forbidden import: src\/host\/commands\.ts imports '\.\.\/cli\/main' \(src\/cli\/main\): the host layer may import anything but src\/cli\/, webview\//,
    );
  });

  it('fails the panel build on a Node builtin, the editor API or the engine', async () => {
    const root = tree({
      ...clean,
      'webview/view.ts':
        "import { readFileSync } from 'node:fs';\nimport * as path from 'path';\nimport * as vscode from 'vscode';\nimport { run } from '../src/core/engine';\n" +
        'export const view = () => [readFileSync, path.sep, vscode.window, run];\n',
    });
    dirs.push(root);
    const found = (await bundle(root, ['webview/main.ts'], 'browser')).map((e) => `${e.location?.file}:${e.location?.line} ${e.text}`);
    assert.deepEqual(
      found.map((f) => f.replace(/: the webview layer may import only .*/, '')),
      [
        "webview/view.ts:1 forbidden import: webview/view.ts imports 'node:fs' (a Node builtin)",
        "webview/view.ts:2 forbidden import: webview/view.ts imports 'path' (a Node builtin)",
        "webview/view.ts:3 forbidden import: webview/view.ts imports 'vscode'",
        "webview/view.ts:4 forbidden import: webview/view.ts imports '../src/core/engine' (src/core/engine)",
      ],
    );
  });

  it('marks forbidden imports in the linter, type-only ones and import types included', async () => {
    const eslint = new ESLint({ cwd: repo });
    const lint = async (rel: string, code: string) =>
      (await eslint.lintText(code, { filePath: path.join(repo, rel) }))[0].messages
        .filter((m) => m.ruleId === 'layers/imports')
        .map((m) => `${m.line}: ${m.message.replace(/: the \w+ layer may .*/, '')}`);
    assert.deepEqual(
      await lint(
        'src/core/fixture.ts',
        "import type { Uri } from 'vscode';\nimport { z } from 'zod';\nexport type U = Uri | typeof z | import('../host/session').Session;\n",
      ),
      ["1: Forbidden import: src/core/fixture.ts imports 'vscode'", "3: Forbidden import: src/core/fixture.ts imports '../host/session' (src/host/session)"],
    );
    assert.deepEqual(
      await lint(
        'webview/fixture.ts',
        "import type { Stats } from 'node:fs';\nimport { Message } from '../src/protocol';\nexport type S = Stats | typeof Message;\n",
      ),
      ["1: Forbidden import: webview/fixture.ts imports 'node:fs' (a Node builtin)"],
    );
  });

  it('gives the panel no Node globals, the engine no DOM, and neither the editor API, in the type-check', async () => {
    const [webview, engine] = await Promise.all([
      typecheck('tsconfig.webview.json', {
        'webview/bad.ts': "export const home = process.env.HOME;\nexport const fs = require('fs');\nexport type U = import('vscode').Uri;\n",
        'webview/good.ts': 'export const title: string = document.title;\n',
      }),
      typecheck('tsconfig.engine.json', {
        'src/core/bad.ts': "import type { Uri } from 'vscode';\nexport type U = Uri;\nexport const title = document.title;\n",
        'src/core/good.ts': "export const home = process.env.HOME;\nexport const fs: typeof import('node:fs') = require('node:fs');\n",
      }),
    ]);
    // Each error as "file(line,col) TSnnnn what": the name TypeScript could not find, or the import that is no module.
    const errors = (out: string) =>
      out
        .split('\n')
        .filter((l) => l.includes('error TS'))
        .map((l) =>
          l
            .replace(/^(\S+?\.ts\(\d+,\d+\)): error (TS\d+): Cannot find name '(\w+)'.*/, '$1 $2 $3')
            .replace(/^(\S+?\.ts\(\d+,\d+\)): error (TS\d+): File '.*\/([\w.]+)' is not a module.*/, '$1 $2 $3 is not a module'),
        );
    assert.notEqual(webview.code, 0);
    assert.deepEqual(
      errors(webview.output),
      ['webview/bad.ts(1,21) TS2591 process', 'webview/bad.ts(2,19) TS2591 require', 'webview/bad.ts(3,24) TS2306 vscode.d.ts is not a module'],
      webview.output,
    );
    assert.notEqual(engine.code, 0);
    assert.deepEqual(
      errors(engine.output),
      ['src/core/bad.ts(1,26) TS2306 vscode.d.ts is not a module', 'src/core/bad.ts(3,22) TS2584 document'],
      engine.output,
    );
  });
});

// Bundles the extension (Node, CJS, `vscode` external), the webview (browser) and the VS Code test suite.
import * as esbuild from 'esbuild';
import { layerRules } from './build/layers.mjs';

const watch = process.argv.includes('--watch');
// Every bundle checks its imports against the layer rules (build/layers.mjs); logLimit 0 lists every forbidden import.
const common = { bundle: true, sourcemap: true, logLevel: 'warning', logLimit: 0, legalComments: 'none', plugins: [layerRules({ root: import.meta.dirname })] };
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'pdfjs-dist'] };
const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'out/extension.js', minify: !watch },
  // The headless CLI: the same engine outside VS Code (bin/autodata.js).
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'out/cli.js', minify: !watch },
  // The near-duplicate index's worker thread, started by both bundles from beside them (src/run/index-worker-client.ts).
  { ...node, entryPoints: ['src/run/index-worker.ts'], outfile: 'out/index-worker.js', minify: !watch },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'out/webview/main.js', minify: !watch },
  // The integration suite runs inside the extension host; mocha stays external so VS Code's test loader can require it.
  { ...node, entryPoints: ['test/integration/index.ts'], outfile: 'out/test/integration/index.js', external: ['vscode', 'mocha', 'pdfjs-dist'] },
  // The suite runs the CLI in its own bundle, which starts the index worker from beside it too.
  { ...node, entryPoints: ['src/run/index-worker.ts'], outfile: 'out/test/integration/index-worker.js' },
];

// pdfjs stays an ES module next to the bundle (see src/run/pdf-text.ts): minified copies, not bundled into the CJS.
const pdfjsBuilds = ['pdf.mjs', 'pdf.worker.mjs'].map((f) => ({
  entryPoints: [`node_modules/pdfjs-dist/legacy/build/${f}`],
  outfile: `out/pdfjs/${f}`,
  bundle: false,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'error',
  legalComments: 'none',
}));
builds.push(...pdfjsBuilds);

if (watch) {
  for (const b of builds) {
    await (await esbuild.context(b)).watch();
  }
  console.log('watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log('build ok');
}

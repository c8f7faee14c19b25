// The layer rules (which imports each part of the source may make) and the esbuild plugin that fails the build on any other.
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const NODE = 'node builtins';

/**
 * @typedef {object} Layer
 * @property {string[]} files the folders (ending in `/`) and files the layer holds
 * @property {string[]} [may] what its files may import, besides the layer's own files
 * @property {string[]} [mayNot] what its files may not import (everything else is allowed)
 */

/**
 * Each layer, by the files it holds (a folder ending in `/`, or one file), and what those files may import: source
 * folders or files, package names and Node's builtins (`NODE`). `mayNot` instead lists what a layer may not import
 * (everything else is allowed). A file's own layer is always allowed.
 * @type {Record<string, Layer>}
 */
export const LAYERS = {
  shared: { files: ['src/shared/'], may: ['zod'] },
  protocol: { files: ['src/protocol.ts'], may: ['src/shared/', 'zod'] },
  core: { files: ['src/core/'], may: ['src/shared/', 'zod', 'openai', NODE] },
  run: { files: ['src/run/'], may: ['src/core/', 'src/shared/', 'zod', 'openai', 'pdfjs-dist', NODE] },
  cli: {
    files: ['src/cli/'],
    may: ['src/run/', 'src/core/', 'src/shared/', 'zod', NODE],
  },
  host: {
    files: ['src/host/', 'src/extension.ts'],
    mayNot: ['src/cli/', 'webview/'],
  },
  webview: { files: ['webview/'], may: ['src/protocol.ts', 'src/shared/', 'zod', '@vscode/webview-ui-toolkit'] },
};

const CODE_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** @param {string} spec */
const isRelative = (spec) => spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec);
/** @param {string} spec */
const isBuiltin = (spec) => spec.startsWith('node:') || builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]);
/** @param {string} spec */
const packageName = (spec) => (spec.startsWith('@') ? spec.split('/', 2).join('/') : spec.split('/', 1)[0]);
/** @param {string} entry */
const isSourceEntry = (entry) => entry.endsWith('/') || CODE_EXT.test(entry);
/** @param {string} p */
const toPosix = (p) => p.split(path.sep).join('/');

/**
 * Whether a repository path (posix, extension optional) falls under a folder entry (`x/`) or is a file entry (`x.ts`).
 * @param {string} rel
 * @param {string} entry
 */
function under(rel, entry) {
  if (entry.endsWith('/')) {
    return rel.startsWith(entry);
  }
  const base = entry.replace(CODE_EXT, '');
  return rel.replace(CODE_EXT, '') === base || rel.replace(CODE_EXT, '') === `${base}/index`;
}

/**
 * The layer holding a repository path, or undefined for files outside every layer (tests, packages, build scripts).
 * @param {string} rel
 * @param {Record<string, Layer>} [layers]
 */
export function layerOf(rel, layers = LAYERS) {
  return Object.entries(layers).find(([, l]) => l.files.some((f) => under(rel, f)))?.[0];
}

/**
 * Checks one import. `importer` is the importing file's absolute path, `spec` the import as written. Returns undefined
 * when allowed, else a sentence naming the file, the import and the rule.
 * @param {{ root: string, importer: string, spec: string, layers?: Record<string, Layer> }} args
 * @returns {string | undefined}
 */
export function checkImport({ root, importer, spec, layers = LAYERS }) {
  const from = toPosix(path.relative(root, importer));
  const name = layerOf(from, layers);
  if (!name) {
    return undefined;
  }
  const layer = layers[name];
  /** @type {'source' | 'package' | typeof NODE} which rule entries can match */
  let kind;
  let target = ''; // the repository path or package name matched against the entries
  let shown; // how the import is named in the message
  if (isRelative(spec)) {
    kind = 'source';
    target = toPosix(path.relative(root, path.resolve(path.dirname(importer), spec)));
    if (layer.files.some((f) => under(target, f))) {
      return undefined;
    }
    shown = `'${spec}' (${target})`;
  } else if (isBuiltin(spec)) {
    kind = NODE;
    shown = `'${spec}' (a Node builtin)`;
  } else {
    kind = 'package';
    target = packageName(spec);
    shown = `'${spec}'`;
  }
  const matches = (/** @type {string} */ entry) =>
    entry === NODE ? kind === NODE : isSourceEntry(entry) ? kind === 'source' && under(target, entry) : kind === 'package' && target === entry;
  const allowed = layer.mayNot ? !layer.mayNot.some(matches) : (layer.may ?? []).some(matches);
  if (allowed) {
    return undefined;
  }
  const rule = layer.mayNot ? `may import anything but ${layer.mayNot.join(', ')}` : `may import only ${[...layer.files, ...(layer.may ?? [])].join(', ')}`;
  return `${from} imports ${shown}: the ${name} layer ${rule}`;
}

/**
 * The esbuild plugin: every import of a bundled file is checked; each forbidden one is a build error at its line.
 * Type-only and unused imports never reach a bundle: the lint rule `layers/imports` (eslint.config.mjs) covers those.
 * @param {{ root: string, layers?: Record<string, Layer> }} options
 * @returns {import('esbuild').Plugin}
 */
export function layerRules({ root, layers = LAYERS }) {
  return {
    name: 'layer-rules',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.importer || args.kind === 'entry-point') {
          return undefined;
        }
        const problem = checkImport({ root, importer: args.importer, spec: args.path, layers });
        return problem ? { errors: [{ text: `forbidden import: ${problem}` }] } : undefined;
      });
    },
  };
}

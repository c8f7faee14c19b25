// Lint rules: the recommended JavaScript and typescript-eslint sets tuned to this codebase, the layer rules of
// build/layers.mjs as a lint rule (so an editor marks a forbidden import, type-only ones too), formatting left to Prettier.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { checkImport } from './build/layers.mjs';

const root = import.meta.dirname;

/** `layers/imports`: every import, export-from, `import()`, `require()` and `import('x')` type checked against the layer table. */
const layerImports = {
  meta: { type: 'problem', docs: { description: "Imports only what the file's layer may import (build/layers.mjs)." }, schema: [] },
  create(context) {
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') {
        return;
      }
      const problem = checkImport({ root, importer: context.filename, spec: source.value });
      if (problem) {
        context.report({ node: source, message: `Forbidden import: ${problem}.` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.literal),
      TSExternalModuleReference: (node) => check(node.expression),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          check(node.arguments[0]);
        }
      },
    };
  },
};

export default defineConfig(
  { ignores: ['out/', 'node_modules/', '.vscode-test/', '.autodata-scratch/', 'test/vscode-server/', 'test/bench/results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a parameter or binding kept for its position (`(_s, _m) =>`, `for (const _ of it)`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Command handlers take `...args: any[]`, as VS Code's own signature does.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      // The panel's CSP allows no eval; the extension and the CLI have no use for it either.
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  // CommonJS scripts (runners, UI checks, benchmarks, the bin): `require` is how they import, and a module-level
  // `const crypto = require('crypto')` shadows no global.
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  // UI checks and panel benchmarks run callbacks inside the page.
  { files: ['test/ui/*.js', 'test/bench/*.js'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // Tests load some modules lazily (by computed path, or after mocha's globals exist) and match terminal escapes.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off', 'no-control-regex': 'off' } },
  { plugins: { layers: { rules: { imports: layerImports } } }, rules: { 'layers/imports': 'error' } },
  prettier,
);

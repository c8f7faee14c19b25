#!/usr/bin/env node
// `npm test`: every test suite, one summary. Steps: build (npm run build); the static checks (npm run typecheck, lint,
// format:check; one test each); unit tests (mocha, .mocharc.json); install the VS Code server if missing; the
// integration suite in VS Code (run-server-tests.js); every test/ui/*.check.js through the UI runner (one test each).
// Ends with `N pending` and, as its very last line, `N passed, N failed`; exits non-zero if anything failed. A suite
// that crashes (or reports nothing) counts as at least one failure; a step that cannot run because an earlier one
// failed (build, server install) is listed as not run.
// Step timings go to stderr. AUTODATA_TEST_GREP is passed through to the integration suite.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { root } = require('./lib/vscode-server');
const { ensureVscodeServer } = require('./install-vscode-server');
const { ensureDebianPackages } = require('./debian-packages');

/** @typedef {{ passed?: number, failed?: number, pending?: number, note?: string }} Counts */

/** @type {{ name: string, passed: number, failed: number, pending: number, note: string, seconds: number }[]} */
const rows = [];
const totals = { passed: 0, failed: 0, pending: 0 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-test-all-'));

/**
 * @param {string} name
 * @param {Counts} counts
 * @param {number} seconds
 */
function record(name, { passed = 0, failed = 0, pending = 0, note = '' }, seconds) {
  totals.passed += passed;
  totals.failed += failed;
  totals.pending += pending;
  rows.push({ name, passed, failed, pending, note, seconds });
  console.error(`[time] ${name}: ${seconds.toFixed(1)}s`);
}

/**
 * Runs a command with inherited stdio (or teed, when `capture`), resolving to { code, output }.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, capture?: boolean }} [options]
 * @returns {Promise<{ code: number, output: string }>}
 */
function run(cmd, args, { env = {}, capture = false } = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (p.stdout && p.stderr) {
      p.stdout.on('data', (d) => {
        output += d;
        process.stdout.write(d);
      });
      p.stderr.on('data', (d) => {
        output += d;
        process.stderr.write(d);
      });
    }
    p.on('error', (e) => resolve({ code: 127, output: String(e) }));
    p.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), output }));
  });
}

/**
 * @param {string} file
 * @returns {Counts[]}
 */
function readResults(file) {
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/**
 * Sums result lines; a non-zero exit without failures, or no result at all, is a crash (one failure).
 * @param {Counts[]} results
 * @param {number} code
 * @returns {Counts}
 */
function summarize(results, code) {
  const zero = { passed: 0, failed: 0, pending: 0 };
  const r = results.reduce((a, x) => ({ passed: a.passed + (x.passed || 0), failed: a.failed + (x.failed || 0), pending: a.pending + (x.pending || 0) }), zero);
  if (!results.length) {
    return { ...r, failed: r.failed + 1, note: `crashed (exit ${code}, no results)` };
  }
  if (code !== 0 && r.failed === 0) {
    return { ...r, failed: 1, note: `crashed (exit ${code})` };
  }
  return r;
}

const banner = (/** @type {string} */ s) => console.log(`\n=== ${s} ${'='.repeat(Math.max(3, 70 - s.length))}`);

async function main() {
  const t0 = Date.now();
  let t = Date.now();
  const since = () => {
    const s = (Date.now() - t) / 1000;
    t = Date.now();
    return s;
  };

  banner('build');
  const build = await run('npm', ['run', 'build']);
  const buildOk = build.code === 0;
  record('build', buildOk ? {} : { failed: 1, note: `npm run build failed (exit ${build.code})` }, since());

  // Each static check is one test: it passes or fails as a whole, and a failure is counted like a failed test.
  for (const script of ['typecheck', 'lint', 'format:check']) {
    banner(script);
    const c = await run('npm', ['run', '--silent', script]);
    record(script, c.code === 0 ? { passed: 1 } : { failed: 1, note: `npm run ${script} failed (exit ${c.code})` }, since());
  }

  banner('unit tests (mocha)');
  if (!fs.existsSync(path.join(root, '.mocharc.json'))) {
    record('unit', { failed: 1, note: '.mocharc.json missing' }, since());
  } else {
    const file = path.join(tmp, 'unit.jsonl');
    const u = await run('npx', ['--no', '--', 'mocha', '--config', '.mocharc.json', '--reporter', path.join(__dirname, 'mocha-count-reporter.js')], {
      env: { AUTODATA_RESULTS_FILE: file, AUTODATA_SUITE_NAME: 'unit' },
      capture: true,
    });
    const results = readResults(file);
    if (!results.length && /No test files found/.test(u.output)) {
      record('unit', { note: 'no unit test files' }, since());
    } else {
      record('unit', summarize(results, u.code), since());
    }
  }

  banner('soak (500 attempts, 10% injected faults)');
  const soak = await run('npm', ['run', '--silent', 'soak'], { env: { AUTODATA_SOAK_NO_WRITE: '1' } });
  record('soak', soak.code === 0 ? { passed: 1 } : { failed: 1, note: `exit ${soak.code}` }, since());

  banner('VS Code server');
  let serverOk = false;
  try {
    const inst = await ensureVscodeServer();
    // The workbench runs in Debian's Chromium (playwright-core drives it; no browser download).
    ensureDebianPackages(['chromium']);
    serverOk = true;
    record('vscode-server install', { note: inst.installed ? 'installed' : 'already installed' }, since());
  } catch (e) {
    record('vscode-server install', { failed: 1, note: `install failed: ${e instanceof Error ? e.message : e}` }, since());
  }

  const checks = fs.existsSync(path.join(root, 'test/ui'))
    ? fs
        .readdirSync(path.join(root, 'test/ui'))
        .filter((f) => f.endsWith('.check.js'))
        .sort()
    : [];
  const why = !buildOk ? 'not run: build failed' : 'not run: no VS Code server';

  // The built panel in Chromium, driven like a person would (each check prints "ok   <name>" or "FAIL <name>: why").
  banner('panel interactions in Chromium');
  if (buildOk && serverOk) {
    const p = await run(process.execPath, [path.join(root, 'test/bench/panel-render.interactions.js')], { capture: true });
    const passed = (p.output.match(/^ok {3}/gm) ?? []).length;
    const failed = (p.output.match(/^FAIL /gm) ?? []).length;
    record(
      'panel interactions',
      { passed, failed: failed || (p.code !== 0 || passed === 0 ? 1 : 0), note: p.code !== 0 && !failed ? `exit ${p.code}` : '' },
      since(),
    );
  } else {
    record('panel interactions', { note: why }, since());
  }

  banner('integration suite in VS Code');
  if (buildOk && serverOk) {
    const file = path.join(tmp, 'vscode.jsonl');
    const v = await run(process.execPath, [path.join(__dirname, 'run-server-tests.js')], { env: { AUTODATA_RESULTS_FILE: file } });
    record('vscode', summarize(readResults(file), v.code), since());
  } else {
    record('vscode', { note: why }, since());
  }

  for (const check of checks) {
    banner(`UI check ${check}`);
    if (buildOk && serverOk) {
      const c = await run(process.execPath, [path.join(__dirname, 'run-server-tests.js'), '--ui', path.join(root, 'test/ui', check)]);
      record(`ui:${check}`, c.code === 0 ? { passed: 1 } : { failed: 1, note: `exit ${c.code}` }, since());
    } else {
      record(`ui:${check}`, { note: why }, since());
    }
  }

  fs.rmSync(tmp, { recursive: true, force: true });
  console.error(`[time] total: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  banner('summary');
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const counts =
      r.name === 'build' || r.name === 'vscode-server install' ? (r.failed ? 'FAILED' : 'ok') : `${r.passed} passed, ${r.failed} failed, ${r.pending} pending`;
    console.log(`  ${r.name.padEnd(w)}  ${counts}${r.note ? ` (${r.note})` : ''}  [${r.seconds.toFixed(1)}s]`);
  }
  console.log(`${totals.pending} pending`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exitCode = totals.failed > 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(e.stack || e.message);
  console.log(`${totals.pending} pending`);
  console.log(`${totals.passed} passed, ${totals.failed + 1} failed`);
  process.exitCode = 1;
});

#!/usr/bin/env node
// Runs the extension in a real VS Code: the Node extension host of VS Code 1.139.1's server (from npm code-server),
// with the workbench open in Debian's Chromium through playwright-core. Two modes:
//
//   node test/runners/run-server-tests.js                 the mocha suite out/test/integration/index.js (run())
//   node test/runners/run-server-tests.js --ui <check.js> no suite; loads the extension, opens paper.md and calls the
//                                                         check module: async check({ page, workbench, scratch,
//                                                         workspace, screenshot }) (see test/ui/smoke.check.js)
// Options:
//   --theme "<Default Dark Modern|Default Light Modern|…>"  user setting workbench.colorTheme for this run
//   --open <file>      file of the workspace to open at start (default: paper.md with --ui, nothing otherwise)
//   --headed           show Chromium (needs a display)
// Environment:
//   AUTODATA_TEST_GREP       mocha grep for the suite; like every variable of this process it reaches the extension
//                            host, because the server is spawned with this environment and the extension host inherits it
//   AUTODATA_RESULTS_FILE    write the AUTODATA_RESULT lines (JSON after the prefix) to this file
//   KEEP_SCRATCH=1           keep the scratch dir on success too (it is always kept on failure)
//   TEST_TIMEOUT_MS          whole-run timeout (default 1200000 for the suite, 180000 for a UI check)
//   VERBOSE=1                also print the browser console
//   AUTODATA_EXT_DIR, AUTODATA_TESTS_PATH   another extension folder / test module (for debugging the runner)
// Each run works in a fresh scratch dir (os.tmpdir()/autodata-vscode-*): a copy of test/fixtures/workspace, the
// server's and the user's data dirs, the Chromium profile, server.log, workbench logs and screenshots.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const lib = require('./lib/vscode-server');
const { ensureVscodeServer } = require('./install-vscode-server');

/** A mistake in how the runner was called: reported without a stack trace. */
function usage(msg) {
  return Object.assign(new Error(msg), { usage: true });
}

function parseArgs(argv) {
  const o = { ui: undefined, theme: undefined, open: undefined, headed: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--ui') {
      o.ui = value();
    } else if (flag === '--theme') {
      o.theme = value();
    } else if (flag === '--open') {
      o.open = value();
    } else if (flag === '--headed') {
      o.headed = true;
    } else {
      throw usage(`unknown argument ${argv[i]} (see the header of ${path.relative(process.cwd(), __filename)})`);
    }
    if (['--ui', '--theme', '--open'].includes(flag) && !o[flag.slice(2)]) {
      throw usage(`${flag} needs a value`);
    }
  }
  return o;
}

const RESULT = /AUTODATA_RESULT (\{.*\})/;
// Workbench chatter that reaches codeAutomationLog besides the extension host's console (shown with VERBOSE=1).
const NOISE = new RegExp(
  [
    '^Resolving connection token',
    '^Resolved connection token',
    '^Creating a socket',
    '^\\[reconnection-grace-time\\]',
    '^Updating additional builtin extensions cache',
    '^\\[Service Worker\\] registration',
    '^\\[AgentHost',
    '^\\[AccountPolicyGate\\]',
    'ENOTFOUND (open-vsx\\.org|marketplace|update\\.code|main\\.vscode-cdn|default\\.exp-tas)',
  ].join('|'),
);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const extDir = path.resolve(process.env.AUTODATA_EXT_DIR || lib.root);
  const testsPath = path.resolve(extDir, process.env.AUTODATA_TESTS_PATH || 'out/test/integration/index.js');
  const checkFile = opts.ui && path.resolve(opts.ui);
  const label = opts.ui ? `UI check ${path.basename(opts.ui)}` : 'VS Code suite';
  // A check may need longer than the default (`exports.timeoutMs`); TEST_TIMEOUT_MS overrides both.
  const timeoutMs = Number(
    process.env.TEST_TIMEOUT_MS || (opts.ui ? (checkFile && fs.existsSync(checkFile) && require(checkFile).timeoutMs) || 180000 : 1200000),
  );
  if (!fs.existsSync(path.join(extDir, 'out/extension.js'))) {
    throw usage(`${extDir}/out/extension.js missing: run npm run build`);
  }
  if (!opts.ui && !fs.existsSync(testsPath)) {
    throw usage(`${testsPath} missing: run npm run build`);
  }
  if (checkFile && !fs.existsSync(checkFile)) {
    throw usage(`UI check ${checkFile} not found`);
  }
  await ensureVscodeServer({ quiet: true });

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-vscode-'));
  const workspace = lib.copyWorkspace(path.join(scratch, 'workspace'));
  const userDataDir = path.join(scratch, 'user');
  // A check may ask for user settings in place before the workbench starts (`exports.userSettings`). Walkthroughs do not
  // open by themselves in tests unless a check asks for that (the first-use walkthrough would take the editor's focus).
  const checkModule = checkFile ? require(checkFile) : undefined;
  const startSettings = { 'workbench.welcomePage.walkthroughs.openOnInstall': false, ...(checkModule?.userSettings ?? {}) };
  lib.writeUserSettings(userDataDir, { ...startSettings, ...(opts.theme ? { 'workbench.colorTheme': opts.theme } : {}) });
  // Machine-scoped settings (openOnInstall is one, like Autodata's endpoints) are read from the server's Machine file.
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(startSettings, null, 2) + '\n');
  const serverLog = path.join(scratch, 'server.log');
  const results = [];
  const resultsFile = process.env.AUTODATA_RESULTS_FILE;
  const writeResults = () => {
    if (resultsFile) {
      fs.writeFileSync(resultsFile, results.map((r) => JSON.stringify(r) + '\n').join(''));
    }
  };

  // The suite also needs a fixture extension that provides test language models (keyless roles through vscode.lm).
  // The workbench takes one development extension, so the fixture is installed into the server's extensions folder.
  if (!opts.ui) {
    lib.installFixtureExtension(path.join(scratch, 'server'), path.join(lib.root, 'test/fixtures/lm-provider'));
  }
  const server = await lib.startServerWithSecrets({ dataDir: path.join(scratch, 'server'), userDataDir, logFile: serverLog });
  console.log(`VS Code server up at ${server.endpoint.href} in ${((Date.now() - t0) / 1000).toFixed(1)}s (scratch: ${scratch})`);
  // A symlink to the extension when the repo contains the server (see extensionPathFor); tests load through it too.
  const extPath = lib.extensionPathFor(extDir, path.join(scratch, 'extension'));
  const viaLink = (p) => {
    const rel = path.relative(extDir, p);
    return rel.startsWith('..') || path.isAbsolute(rel) ? p : path.join(extPath, rel);
  };
  const openRel = opts.open ?? (opts.ui ? 'paper.md' : undefined);
  const url = lib.workbenchUrl(server.endpoint, {
    folder: workspace,
    // The suite also loads a fixture extension that provides test language models (keyless roles through vscode.lm).
    extensionDevelopmentPath: extPath,
    extensionTestsPath: opts.ui ? undefined : viaLink(testsPath),
    openFile: openRel ? path.join(workspace, openRel) : undefined,
  });
  const ctx = await lib.launchChromium(path.join(scratch, 'chromium'), { headless: !opts.headed }).catch((e) => {
    server.stop();
    throw e;
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());

  let finished = false;
  async function finish(code, msg) {
    if (finished) {
      return;
    }
    finished = true;
    if (msg) {
      console.log(msg);
    }
    if (opts.ui) {
      results.push({ suite: `ui:${path.basename(opts.ui)}`, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
    }
    writeResults();
    await ctx.close().catch(() => {});
    server.stop();
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (code === 0 && !process.env.KEEP_SCRATCH) {
      await new Promise((r) => setTimeout(r, 300)); // let the server's children exit before removing their dirs
      fs.rmSync(scratch, { recursive: true, force: true });
      console.log(`${label} passed in ${secs}s`);
    } else {
      console.log(`${label} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${secs}s; scratch kept: ${scratch}`);
      console.log(`  server log: ${serverLog}`);
      const logs = path.join(scratch, 'user/logs');
      for (const d of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
        const f = path.join(logs, d, 'exthost1/remoteexthost.log');
        if (fs.existsSync(f)) {
          console.log(`  extension host log: ${f}`);
        }
      }
      if (fs.existsSync(path.join(scratch, 'workbench-logs'))) {
        console.log(`  workbench logs: ${scratch}/workbench-logs`);
      }
    }
    process.exit(code);
  }
  setTimeout(async () => {
    let saved = '';
    if (opts.ui && !finished) {
      await page.screenshot({ path: path.join(scratch, 'failure.png') }).catch(() => {});
      saved = await saveFailureEvidence(page, scratch).catch(() => '');
    }
    finish(2, `TIMEOUT: ${label} did not finish in ${timeoutMs} ms${saved ? `\n  screenshot: ${scratch}/failure.png\n${saved}` : ''}`);
  }, timeoutMs).unref();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => finish(130, `interrupted (${sig})`));
  }
  if (process.env.VERBOSE) {
    page.on('console', (m) => console.log('[browser]', m.text()));
    page.on('pageerror', (e) => console.log('[browser error]', e.message));
  }

  if (!opts.ui) {
    // In a test run the web workbench passes its log output, which includes the extension host's console, to
    // window.codeAutomationLog, and the end of the run (exit code + its log files) to window.codeAutomationExit:
    // the hooks VS Code's own browser integration tests use.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      if (finished) {
        return;
      } // the workbench's own shutdown chatter after the suite ended
      const parts = Array.isArray(args) ? args : [args];
      if (process.env.VERBOSE || !NOISE.test(String(parts[0]))) {
        (console[type] || console.log)(...parts);
      }
      for (const part of parts) {
        for (const line of String(part).split('\n')) {
          const m = RESULT.exec(line);
          if (m) {
            try {
              results.push(JSON.parse(m[1]));
            } catch {
              console.error(`unparsable result line: ${line}`);
            }
          }
        }
      }
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      saveWorkbenchLogs(scratch, logs);
      finish(code);
    });
    await page.goto(url);
    return;
  }

  try {
    await page.goto(url);
    const workbench = makeWorkbench(page, url, scratch);
    await workbench.ready();
    const screenshot = async (name) => {
      const file = path.join(scratch, name.endsWith('.png') ? name : `${name}.png`);
      await page.screenshot({ path: file });
      console.log(`screenshot: ${file}`);
      return file;
    };
    const mod = checkModule;
    const check = typeof mod === 'function' ? mod : mod.check;
    if (typeof check !== 'function') {
      throw new Error(`${opts.ui} does not export check()`);
    }
    const msg = await check({ page, workbench, scratch, workspace, screenshot });
    await finish(0, msg ? String(msg) : undefined);
  } catch (e) {
    await page.screenshot({ path: path.join(scratch, 'failure.png') }).catch(() => {});
    const saved = await saveFailureEvidence(page, scratch).catch((err) => `  (could not save the notifications and logs: ${err.message})`);
    await finish(1, `${label} error: ${/** @type {Error} */ (e).stack || /** @type {Error} */ (e).message}\n  screenshot: ${scratch}/failure.png\n${saved}`);
  }
}

/** What a person would have seen when a UI check failed: the notifications, and the Autodata log. */
async function saveFailureEvidence(page, scratch) {
  const { autodataLog } = require('../ui/scripted-workbench');
  const toasts = await page
    .locator('.notifications-toasts .notification-list-item')
    .allInnerTexts()
    .catch(() => []);
  // The notification center holds the ones whose toasts are gone.
  await page.keyboard.press('Escape').catch(() => {});
  await page
    .locator('.statusbar-item[id$="notifications"], .statusbar-item.notifications, [id="status.notifications"]')
    .first()
    .click({ timeout: 3000 })
    .catch(() => {});
  const center = await page
    .locator('.notifications-center .notification-list-item')
    .allInnerTexts()
    .catch(() => []);
  const notifications = path.join(scratch, 'failure-notifications.txt');
  fs.writeFileSync(notifications, ['# toasts', ...toasts, '', '# notification center', ...center].map((t) => t.replace(/\s*\n\s*/g, ' · ')).join('\n') + '\n');
  const log = path.join(scratch, 'failure-autodata.log');
  fs.writeFileSync(log, autodataLog(scratch));
  return [
    `  notifications: ${notifications}`,
    `  Autodata log: ${log}`,
    '  last lines of the Autodata log:',
    ...autodataLog(scratch)
      .split('\n')
      .slice(-15)
      .map((l) => `    ${l}`),
  ].join('\n');
}

function saveWorkbenchLogs(scratch, logs) {
  if (!Array.isArray(logs)) {
    return;
  }
  for (const { relativePath, contents } of logs) {
    const file = path.join(scratch, 'workbench-logs', relativePath);
    if (!file.startsWith(path.join(scratch, 'workbench-logs'))) {
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
}

/**
 * @typedef {ReturnType<typeof makeWorkbench>} Workbench
 * @typedef {object} UiCheckContext What a UI check's check() receives.
 * @property {import('playwright-core').Page} page The workbench's page.
 * @property {Workbench} workbench
 * @property {string} scratch This run's scratch directory (the server's data and the workbench's user data).
 * @property {string} workspace The workspace folder.
 * @property {(name: string) => Promise<string>} screenshot Saves a screenshot into scratch; resolves with its file.
 */

/**
 * Small helpers for UI checks, on top of the playwright page.
 * @param {import('playwright-core').Page} page
 * @param {string} url The workbench URL.
 * @param {string} scratch
 */
function makeWorkbench(page, url, scratch) {
  const quickInput = page.locator('.quick-input-widget');
  const { extensionReady, readyCount } = require('../ui/scripted-workbench');
  let readySeen = 0;
  const wb = {
    url,
    /**
     * Waits until the workbench is up and Autodata has activated (it logs "Autodata <version> ready" once every command
     * is registered; built-in extensions can hold a loaded extension host for half a minute, so no fixed delay would do).
     */
    async ready() {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
      await page.locator('.statusbar').waitFor({ timeout: 60000 });
      await extensionReady(scratch, { after: readySeen });
      readySeen = readyCount(scratch);
    },
    /** Reloads the window ("Developer: Reload Window" does the same) and waits for Autodata to be ready again. */
    async reload() {
      readySeen = readyCount(scratch);
      await page.reload();
      await wb.ready();
    },
    /** Opens the command palette (F1) and types `text` (default '>'). */
    async openCommandPalette(text = '>') {
      const input = quickInput.locator('input');
      // A key pressed while a webview (restored after a reload) is still loading lands in its frame before the frame
      // forwards keys to the workbench, and is lost: press again until the palette shows, for up to a minute.
      const deadline = Date.now() + 60000;
      for (;;) {
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        try {
          await input.waitFor({ timeout: 5000 });
          break;
        } catch (e) {
          if (Date.now() > deadline) {
            throw e;
          }
        }
      }
      await input.fill(text, { timeout: 10000 });
      return input;
    },
    /** The rows the quick input currently shows. */
    quickPickRows: () => quickInput.locator('.quick-input-list .monaco-list-row'),
    /** Visible labels of the quick input rows (once there is at least one). */
    async quickPickLabels() {
      await wb.quickPickRows().first().waitFor({ timeout: 15000 });
      return (await wb.quickPickRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    },
    /** Runs a command by its palette title (e.g. 'Autodata: Generate from Document'). */
    async runCommand(title) {
      await wb.openCommandPalette(`>${title}`);
      await wb.quickPickRows().filter({ hasText: title }).first().waitFor({ timeout: 15000 });
      await page.keyboard.press('Enter');
    },
    /** The active editor tab. */
    activeTab: () => page.locator('.tabs-container .tab.active'),
    /** The content of the active webview (VS Code's host iframe > the extension's HTML frame). */
    webview: () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame'),
    /** Texts of the visible notification toasts. */
    notifications: () => page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts(),
  };
  return wb;
}

main().catch((e) => {
  console.error(e.usage ? e.message : e.stack || e.message);
  process.exit(1);
});

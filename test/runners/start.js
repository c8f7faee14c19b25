#!/usr/bin/env node
// `npm start` (= npm run build && node test/runners/start.js): run the extension in VS Code with a sample workspace.
//  - If desktop VS Code's `code` is on PATH: code --extensionDevelopmentPath=<repo> <workspace> <workspace>/paper.md
//  - Otherwise (or with --server): the VS Code server from test/vscode-server (installed here if missing) with the
//    extension loaded from the repo; prints a URL to open in your own browser and runs until Ctrl-C.
// The workspace is a copy of test/fixtures/workspace in .autodata-scratch/workspace, kept between runs (new fixture
// files are added, your edits stay), as are your user settings in .autodata-scratch/user; --fresh recreates both.
// Options: --server  --port <n> (default 8080 or $PORT; another free port if taken)  --host <addr> (default 127.0.0.1)
//          --theme "<Dark Modern|Light Modern|…>"  --fresh
// The server runs behind a small front that gives the workbench its secret-storage key (lib/secret-key-front.js), so
// API keys set with "Autodata: Set API Key" are kept (encrypted, in the browser's storage) across window reloads.
// After `npm run watch` rebuilds, run "Developer: Reload Window" in VS Code to load the new build.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawn, spawnSync } = require('child_process');
const lib = require('./lib/vscode-server');
const { ensureVscodeServer } = require('./install-vscode-server');

/** @param {string[]} argv The command line after the script. */
function parseArgs(argv) {
  /** @type {{ server: boolean, fresh: boolean, port: number, host: string, theme: string | undefined }} */
  const o = { server: false, fresh: false, port: Number(process.env.PORT || 8080), host: '127.0.0.1', theme: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (!v) {
        throw new Error(`${flag} needs a value`);
      }
      return v;
    };
    if (flag === '--server') {
      o.server = true;
    } else if (flag === '--fresh') {
      o.fresh = true;
    } else if (flag === '--port') {
      o.port = Number(value());
    } else if (flag === '--host') {
      o.host = value();
    } else if (flag === '--theme') {
      o.theme = value();
    } else {
      throw new Error(`unknown argument ${argv[i]} (see the header of test/runners/start.js)`);
    }
  }
  return o;
}

/**
 * Whether `cmd` is on the PATH.
 * @param {string} cmd
 */
function onPath(cmd) {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', [cmd], { stdio: 'ignore' }).status === 0;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const scratch = path.join(lib.root, '.autodata-scratch');
  if (opts.fresh) {
    for (const d of ['workspace', 'user', 'server']) {
      fs.rmSync(path.join(scratch, d), { recursive: true, force: true });
    }
  }
  const workspace = lib.copyWorkspace(path.join(scratch, 'workspace'), { keepExisting: true });
  const paper = path.join(workspace, 'paper.md');
  if (!fs.existsSync(path.join(lib.root, 'out/extension.js'))) {
    throw new Error('out/extension.js missing: run npm run build first');
  }

  if (!opts.server && onPath('code')) {
    console.log(`Starting desktop VS Code with the extension from ${lib.root} (workspace: ${workspace})`);
    const p = spawn('code', [`--extensionDevelopmentPath=${lib.root}`, workspace, paper], { stdio: 'inherit' });
    p.on('exit', (code) => process.exit(code ?? 1));
    return;
  }

  await ensureVscodeServer();
  const userDataDir = path.join(scratch, 'user');
  // Keep what the user set in settings.json (the base settings fill only what it lacks, such as window.restoreWindows,
  // which brings the editors and Autodata's panels back after a reload); add the theme when asked.
  lib.writeUserSettings(userDataDir, opts.theme ? { 'workbench.colorTheme': opts.theme } : {}, { merge: true });
  // The extension is handed over through a symlink outside the repo (see extensionPathFor in lib/vscode-server.js:
  // otherwise the workbench applies the server's built-in themes, which live inside the repo, as "themes in development").
  const linkName = `autodata-vscode-dev-${crypto.createHash('sha1').update(lib.root).digest('hex').slice(0, 8)}`;
  const extPath = lib.extensionPathFor(lib.root, path.join(os.tmpdir(), linkName));
  const token = crypto.randomBytes(16).toString('hex');
  const serverLog = path.join(scratch, 'server.log');
  fs.writeFileSync(serverLog, '');
  const server = await lib.startServerWithSecrets({
    dataDir: path.join(scratch, 'server'),
    userDataDir,
    host: opts.host,
    port: opts.port,
    connectionToken: token,
    logFile: serverLog,
  });
  const url = lib.workbenchUrl(server.endpoint, { folder: workspace, extensionDevelopmentPath: extPath, openFile: paper, token });
  const stop = (/** @type {number} */ code) => {
    server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => {
    console.log('\nstopping the VS Code server');
    stop(0);
  });
  process.on('SIGTERM', () => stop(0));
  process.on('SIGHUP', () => stop(0));
  server.proc.on('exit', (code) => {
    console.error(`VS Code server exited (${code}); log: ${serverLog}`);
    process.exit(code || 1);
  });

  console.log(
    [
      '',
      `VS Code ${readVersion()} (server) is running with the Autodata extension loaded from ${lib.root}`,
      `  workspace: ${workspace}`,
      `  log:       ${serverLog}`,
      '',
      'Open this URL in your browser (Chrome, Edge or Firefox):',
      '',
      `  ${url}`,
      '',
      'After a rebuild (npm run build / npm run watch) run "Developer: Reload Window" there. Ctrl-C stops the server.',
    ]
      .filter((l, i, a) => l !== '' || a[i - 1] !== '')
      .join('\n'),
  );
}

function readVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(lib.serverDir, 'package.json'), 'utf8')).version;
  } catch {
    return '';
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});

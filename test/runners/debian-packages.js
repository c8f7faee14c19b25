// Installs missing Debian packages the runners need (chromium for the workbench, libkrb5-dev to build code-server),
// so that `npm start` and `npm test` work on a fresh machine. Uses apt-get as root, or through sudo.
'use strict';
const { spawnSync } = require('child_process');

/** @type {(pkg: string) => boolean} Whether the Debian package is installed. */
const has = (pkg) => spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;

/** @param {string[]} pkgs */
function ensureDebianPackages(pkgs) {
  const missing = pkgs.filter((p) => !has(p));
  if (missing.length === 0) {
    return;
  }
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`missing system packages: ${missing.join(', ')} (install them with your package manager)`);
  }
  const root = process.getuid?.() === 0;
  const pre = root ? [] : ['sudo'];
  console.error(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (/** @type {string[]} */ args, tries = 1) => {
    const [cmd, ...rest] = [...pre, ...args];
    for (let i = 1; ; i++) {
      const r = spawnSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env });
      if (r.status === 0) {
        return;
      }
      if (i >= tries) {
        throw new Error(`${args.join(' ')} failed (exit ${r.status}); install ${missing.join(', ')} by hand`);
      }
      spawnSync('sleep', ['10']);
    }
  };
  // Another apt process (an unattended upgrade, a second checkout's tests) may hold apt's locks: install waits for the
  // dpkg lock; update, which does not honour that option, is tried again for up to ten minutes.
  run(['apt-get', 'update', '-qq'], 60);
  run(['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

module.exports = { ensureDebianPackages };

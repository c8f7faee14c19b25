// Shared by the UI checks: point the workbench's Autodata at a scripted endpoint, and wait for things.
'use strict';
const fs = require('fs');
const path = require('path');

async function until(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) {
      return v;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** User and machine settings files of the server (machine-scoped settings such as endpoints live in the latter). */
function writeSettings(scratch, patch) {
  for (const dir of ['User', 'Machine']) {
    const file = path.join(scratch, 'user', dir, 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let current = {};
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      /* new file */
    }
    fs.writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2));
  }
}

/** Settings that send every role to the scripted server, one model name per role. */
function scriptedSettings(baseURL, MODELS) {
  const roles = Object.fromEntries(['challenger', 'quality', 'weak', 'strong', 'judge'].map((r) => [`autodata.roles.${r}`, { model: MODELS[r] }]));
  return { 'autodata.baseUrl': baseURL, ...roles };
}

const lines = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

module.exports = { until, writeSettings, scriptedSettings, lines };

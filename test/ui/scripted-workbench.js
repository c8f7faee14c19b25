// Shared by the UI checks: point the workbench's Autodata at a scripted endpoint, and wait for things.
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * Polls `fn` every 200 ms until it resolves to a truthy value (a rejection counts as not yet), and returns that value.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {string} what What is awaited, for the timeout's message.
 * @param {number} [ms]
 * @returns {Promise<T>}
 */
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

/**
 * Every Autodata log file of this workbench's extension hosts (one per window load), oldest first.
 * @param {string} scratch The workbench's scratch directory.
 * @returns {string[]}
 */
function autodataLogFiles(scratch) {
  /** @type {string[]} */
  const out = [];
  /** @type {(dir: string, depth: number) => void} */
  const walk = (dir, depth) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 6) {
        walk(p, depth + 1);
      } else if (e.isFile() && e.name === 'Autodata.log') {
        out.push(p);
      }
    }
  };
  walk(path.join(scratch, 'user', 'logs'), 0);
  return out.sort();
}

/**
 * The Autodata log of every window load so far, in one text.
 * @param {string} scratch
 * @returns {string}
 */
function autodataLog(scratch) {
  return autodataLogFiles(scratch)
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('');
}

const READY = /Autodata \S+ ready/g;
/**
 * How often Autodata has said it is ready (once per activation).
 * @param {string} scratch
 * @returns {number}
 */
function readyCount(scratch) {
  return (autodataLog(scratch).match(READY) ?? []).length;
}

/**
 * Waits for Autodata's next "ready" line: every command is registered then.
 * @param {string} scratch
 * @param {{ after?: number, ms?: number }} [options] `after`: how many "ready" lines there were before.
 */
async function extensionReady(scratch, { after = 0, ms = 120000 } = {}) {
  await until(async () => readyCount(scratch) > after, 'Autodata to activate ("Autodata … ready" in its log)', ms);
}

/**
 * Waits for a line matching `re` in the Autodata log (e.g. the settings it has read).
 * @param {string} scratch
 * @param {RegExp} re
 * @param {string} [what]
 * @param {number} [ms]
 * @returns {Promise<string | undefined>}
 */
async function logLine(scratch, re, what, ms = 30000) {
  return until(
    async () =>
      autodataLog(scratch)
        .split('\n')
        .find((l) => re.test(l)),
    what ?? `${re} in the Autodata log`,
    ms,
  );
}

/** @type {(t: string) => string} The text as a regular expression that matches it literally. */
const escapeRe = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Waits until Autodata has read settings that send `role` to `model` at `baseURL` (it logs every change of its settings).
 * @param {string} scratch
 * @param {string} role
 * @param {string} model
 * @param {string} baseURL
 */
async function settingsApplied(scratch, role, model, baseURL) {
  return logLine(
    scratch,
    new RegExp(`\\b${role} ${escapeRe(model)} at ${escapeRe(baseURL)}(,|$)`),
    `Autodata to read settings: ${role} ${model} at ${baseURL}`,
  );
}

/**
 * Two animation frames of the page: what was just changed in the DOM has been laid out and painted.
 * @param {import('playwright-core').Page} page
 */
async function painted(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined)))));
}

/**
 * User and machine settings files of the server (machine-scoped settings such as endpoints live in the latter).
 * @param {string} scratch
 * @param {Record<string, unknown>} patch Settings merged over the files' current ones.
 */
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

/**
 * Settings that send every role to the scripted server, one model name per role.
 * @param {string} baseURL
 * @param {Record<string, string>} MODELS The model name of each role.
 */
function scriptedSettings(baseURL, MODELS) {
  const roles = Object.fromEntries(['challenger', 'quality', 'weak', 'strong', 'judge'].map((r) => [`autodata.roles.${r}`, { model: MODELS[r] }]));
  return { 'autodata.baseUrl': baseURL, ...roles };
}

/** @type {(file: string) => string[]} The file's non-empty lines; none when it does not exist. */
const lines = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

module.exports = {
  until,
  writeSettings,
  scriptedSettings,
  settingsApplied,
  painted,
  escapeRe,
  lines,
  autodataLog,
  autodataLogFiles,
  readyCount,
  extensionReady,
  logLine,
};

// Runs the built panel (out/webview/main.js + main.css) in real Chromium as VS Code would host it: the same strict CSP,
// an acquireVsCodeApi stub (loaded by a nonce'd script) that records what the panel posts, and VS Code's theme variables.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..', '..');
/** The built webview; PANEL_WEBVIEW_DIR points elsewhere (e.g. an unminified build for profiling). */
const OUT = process.env.PANEL_WEBVIEW_DIR || path.join(ROOT, 'out', 'webview');

/** A realistic subset of the colours VS Code sets on a webview's <html> element (Dark Modern, Light Modern, Dark High Contrast). */
const THEMES = {
  dark: {
    kind: 'vscode-dark',
    vars: {
      foreground: '#cccccc',
      descriptionForeground: '#9d9d9d',
      errorForeground: '#f85149',
      focusBorder: '#0078d4',
      'icon-foreground': '#cccccc',
      'editor-background': '#1f1f1f',
      'editor-foreground': '#cccccc',
      'sideBar-background': '#181818',
      'panel-border': '#2b2b2b',
      'widget-border': '#313131',
      'editorWidget-background': '#202020',
      'editorWidget-border': '#454545',
      'button-background': '#0078d4',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#026ec1',
      'button-border': '#ffffff12',
      'button-secondaryBackground': '#313131',
      'button-secondaryForeground': '#cccccc',
      'button-secondaryHoverBackground': '#3c3c3c',
      'badge-background': '#616161',
      'badge-foreground': '#f8f8f8',
      'input-background': '#313131',
      'input-border': '#3c3c3c',
      'input-foreground': '#cccccc',
      'input-placeholderForeground': '#989898',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'inputValidation-infoBackground': '#063b49',
      'inputValidation-infoBorder': '#007acc',
      'checkbox-background': '#313131',
      'checkbox-border': '#3c3c3c',
      'checkbox-foreground': '#cccccc',
      'dropdown-background': '#313131',
      'dropdown-border': '#3c3c3c',
      'dropdown-foreground': '#cccccc',
      'textLink-foreground': '#4daafc',
      'textLink-activeForeground': '#4daafc',
      'textBlockQuote-background': '#2b2b2b',
      'textBlockQuote-border': '#616161',
      'textPreformat-foreground': '#d0d0d0',
      'textPreformat-background': '#3c3c3c',
      'testing-iconPassed': '#73c991',
      'testing-iconFailed': '#f14c4c',
      'editorWarning-foreground': '#cca700',
      'editorError-foreground': '#f14c4c',
      'editorInfo-foreground': '#3794ff',
      'charts-foreground': '#cccccc',
      'charts-lines': '#cccccc80',
      'charts-red': '#f14c4c',
      'charts-blue': '#3794ff',
      'charts-yellow': '#cca700',
      'charts-orange': '#d18616',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'progressBar-background': '#0078d4',
      'toolbar-hoverBackground': '#5a5d5e50',
      'list-hoverBackground': '#2a2d2e',
      'list-inactiveSelectionBackground': '#37373d',
      'scrollbarSlider-background': '#79797966',
      'scrollbarSlider-hoverBackground': '#646464b3',
      'scrollbarSlider-activeBackground': '#bfbfbf66',
    },
  },
  light: {
    kind: 'vscode-light',
    vars: {
      foreground: '#3b3b3b',
      descriptionForeground: '#3b3b3b',
      errorForeground: '#f85149',
      focusBorder: '#005fb8',
      'icon-foreground': '#3b3b3b',
      'editor-background': '#ffffff',
      'editor-foreground': '#3b3b3b',
      'sideBar-background': '#f8f8f8',
      'panel-border': '#e5e5e5',
      'widget-border': '#e5e5e5',
      'editorWidget-background': '#f8f8f8',
      'editorWidget-border': '#c8c8c8',
      'button-background': '#005fb8',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#0258a8',
      'button-border': '#0000001a',
      'button-secondaryBackground': '#e5e5e5',
      'button-secondaryForeground': '#3b3b3b',
      'button-secondaryHoverBackground': '#cccccc',
      'badge-background': '#cccccc',
      'badge-foreground': '#3b3b3b',
      'input-background': '#ffffff',
      'input-border': '#cecece',
      'input-foreground': '#3b3b3b',
      'input-placeholderForeground': '#767676',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'inputValidation-infoBackground': '#d6ecf2',
      'inputValidation-infoBorder': '#007acc',
      'checkbox-background': '#f8f8f8',
      'checkbox-border': '#cecece',
      'checkbox-foreground': '#3b3b3b',
      'dropdown-background': '#ffffff',
      'dropdown-border': '#cecece',
      'dropdown-foreground': '#3b3b3b',
      'textLink-foreground': '#005fb8',
      'textLink-activeForeground': '#005fb8',
      'textBlockQuote-background': '#f8f8f8',
      'textBlockQuote-border': '#e5e5e5',
      'textPreformat-foreground': '#3b3b3b',
      'textPreformat-background': '#0000001f',
      'testing-iconPassed': '#388a34',
      'testing-iconFailed': '#f14c4c',
      'editorWarning-foreground': '#bf8803',
      'editorError-foreground': '#e51400',
      'editorInfo-foreground': '#1a85ff',
      'charts-foreground': '#616161',
      'charts-lines': '#61616180',
      'charts-red': '#e51400',
      'charts-blue': '#1a85ff',
      'charts-yellow': '#bf8803',
      'charts-orange': '#d18616',
      'charts-green': '#388a34',
      'charts-purple': '#652d90',
      'progressBar-background': '#005fb8',
      'toolbar-hoverBackground': '#b8b8b850',
      'list-hoverBackground': '#f2f2f2',
      'list-inactiveSelectionBackground': '#e4e6f1',
      'scrollbarSlider-background': '#64646466',
      'scrollbarSlider-hoverBackground': '#646464b3',
      'scrollbarSlider-activeBackground': '#00000099',
    },
  },
  hc: {
    kind: 'vscode-high-contrast',
    vars: {
      foreground: '#ffffff',
      descriptionForeground: '#ffffffb3',
      errorForeground: '#f48771',
      focusBorder: '#f38518',
      contrastBorder: '#6fc3df',
      contrastActiveBorder: '#f38518',
      'icon-foreground': '#ffffff',
      'editor-background': '#000000',
      'editor-foreground': '#ffffff',
      'sideBar-background': '#000000',
      'panel-border': '#6fc3df',
      'button-background': '#000000',
      'button-foreground': '#ffffff',
      'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff',
      'badge-background': '#000000',
      'badge-foreground': '#ffffff',
      'input-background': '#000000',
      'input-border': '#6fc3df',
      'input-foreground': '#ffffff',
      'inputValidation-errorBackground': '#000000',
      'inputValidation-errorBorder': '#f48771',
      'inputValidation-infoBackground': '#000000',
      'inputValidation-infoBorder': '#6fc3df',
      'checkbox-background': '#000000',
      'checkbox-border': '#6fc3df',
      'checkbox-foreground': '#ffffff',
      'textLink-foreground': '#21a6ff',
      'textLink-activeForeground': '#21a6ff',
      'textBlockQuote-border': '#ffffff',
      'textBlockQuote-background': '#000000',
      'testing-iconPassed': '#73c991',
      'testing-iconFailed': '#f14c4c',
      'editorWarning-foreground': '#ffd370',
      'editorError-foreground': '#f48771',
      'editorInfo-foreground': '#3794ff',
      'charts-foreground': '#ffffff',
      'charts-red': '#f48771',
      'charts-blue': '#3794ff',
      'charts-yellow': '#ffd370',
      'charts-orange': '#d18616',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'progressBar-background': '#6fc3df',
      'list-inactiveSelectionBackground': '#000000',
    },
  },
};

const FONT_VARS = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '14px',
};

/**
 * The page script run before main.js: VS Code's theme variables and body classes, and acquireVsCodeApi recording posts.
 * @param {string} theme A key of THEMES; others fall back to dark.
 */
function stubScript(theme) {
  const t = THEMES[/** @type {keyof typeof THEMES} */ (theme)] || THEMES.dark;
  const vars = {
    ...Object.fromEntries(Object.entries(t.vars).map(([k, v]) => [`--vscode-${k}`, v])),
    ...Object.fromEntries(Object.entries(FONT_VARS).map(([k, v]) => [`--vscode-${k}`, v])),
  };
  return `(() => {
  const vars = ${JSON.stringify(vars)};
  for (const [k, v] of Object.entries(vars)) { document.documentElement.style.setProperty(k, v); }
  document.body.classList.add(${JSON.stringify(t.kind)});
  if (${JSON.stringify(t.kind)} === 'vscode-high-contrast') { document.body.classList.add('vscode-high-contrast'); }
  document.body.setAttribute('data-vscode-theme-kind', ${JSON.stringify(t.kind)});
  window.__posted = [];
  window.__postListeners = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '') + ' at ' + (e.sourceFile || '') + ':' + e.lineNumber + ':' + e.columnNumber));
  // Like VS Code, the state set by the page survives a reload of the page.
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => {
      const copy = JSON.parse(JSON.stringify(m));
      window.__posted.push(copy);
      for (const l of window.__postListeners) { l(copy); }
    },
    getState: () => { const s = sessionStorage.getItem('vscodeState'); return s === null ? undefined : JSON.parse(s); },
    setState: (s) => { sessionStorage.setItem('vscodeState', JSON.stringify(s)); },
  });
  window.__send = (m) => window.postMessage(m, '*');
  window.__arrivals = 0;
  window.addEventListener('message', () => { window.__arrivals++; window.__lastArrival = performance.now(); });
})();`;
}

/** Serves the page, the stub and out/webview with VS Code's CSP. */
function serve() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const url = new URL(/** @type {string} */ (req.url), 'http://127.0.0.1');
      const origin = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
      if (url.pathname === '/') {
        const nonce = crypto.randomBytes(16).toString('base64');
        const theme = url.searchParams.get('theme') || 'dark';
        // As the host's panel (src/host/panel.ts): styles from the extension or by nonce, the nonce also in a csp-nonce meta.
        const csp = [
          `default-src 'none'`,
          `style-src ${origin} 'nonce-${nonce}'`,
          `font-src ${origin}`,
          `img-src ${origin} data:`,
          `script-src 'nonce-${nonce}'`,
        ].join('; ');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${origin}/out/webview/main.css"><title>Autodata</title></head>
<body><script nonce="${nonce}" src="${origin}/stub.js?theme=${theme}"></script><div id="app"></div><script nonce="${nonce}" src="${origin}/out/webview/main.js"></script></body></html>`);
        return;
      }
      if (url.pathname === '/stub.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(stubScript(url.searchParams.get('theme') || 'dark'));
        return;
      }
      const m = /^\/out\/webview\/(main\.(?:js|css))$/.exec(url.pathname);
      if (m) {
        res.writeHead(200, { 'content-type': m[1].endsWith('.js') ? 'text/javascript' : 'text/css' });
        res.end(fs.readFileSync(path.join(OUT, m[1])));
        return;
      }
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404);
      res.end();
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * How much slower than a quiet machine this one runs now: the load average per core, at least 1. Waits scale with it,
 * so a loaded machine gets a late answer rather than a closed page.
 */
function slowness() {
  const cores = Math.max(1, os.cpus().length);
  return Math.max(1, os.loadavg()[0] / cores);
}

/** Playwright's wait for one step (a page load, an evaluate, a waitForFunction), scaled by `slowness()`. */
function stepTimeoutMs() {
  return Math.round(60_000 * slowness());
}

async function launch() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    timeout: stepTimeoutMs(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      // On a loaded machine: no hang monitor killing a slow renderer, no throttling of a page Chromium thinks is hidden.
      '--disable-hang-monitor',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
      '--disable-ipc-flooding-protection',
    ],
  });
}

/**
 * Opens the panel page and waits for its `ready` message.
 * @param {import('playwright-core').Browser} browser
 * @param {import('node:http').Server} server The server from serve().
 * @param {{ theme?: string, width?: number, height?: number }} [options]
 */
async function openPanel(browser, server, { theme = 'dark', width = 960, height = 900 } = {}) {
  if (!fs.existsSync(path.join(OUT, 'main.js'))) {
    throw new Error('out/webview/main.js is missing: run `node build.mjs` first');
  }
  const open = async () => {
    const page = await browser.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(stepTimeoutMs());
    /** @type {string[]} */
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('crash', () => console.error(`panel page crashed (load ${os.loadavg()[0].toFixed(1)})`));
    page.on('console', (m) => {
      if (m.type() === 'error') {
        errors.push(m.text());
      }
    });
    await page.goto(`http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/?theme=${theme}`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    return { page, errors };
  };
  try {
    return await open();
  } catch (e) {
    // Once more, with the reason logged: a page that did not come up on a loaded machine is not a result.
    console.error(
      `panel page did not open (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); load ${os.loadavg()[0].toFixed(1)}; trying once more`,
    );
    return open();
  }
}

/** Loads the TypeScript fixtures (shared with the unit tests) through tsx. */
function fixtures() {
  require('tsx/cjs');
  return require('./panel-render.fixtures.ts');
}

module.exports = { THEMES, serve, launch, openPanel, fixtures, ROOT, slowness, stepTimeoutMs };

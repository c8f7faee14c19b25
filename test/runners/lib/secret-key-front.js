// A small HTTP front for the VS Code server that gives the browser workbench a persistent secret-storage key.
//
// The workbench shipped in npm code-server is built to keep extension secrets (SecretStorage) encrypted in the
// browser's localStorage: it XORs a key half of its own with a key half it fetches by POST from `<page path>/mint-key`
// (code-server's own server answers that route from `<user-data-dir>/serve-web-key-half`). VS Code's plain server,
// which the runners start, has no such route: the POST fails, nothing is saved, and every secret (an API key set with
// "Autodata: Set API Key") lives in memory only and is gone after "Developer: Reload Window".
//
// This front answers POST …/mint-key the way code-server does (32 random bytes, created once and kept in
// `<user-data-dir>/serve-web-key-half`, readable by the owner only), and passes every other request and WebSocket
// upgrade through to the VS Code server unchanged. With a connection token, /mint-key answers only a browser that
// carries the token's cookie (the one the server set when the page was opened with ?tkn=…).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');

const TOKEN_COOKIE = 'vscode-tkn';

/**
 * The value of cookie `name` in a Cookie header, if it is there.
 * @param {string | undefined} header
 * @param {string} name
 * @returns {string | undefined}
 */
function cookieValue(header, name) {
  for (const part of String(header || '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

/**
 * The server's key half: read from keyFile, or created there (0600) on first use.
 * @param {string} keyFile
 * @returns {Buffer}
 */
function keyHalf(keyFile) {
  try {
    const key = fs.readFileSync(keyFile);
    if (key.length === 32) {
      return key;
    }
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'ENOENT') {
      throw e;
    }
  }
  const key = crypto.randomBytes(32);
  fs.writeFileSync(keyFile, key, { mode: 0o600 });
  return key;
}

/**
 * Listens on host:port and forwards to `target` (a URL of the VS Code server). Resolves with { server, port }.
 * @param {{ target: URL, host?: string, port?: number, keyFile: string, connectionToken?: string }} options
 * @returns {Promise<{ server: import('node:http').Server, port: number }>}
 */
function startSecretKeyFront({ target, host = '127.0.0.1', port = 0, keyFile, connectionToken }) {
  const to = { hostname: target.hostname, port: Number(target.port) };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(/** @type {string} */ (req.url), 'http://front');
    if (pathname.endsWith('/mint-key')) {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      if (connectionToken && cookieValue(req.headers.cookie, TOKEN_COOKIE) !== connectionToken) {
        res.writeHead(403).end();
        return;
      }
      try {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' }).end(keyHalf(keyFile));
      } catch (e) {
        res.writeHead(500).end(String(/** @type {Error} */ (e).message));
      }
      return;
    }
    const up = http.request({ ...to, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(/** @type {number} */ (r.statusCode), r.statusMessage, r.rawHeaders);
      r.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
      }
      res.end(`VS Code server unreachable: ${e.message}`);
    });
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = net.connect(to.port, to.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head && head.length) {
        up.write(head);
      }
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    up.on('close', () => socket.destroy());
    socket.on('close', () => up.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: /** @type {import('node:net').AddressInfo} */ (server.address()).port });
    });
  });
}

module.exports = { startSecretKeyFront, keyHalf };

// Text of a PDF (pdfjs-dist), with a blank line between paragraphs and pages, for sections and source ranges.
// pdfjs runs in a worker thread: its legacy build installs global polyfills (JSON.parse among them) that must not
// leak into the extension host every other extension shares, and a large PDF must not block the host.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export class PdfError extends Error {}

/** pdfjs is an ES module that must stay one (it finds its worker from its own URL): next to the bundle, or in node_modules. */
function pdfjsUrl(): string {
  const bundled = path.join(__dirname, 'pdfjs', 'pdf.mjs');
  return pathToFileURL(existsSync(bundled) ? bundled : require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href;
}

// Runs inside the worker thread (plain JavaScript, so it needs no build step of its own).
const EXTRACT = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
(async () => {
  // Text extraction needs no canvas; pdfjs only constructs a DOMMatrix, which Node lacks without the optional canvas package.
  globalThis.DOMMatrix ??= class DOMMatrix { constructor(i) { const [a, b, c, d, e, f] = Array.isArray(i) && i.length >= 6 ? i : [1, 0, 0, 1, 0, 0]; Object.assign(this, { a, b, c, d, e, f }); } };
  const pdfjs = await import(workerData.url);
  let doc;
  try {
    doc = await pdfjs.getDocument({ data: new Uint8Array(fs.readFileSync(workerData.file)), isEvalSupported: false, useSystemFonts: false, verbosity: 0, disableFontFace: true }).promise;
  } catch (e) { parentPort.postMessage({ error: 'Cannot read this PDF: ' + (e && e.message || e) }); return; }
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    let out = ''; let lastY; let lineHeight = 0;
    for (const item of content.items) {
      if (typeof item.str !== 'string') continue;
      const y = item.transform && item.transform[5];
      // A vertical jump of more than one and a half lines starts a new paragraph.
      if (lastY !== undefined && y !== undefined && lineHeight > 0 && lastY - y > lineHeight * 1.5 && !out.endsWith('\\n\\n')) out = out.trimEnd() + '\\n\\n';
      out += item.str;
      if (item.hasEOL) out += '\\n';
      if (y !== undefined) { if (lastY !== undefined && lastY > y) lineHeight = lineHeight ? Math.min(lineHeight, lastY - y) : lastY - y; lastY = y; }
    }
    pages.push(out.trim());
    page.cleanup();
  }
  await doc.destroy();
  parentPort.postMessage({ text: pages.filter(Boolean).join('\\n\\n'), pages: doc.numPages });
})().catch((e) => parentPort.postMessage({ error: String(e && e.message || e) }));
`;

export function pdfText(file: string, timeoutMs = 120_000): Promise<{ text: string; pages: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(EXTRACT, { eval: true, workerData: { file, url: pdfjsUrl() } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new PdfError(`Reading the PDF took longer than ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      void worker.terminate();
    };
    worker.once('message', (m: { text?: string; pages?: number; error?: string }) => {
      done();
      if (m.error !== undefined) {
        reject(new PdfError(m.error.startsWith('Cannot read') ? m.error : `Cannot read this PDF: ${m.error}`));
        return;
      }
      if (!m.text?.trim()) {
        reject(new PdfError('This PDF has no text layer (it may be scanned images); run OCR on it first.'));
        return;
      }
      resolve({ text: `${m.text}\n`, pages: m.pages ?? 0 });
    });
    worker.once('error', (e) => {
      done();
      reject(new PdfError(`Cannot read this PDF: ${e.message}`));
    });
    worker.once('exit', (code) => {
      if (code !== 0) {
        done();
        reject(new PdfError(`Cannot read this PDF (the reader exited with ${code}).`));
      }
    });
  });
}

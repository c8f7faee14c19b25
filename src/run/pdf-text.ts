// Text of a PDF (pdfjs-dist), for sections and source ranges: each page's lines with their font size and weight, laid
// out by pdf-layout.ts (paragraphs, and headings as Markdown headings, so a paper splits into its sections).
// pdfjs runs in a worker thread: its legacy build installs global polyfills (JSON.parse among them) that must not
// leak into the extension host every other extension shares, and a large PDF must not block the host.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { layoutPdfText, type PdfTextLine } from './pdf-layout';

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
    // The fonts' names and weights are known once the page's operators are read (text content alone names no font).
    const bold = new Map();
    try {
      await page.getOperatorList();
      for (const name of Object.keys(content.styles || {})) {
        const font = page.commonObjs.has(name) ? page.commonObjs.get(name) : undefined;
        bold.set(name, Boolean(font && (font.bold || font.black || /bold|black|heavy|semibold|demi/i.test(font.name || ''))));
      }
    } catch { /* no weights: headings are found by size alone */ }
    const lines = [];
    let line;
    const end = () => { if (line) lines.push({ text: line.text, size: line.size, bold: line.letters > 0 && line.boldLetters === line.letters, y: line.y }); line = undefined; };
    for (const item of content.items) {
      if (typeof item.str !== 'string') continue;
      const t = item.transform || [1, 0, 0, 1, 0, 0];
      const y = t[5];
      const size = item.height || Math.hypot(t[2], t[3]);
      // A piece on another baseline starts a new line.
      if (line && item.str.trim() && Math.abs(line.y - y) > Math.max(1, 0.3 * Math.max(line.size, size))) end();
      if (item.str) {
        line ??= { text: '', size: 0, y, letters: 0, boldLetters: 0 };
        line.text += item.str;
        const letters = item.str.replace(/\\s/g, '').length;
        if (letters) {
          line.size = Math.max(line.size, size);
          line.letters += letters;
          if (bold.get(item.fontName)) line.boldLetters += letters;
        }
      }
      if (item.hasEOL) end();
    }
    end();
    pages.push(lines.filter((l) => l.text.trim()));
    page.cleanup();
  }
  const numPages = doc.numPages;
  await doc.destroy();
  parentPort.postMessage({ lines: pages, pages: numPages });
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
    worker.once('message', (m: { lines?: PdfTextLine[][]; pages?: number; error?: string }) => {
      done();
      if (m.error !== undefined) {
        reject(new PdfError(m.error.startsWith('Cannot read') ? m.error : `Cannot read this PDF: ${m.error}`));
        return;
      }
      const text = layoutPdfText(m.lines ?? []);
      if (!text.trim()) {
        reject(new PdfError('This PDF has no text layer (it may be scanned images); run OCR on it first.'));
        return;
      }
      resolve({ text: `${text}\n`, pages: m.pages ?? 0 });
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

// The benchmark files a person names, indexed once per process by their word 13-grams, so a question that repeats a
// benchmark's text is refused before any solver call. Benchmark files are read here and never sent anywhere.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BenchmarkIndex } from '../core/leakage';

export class BenchmarkFileError extends Error {}

const cache = new Map<string, BenchmarkIndex>();

/** Every string in a JSON value, each on its own, so no n-gram spans two fields. */
function strings(v: unknown, out: string[]): void {
  if (typeof v === 'string') {
    out.push(v);
  } else if (Array.isArray(v)) {
    v.forEach((x) => strings(x, out));
  } else if (v && typeof v === 'object') {
    Object.values(v).forEach((x) => strings(x, out));
  }
}

/** Adds one file: JSON Lines and JSON by their string values (keys are left out), anything else as text. */
function addFile(index: BenchmarkIndex, name: string, text: string): void {
  const trimmed = text.trimStart();
  if (/\.jsonl?$/i.test(name) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const whole = /\.json$/i.test(name) || trimmed.startsWith('[');
    const chunks = whole ? [text] : text.split('\n');
    for (const chunk of chunks) {
      if (!chunk.trim()) {
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(chunk);
      } catch {
        index.add(name, chunk);
        continue;
      }
      const out: string[] = [];
      strings(value, out);
      out.forEach((s) => index.add(name, s));
    }
    return;
  }
  index.add(name, text);
}

/** The index of the named files (paths relative to the workspace or absolute), or undefined when none is named. */
export async function loadBenchmarks(root: string, files: readonly string[]): Promise<BenchmarkIndex | undefined> {
  if (files.length === 0) {
    return undefined;
  }
  const stats = await Promise.all(
    files.map(async (f) => {
      const file = path.resolve(root, f);
      const st = await fs.stat(file).catch((e: NodeJS.ErrnoException) => {
        throw new BenchmarkFileError(
          `the benchmark file ${file} cannot be read (${e.code === 'ENOENT' ? 'no such file' : e.message}): fix autodata.benchmarkFiles`,
        );
      });
      if (!st.isFile()) {
        throw new BenchmarkFileError(`the benchmark file ${file} is not a regular file (a folder, pipe or device): name the benchmark's data files`);
      }
      return { file, key: `${file}:${st.size}:${st.mtimeMs}` };
    }),
  );
  const key = stats.map((s) => s.key).join('\n');
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  const index = new BenchmarkIndex();
  for (const { file } of stats) {
    addFile(index, path.basename(file), await fs.readFile(file, 'utf8'));
  }
  cache.clear();
  cache.set(key, index);
  return index;
}

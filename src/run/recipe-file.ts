// The recipe in the workspace (.autodata/recipe.md, editable by the person) and its history (.autodata/recipes/).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const HEADER = /^<!--\s*autodata recipe v(\d+)[^>]*-->\s*\n?/;

export function recipeFile(folder: string): string {
  return path.join(folder, '.autodata', 'recipe.md');
}

/** The current recipe and its version (0 when there is none, or a person wrote it without the header). */
export async function readRecipe(folder: string): Promise<{ text: string; version: number }> {
  let raw: string;
  try {
    raw = await fs.readFile(recipeFile(folder), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return { text: '', version: 0 };
    }
    throw e;
  }
  const m = HEADER.exec(raw);
  return { text: raw.replace(HEADER, '').trim(), version: m ? Number(m[1]) : 0 };
}

/** Writes a new version: the current file (replaced whole, via a temporary file) and a copy in the history folder. */
export async function writeRecipe(folder: string, version: number, text: string, note: string): Promise<void> {
  const body = `<!-- autodata recipe v${version} · ${note.replace(/--/g, '—')} -->\n${text.trim()}\n`;
  const file = recipeFile(folder);
  await fs.mkdir(path.join(folder, '.autodata', 'recipes'), { recursive: true });
  await fs.writeFile(path.join(folder, '.autodata', 'recipes', `v${String(version).padStart(3, '0')}.md`), body, 'utf8');
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, body, 'utf8');
  await fs.rename(tmp, file);
}

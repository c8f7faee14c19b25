// The recipe in the workspace (.autodata/recipe.md, editable by the person) and its history (.autodata/recipes/),
// read and written only inside the workspace (symlinks followed) and never through a FIFO or device.
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { assertInside, readTextIfExists } from './workspace-boundary';

const HEADER = /^<!--\s*autodata recipe v(\d+)[^>]*-->\s*\n?/;

export function recipeFile(folder: string): string {
  return path.join(folder, '.autodata', 'recipe.md');
}

/** The current recipe and its version (0 when there is none, or a person wrote it without the header). */
export async function readRecipe(folder: string): Promise<{ text: string; version: number }> {
  const file = recipeFile(folder);
  await assertInside(folder, file, '.autodata/recipe.md');
  const raw = await readTextIfExists(file);
  if (raw === undefined) {
    return { text: '', version: 0 };
  }
  const m = HEADER.exec(raw);
  return { text: raw.replace(HEADER, '').trim(), version: m ? Number(m[1]) : 0 };
}

/** Writes a new version: a copy in the history folder, then the current file (each replaced whole, via a temporary file). */
export async function writeRecipe(folder: string, version: number, text: string, note: string): Promise<void> {
  const body = `<!-- autodata recipe v${version} · ${note.replace(/--/g, '—')} -->\n${text.trim()}\n`;
  const history = path.join(folder, '.autodata', 'recipes', `v${String(version).padStart(3, '0')}.md`);
  // Both checked before either is written.
  await assertInside(folder, history);
  await assertInside(folder, recipeFile(folder), '.autodata/recipe.md');
  await writeFileAtomic(history, body, folder);
  await writeFileAtomic(recipeFile(folder), body, folder);
}

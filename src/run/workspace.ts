// A workspace's Autodata files, opened once per run: the dataset (checked and its torn tail repaired), the prompt
// templates and the recipe.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { PromptSet, TemplateRole } from '../core/prompts';
import { Dataset } from './dataset';
import { resolveInside, type Repair } from './jsonl';
import { loadPrompts } from './prompt-files';
import { readRecipe } from './recipe-file';

export class WorkspaceError extends Error {}

export interface WorkspaceFiles {
  /** Absolute path of the workspace folder. */
  root: string;
  dataset: Dataset;
  /** What opening the dataset repaired (a torn last line from a crash). */
  repair: Repair;
  prompts: PromptSet;
  /** Roles whose template comes from .autodata/prompts/. */
  overridden: TemplateRole[];
}

export async function openWorkspace(root: string, datasetPath: string, existing?: Dataset): Promise<WorkspaceFiles> {
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new WorkspaceError(`the workspace ${root} is not a folder`);
  }
  const file = await resolveInside(root, datasetPath);
  // One Dataset per file and process, so its exactly-once check sees every write (a live run's, the panel's).
  const dataset = existing?.file === file ? existing : new Dataset(file, path.join(root, '.autodata', 'near-duplicate-index'));
  const repair = await dataset.open();
  const { prompts, overridden } = await loadPrompts(root);
  return { root, dataset, repair, prompts, overridden };
}

export { readRecipe };

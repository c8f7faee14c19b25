// Prompt templates from the workspace (.autodata/prompts/<role>.md), read at the start of every run.
import * as path from 'node:path';
import { DEFAULT_PROMPTS, TEMPLATE_ROLES, templateProblems, type PromptSet, type TemplateRole } from '../core/prompts';
import { assertInside, PathOutsideWorkspaceError, readTextIfExists } from './workspace-boundary';

export class PromptFileError extends Error {}

export function promptsDir(folder: string): string {
  return path.join(folder, '.autodata', 'prompts');
}

export async function loadPrompts(folder: string): Promise<{ prompts: PromptSet; overridden: TemplateRole[] }> {
  const prompts: PromptSet = { ...DEFAULT_PROMPTS };
  const overridden: TemplateRole[] = [];
  for (const role of TEMPLATE_ROLES) {
    const file = path.join(promptsDir(folder), `${role}.md`);
    let text: string | undefined;
    try {
      // Only inside the workspace: a template linked to a file elsewhere would send that file to the endpoint.
      await assertInside(folder, file, `.autodata/prompts/${role}.md`);
      text = await readTextIfExists(file);
    } catch (e) {
      if (e instanceof PathOutsideWorkspaceError) {
        throw e;
      }
      throw new PromptFileError(`Cannot read ${file}: ${(e as Error).message}`);
    }
    if (text === undefined) {
      continue;
    }
    const problems = templateProblems(role, text);
    if (problems.length) {
      throw new PromptFileError(`${path.relative(folder, file)}: ${problems.join('; ')}.`);
    }
    prompts[role] = text;
    overridden.push(role);
  }
  return { prompts, overridden };
}

// What endpoints turned out to accept, kept in the workspace (.autodata/endpoints.json) so the next CLI run starts from
// it instead of learning it again (hosts and model names only: never a key).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { endpointProfiles } from '../core/endpoints/profiles';
import { writeFileAtomic } from './atomic-file';

export function learnedEndpointsFile(root: string): string {
  return path.join(root, '.autodata', 'endpoints.json');
}

export interface LearnedEndpointsKeeper {
  /** Resolves once everything learned so far is on disk (a process must wait for it before it exits). */
  flush(): Promise<void>;
  stop(): void;
}

/** Restores what was learned before and keeps the file up to date until stopped. */
export async function keepLearnedEndpoints(root: string, onNote?: (text: string) => void): Promise<LearnedEndpointsKeeper> {
  const file = learnedEndpointsFile(root);
  try {
    endpointProfiles.restore(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch {
    /* none yet, or unreadable: learn again */
  }
  let writing: Promise<void> = Promise.resolve();
  const stop = endpointProfiles.onLearn((p, note) => {
    onNote?.(`${p.model} at ${p.host}: ${note}`);
    const text = `${JSON.stringify(endpointProfiles.snapshot(), null, 2)}\n`;
    writing = writing.then(() => writeFileAtomic(file, text)).catch(() => undefined);
  });
  return {
    flush: () => writing,
    stop: () => {
      stop();
    },
  };
}

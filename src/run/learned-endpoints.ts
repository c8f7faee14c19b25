// What endpoints turned out to accept, kept in the workspace (.autodata/endpoints.json) so the next CLI run starts from
// it instead of learning it again (hosts and model names only: never a key).
import * as path from 'node:path';
import { endpointProfiles } from '../core/endpoints/profiles';
import { writeFileAtomic } from './atomic-file';
import { assertInside, readRegular } from './workspace-boundary';

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
    // Only a regular file inside the workspace is read: a link out of it, or a pipe, is learned again instead.
    await assertInside(root, file);
    endpointProfiles.restore(JSON.parse((await readRegular(file)).toString('utf8')));
  } catch {
    /* none yet, outside the workspace, or unreadable: learn again */
  }
  let writing: Promise<void> = Promise.resolve();
  const stop = endpointProfiles.onLearn((p, note) => {
    onNote?.(`${p.model} at ${p.host}: ${note}`);
    const text = `${JSON.stringify(endpointProfiles.snapshot(), null, 2)}\n`;
    writing = writing.then(() => writeFileAtomic(file, text, root)).catch(() => undefined);
  });
  return {
    flush: () => writing,
    stop: () => {
      stop();
    },
  };
}

// Real file-system faults for the run-layer tests: a small tmpfs mounted as the workspace (the tests run as root),
// and a dataset record to write.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DatasetRecord } from '../../../src/shared/schemas';
import { datasetRecord } from '../../fakes/dataset-record';

export function mountTmpfs(size: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodata-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return dir;
}
/** Unmounts `dir` and anything mounted inside it (deepest first), then removes it. */
export function unmount(dir: string): void {
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((m) => m.split(' ')[1])
    .filter((at) => at && (at === dir || at.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const at of mounts) {
    execFileSync('umount', ['-l', at]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export function record(id: string, pad = 0): DatasetRecord {
  return datasetRecord(id, { question: `Question ${id}?${'x'.repeat(pad)}` });
}

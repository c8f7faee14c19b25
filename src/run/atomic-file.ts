// Whole-file writes that never leave a half-written file: a temporary file in the same folder, synced, then renamed over.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { assertInside, assertRegularOrMissing } from './workspace-boundary';

/**
 * Readers see the old file or the new one, never a mix; a failure leaves the old file and no temporary behind. The
 * rename replaces a symlink at `file` rather than writing through it. With `workspace`, the file must really be inside
 * that folder (its folder resolved through symlinks); a FIFO, device or folder at `file` is refused.
 */
export async function writeFileAtomic(file: string, text: string, workspace?: string): Promise<void> {
  const dir = path.dirname(file);
  if (workspace) {
    await assertInside(workspace, file);
  }
  await fs.mkdir(dir, { recursive: true });
  await assertRegularOrMissing(file);
  // Same folder, so the rename stays on one file system (and so is atomic).
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const h = await fs.open(tmp, 'wx');
    try {
      await h.writeFile(text, 'utf8');
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

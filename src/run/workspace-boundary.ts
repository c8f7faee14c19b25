// The workspace boundary: every file Autodata reads or writes in a workspace (dataset, run journals and locks, recipe
// and its history, prompt templates, extracted sources, exports) is resolved through symlinks and refused when it
// leaves the folder; a FIFO, device, socket or folder where a file should be is refused without blocking on it.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export class PathOutsideWorkspaceError extends Error {}
export class NotAFileError extends Error {}

/** How many symlinks a path may go through before it counts as a loop. */
const MAX_LINKS = 40;

/**
 * Where `file` really is: the real path of its nearest existing ancestor (symlinks resolved), with the rest appended.
 * A dangling symlink is followed to where its target would be created.
 */
export async function realLocation(file: string): Promise<string> {
  let target = path.resolve(file);
  for (let links = 0; links < MAX_LINKS; links++) {
    let probe = target;
    const rest: string[] = [];
    for (;;) {
      try {
        const real = await fs.realpath(probe);
        return path.join(real, ...rest);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') {
          throw e;
        }
      }
      // realpath fails on a dangling link too: follow it by hand, then start again.
      const st = await fs.lstat(probe).catch(() => undefined);
      if (st?.isSymbolicLink()) {
        const to = await fs.readlink(probe);
        target = path.join(path.resolve(path.dirname(probe), to), ...rest);
        break;
      }
      const parent = path.dirname(probe);
      if (parent === probe) {
        return path.join(probe, ...rest);
      }
      rest.unshift(path.basename(probe));
      probe = parent;
    }
  }
  throw new PathOutsideWorkspaceError(`${file}: too many symbolic links`);
}

function within(rootReal: string, real: string): boolean {
  const rel = path.relative(rootReal, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Throws PathOutsideWorkspaceError unless `file` (an absolute path) really is inside `root`, symlinks followed. */
export async function assertInside(root: string, file: string, what = file): Promise<string> {
  const rootReal = await fs.realpath(root);
  const real = await realLocation(file);
  if (!within(rootReal, real) || real === rootReal) {
    const asWritten = path.resolve(file);
    const underAsWritten = within(path.resolve(root), asWritten) || within(rootReal, asWritten);
    throw new PathOutsideWorkspaceError(
      underAsWritten
        ? `"${what}" leads outside the workspace folder through a link; Autodata reads and writes only inside it`
        : `"${what}" is outside the workspace folder; use a path inside it, such as .autodata/dataset.jsonl`,
    );
  }
  return file;
}

/** Resolves a workspace-relative path, refusing anything that leaves the folder (absolute paths, `..`, symlinks). */
export async function resolveInside(root: string, relative: string): Promise<string> {
  const rootReal = await fs.realpath(root);
  const target = path.resolve(rootReal, relative);
  if (!relative.trim() || !within(rootReal, target) || target === rootReal) {
    throw new PathOutsideWorkspaceError(`"${relative}" is outside the workspace folder; use a path inside it, such as .autodata/dataset.jsonl`);
  }
  await assertInside(rootReal, target, relative);
  return target;
}

/** A path under the workspace folder (as written) must also be inside it for real; a path elsewhere is left alone. */
export async function assertInsideIfUnder(root: string, file: string): Promise<void> {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
    await assertInside(root, file);
  }
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : 'a device';
}

/** Refuses (without opening it, so without blocking) anything at `file` that is not a regular file; a missing file is fine. */
export async function assertRegularOrMissing(file: string): Promise<'file' | 'missing'> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return 'missing';
    }
    throw e;
  }
  if (!st.isFile()) {
    throw new NotAFileError(`${file} is ${kindOf(st)}, not a file: choose a regular file`);
  }
  return 'file';
}

/**
 * Opens a regular file without ever blocking on a FIFO or device: checked with stat first, opened with O_NONBLOCK
 * (so a FIFO swapped in meanwhile cannot hang the open), and checked again on the open handle.
 */
export async function openRegular(file: string, flags: number, mode = 0o666): Promise<fs.FileHandle> {
  await assertRegularOrMissing(file);
  const h = await fs.open(file, flags | constants.O_NONBLOCK, mode);
  try {
    const st = await h.stat();
    if (!st.isFile()) {
      throw new NotAFileError(`${file} is ${kindOf(st)}, not a file: choose a regular file`);
    }
  } catch (e) {
    await h.close();
    throw e;
  }
  return h;
}

/** A whole regular file's bytes (refusing FIFOs, devices and folders without blocking). */
export async function readRegular(file: string): Promise<Buffer> {
  const h = await openRegular(file, constants.O_RDONLY);
  try {
    return await h.readFile();
  } finally {
    await h.close();
  }
}

/** A whole regular file's text, or undefined when there is no such file. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return (await readRegular(file)).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

/**
 * Writes an evidence package as a folder. The folder appears whole or not at all: it is
 * written beside its destination under a temporary name and renamed into place. Only a new
 * path or an empty folder is accepted as the destination; a file, a device, a symbolic link
 * or a folder with anything in it is never replaced (a rename cannot put a folder over
 * anything but an empty folder).
 */
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fail } from '../domain/errors.ts';
import type { PackageFile } from './package.ts';

const OUT_FIELD = 'out';

/** Refuses an `out` that exists and is not an empty folder, or whose parent is not a folder. */
export async function assertOutFolderFree(out: string): Promise<void> {
  const existing = await lstatOrNull(out);
  if (existing === null) {
    const parent = await lstatOrNull(dirname(resolve(out)));
    if (parent === null || !parent.isDirectory()) {
      fail(
        'BD_REQUEST_INVALID',
        `${dirname(resolve(out))} is not a folder; create it first`,
        OUT_FIELD,
      );
    }
    return;
  }

  if (!existing.isDirectory()) {
    fail(
      'BD_REQUEST_INVALID',
      `${out} exists and is not a folder; name a new or empty folder to write the package to`,
      OUT_FIELD,
    );
  }
  if ((await readdir(out)).length > 0) {
    fail('BD_REQUEST_INVALID', `${out} is not empty; name a new or empty folder`, OUT_FIELD);
  }
}

/** Writes `files` into the folder `out` (new or empty), readable by its owner only. */
export async function writePackageFolder(out: string, files: readonly PackageFile[]) {
  await assertOutFolderFree(out);
  const target = resolve(out);
  // Beside the destination, so that the final rename stays on one file system.
  const partial = await mkdtemp(`${target}.partial-`);

  try {
    for (const file of files) await writeInside(partial, file);
    await moveIntoPlace(partial, target);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

async function writeInside(root: string, file: PackageFile): Promise<void> {
  const path = resolve(root, ...file.path.split('/'));
  // Names are made safe when the package is built; this guards against a future mistake.
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`package path ${JSON.stringify(file.path)} leaves the package folder`);
  }

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(file.content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function moveIntoPlace(partial: string, target: string): Promise<void> {
  try {
    await rename(partial, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Something other than an empty folder appeared at `out` while the package was written.
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
      fail('BD_REQUEST_INVALID', `${target} is no longer a new or empty folder`, OUT_FIELD);
    }
    throw err;
  }
}

async function lstatOrNull(path: string) {
  return lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
}

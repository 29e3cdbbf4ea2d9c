/**
 * Writing an export named by an operator's --out. Exports name people and incidents, so the
 * file is readable by its owner only, appears whole or not at all (written beside its
 * destination under a temporary name, then moved into place) and never goes over or through
 * anything but a regular file: a rename over `/dev/null` would turn the system's null device
 * into our file, and a write through a symbolic link would land wherever the link points.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { fail } from '../domain/errors.ts';

export interface OutFileOptions {
  /** What is written, for messages: "the bundle", "the training export". */
  what: string;
  /**
   * The command's --force: true replaces an existing regular file. Leave it out for a command
   * without --force, which never replaces anything.
   */
  force?: boolean;
}

export type Write = (text: string) => Promise<void>;

/**
 * Refuses an `out` that exists, unless it is a regular file that `force` may replace. A
 * device, FIFO, folder or symbolic link (dangling or not) is never replaced.
 */
export async function assertOutFree(out: string, opts: OutFileOptions): Promise<void> {
  const existing = await lstat(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (existing && !existing.isFile()) {
    fail(
      'BD_REQUEST_INVALID',
      `${out} exists and is not a regular file; name a new file to write ${opts.what} to`,
      'out',
    );
  }
  if (existing && opts.force !== true) alreadyExists(out, opts);
}

/**
 * Writes what `body` hands to its `write` into `out` (mode 0600) and returns what `body`
 * returns. On any failure `out` is left as it was and no temporary file stays behind.
 */
export async function writeOutFile<T>(
  out: string,
  opts: OutFileOptions,
  body: (write: Write) => Promise<T>,
): Promise<T> {
  const partial = `${out}.${randomBytes(6).toString('hex')}.partial`;
  const file = await open(partial, 'wx', 0o600);
  try {
    const result = await body(async (text) => {
      if (text !== '') await file.write(text);
    });
    await file.sync();
    await file.close();
    await moveIntoPlace(partial, out, opts);
    return result;
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw err;
  }
}

// Without force, a hard link puts the file in place only if nothing is there yet, even if
// something appeared since the check; where links are not supported, rename does.
async function moveIntoPlace(partial: string, out: string, opts: OutFileOptions): Promise<void> {
  if (opts.force === true) {
    // Checked again: something other than a file may have appeared while the file was written.
    await assertOutFree(out, opts);
    return rename(partial, out);
  }

  try {
    await link(partial, out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') alreadyExists(out, opts);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    return rename(partial, out);
  }
  await rm(partial);
}

function alreadyExists(out: string, opts: OutFileOptions): never {
  const fix =
    opts.force === undefined
      ? `name a new file to write ${opts.what} to`
      : 'pass --force to replace it';
  return fail('BD_REQUEST_INVALID', `${out} already exists; ${fix}`, 'out');
}

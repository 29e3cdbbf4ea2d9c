/**
 * Files named on the command line are user input: a missing one or a broken .gz is bad input
 * to name, not a crash to print.
 */

const FILE_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** What went wrong with a file, in words, or null for an error that is not about a file. */
export function describeFileError(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException & { errno?: number };
  if (typeof e?.code !== 'string') return null;
  const what = FILE_CODES[e.code];
  if (what) return `${e.path ?? 'file'}: ${what}`;
  if (e.code.startsWith('Z_') || e.code === 'ERR_BUFFER_TOO_LARGE') {
    return `not a readable gzip file (${e.message})`;
  }
  return null;
}

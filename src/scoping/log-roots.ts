/**
 * Which server folders an HTTP caller may have scoped. The CLI runs as the operator, who
 * can read what they like; over HTTP, a path is a request to read the server's disk, so only
 * folders listed in BREACHDESK_LOG_ROOTS (separated by the platform's path delimiter) qualify.
 */
import { realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, resolve, sep } from 'node:path';
import { fail } from '../domain/errors.ts';

export function configuredLogRoots(): string[] {
  return (process.env.BREACHDESK_LOG_ROOTS ?? '')
    .split(delimiter)
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => resolve(r));
}

// The part of a path before its first glob character: the folder the pattern lives in.
function fixedPart(path: string): string {
  const i = path.search(/[*?[{]/);
  if (i < 0) return path;
  const cut = path.lastIndexOf(sep, i);
  return cut <= 0 ? sep : path.slice(0, cut);
}

/** Refuses any path that is not absolute, climbs with '..', or lies outside every root. */
export async function assertUnderLogRoots(paths: readonly string[]): Promise<void> {
  const roots = configuredLogRoots();
  if (roots.length === 0) {
    fail(
      'BD_SCOPE_FORBIDDEN_PATH',
      'scoping over HTTP reads only folders listed in BREACHDESK_LOG_ROOTS, and none is set',
      'paths',
    );
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => r)));

  for (const [i, p] of paths.entries()) {
    const field = `paths[${i}]`;
    if (!isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
      fail('BD_SCOPE_FORBIDDEN_PATH', `${field} must be an absolute path without '..'`, field);
    }
    // Resolve symbolic links in the fixed part, so a link cannot lead out of a root.
    const base = await realpath(fixedPart(p)).catch(() => resolve(fixedPart(p)));
    const inside = realRoots.some((root) => base === root || base.startsWith(root + sep));
    if (!inside) {
      fail('BD_SCOPE_FORBIDDEN_PATH', `${field} is outside the folders allowed for scoping`, field);
    }
  }
}

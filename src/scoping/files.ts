import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { fail } from '../domain/errors.ts';
import { escapedControls, lineBreakOrControlIn } from '../domain/visible-text.ts';

/** How a file's bytes are compressed, judged from its first bytes rather than its name. */
export type Compression = 'gzip' | 'zstd' | 'none';

const GLOB_CHARS = /[*?[{]/;

/**
 * Expands plain paths and glob patterns (`*`, `?`, `**`, `[abc]`, `{a,b}`) into a sorted,
 * de-duplicated list of absolute file paths. Relative inputs resolve against `cwd`.
 * Node 20 has no fs.glob (it arrived in Node 22), hence the small walker below; it does not
 * descend into symbolic links to directories, so a link loop cannot hang a scope.
 * Fails with BD_SCOPE_NO_FILES naming the first path or pattern that matches no file.
 */
export async function expandPaths(
  inputs: readonly string[],
  cwd: string = process.cwd(),
): Promise<string[]> {
  if (inputs.length === 0) fail('BD_SCOPE_INVALID', 'give at least one log path', 'paths');

  const found = new Set<string>();
  for (const [i, input] of inputs.entries()) {
    const matches = GLOB_CHARS.test(input)
      ? await expandGlob(input, cwd)
      : await plainFile(path.resolve(cwd, input), input);
    if (matches.length === 0) fail('BD_SCOPE_NO_FILES', `no file matches "${input}"`, 'paths');
    for (const file of matches) {
      checkFileName(file, `paths[${i}]`);
      found.add(file);
    }
  }
  return [...found].sort();
}

/**
 * File names are stored with the scoping run and shown again (console, regulator report,
 * evidence), so a pattern may not sweep in one that a typed path would be refused for: a
 * control or bidi character could show one file's name as another's. Skipping it instead
 * would leave its log unread and its tenants out of scope.
 */
function checkFileName(file: string, field: string): void {
  const control = lineBreakOrControlIn(file);
  if (control === null) return;

  fail(
    'BD_SCOPE_INVALID',
    `${field} matches ${escapedControls(file)}, whose name holds a control or bidi ` +
      `character (${control}); rename the file or narrow the pattern`,
    field,
  );
}

/** Sniffs the compression of a file from its magic number (RFC 1952 gzip, RFC 8878 zstd). */
export async function detectCompression(file: string): Promise<Compression> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buffer.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await handle.close();
  }
}

async function plainFile(absolute: string, input: string): Promise<string[]> {
  const info = await stat(absolute).catch(() => null);
  if (info === null) return [];

  // A bare directory would sweep in READMEs and checksums; ask for a pattern instead.
  if (info.isDirectory()) {
    fail(
      'BD_SCOPE_NO_FILES',
      `"${input}" is a directory; give a pattern such as ${input}/**/*.json.gz`,
      'paths',
    );
  }
  return info.isFile() ? [absolute] : [];
}

async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = path.resolve(cwd, pattern).split(path.sep).join('/');
  const segments = absolute.split('/');

  // Walk only below the longest leading part without glob characters.
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const base = segments.slice(0, firstGlob).join('/') || '/';
  const rest = segments.slice(firstGlob);
  const matcher = globToRegExp(rest.join('/'));
  const maxDepth = rest.includes('**') ? Infinity : rest.length;

  const files: string[] = [];
  await walk(base, '', maxDepth, (relative, full) => {
    if (matcher.test(relative)) files.push(full);
  });
  return files;
}

async function walk(
  dir: string,
  prefix: string,
  depthLeft: number,
  visit: (relative: string, full: string) => void,
): Promise<void> {
  if (depthLeft <= 0) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);

  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      await walk(full, relative, depthLeft - 1, visit);
    } else if (entry.isFile()) {
      visit(relative, full);
    } else if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => null);
      if (target?.isFile() === true) visit(relative, full);
    }
  }
}

/** Translates a glob over '/'-separated paths into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob.charAt(i);

    if (char === '*' && glob[i + 1] === '*') {
      // '**/' matches zero or more whole directories; a trailing '**' matches anything.
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:[^/]+/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      const body = glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else if (char === '{') {
      const end = glob.indexOf('}', i);
      if (end === -1) {
        out += '\\{';
        continue;
      }
      const options = glob
        .slice(i + 1, end)
        .split(',')
        .map(escapeRegExp);
      out += `(?:${options.join('|')})`;
      i = end;
    } else {
      out += escapeRegExp(char);
    }
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

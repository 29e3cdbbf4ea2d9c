/**
 * Safe names for evidence files inside an export package. The names come from outsiders (the
 * attachment names of a reporter's e-mail), so each is reduced to one plain path component
 * that every common file system accepts and that cannot reach outside the package folder.
 * Pure: no I/O. The original name is kept in the manifest beside the safe one.
 */

/** Longest safe name, in UTF-8 bytes: under the usual 255-byte limit with room for a suffix. */
export const SAFE_NAME_MAX_BYTES = 150;

// Longest tail kept as an extension when a name is shortened.
const EXTENSION_MAX_BYTES = 16;

// Controls, format characters (bidi overrides can disguise `exe.pdf` as `fdp.exe`), the
// Unicode line separators, and the characters Windows refuses in a name.
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029<>:"|?*]/gu;

// Windows treats these as devices whatever the extension: `CON`, `con.txt`, `LPT1.tar.gz`.
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

const FALLBACK = 'file';

/**
 * One safe path component for `name`: its last segment after any `/` or `\`, unsafe
 * characters replaced by `_`, leading and trailing dots and spaces removed (no `..`, no
 * hidden files, nothing Windows would silently strip), device names prefixed with `_`, and
 * at most SAFE_NAME_MAX_BYTES bytes, keeping a short extension.
 */
export function safeFileName(name: string): string {
  const last = name.normalize('NFC').split(/[/\\]/).filter(Boolean).at(-1) ?? '';
  let safe = last.replace(UNSAFE, '_').replace(/^[.\s]+|[.\s]+$/g, '');
  if (safe === '' || /^_+$/.test(safe)) safe = FALLBACK;
  if (DEVICE.test(safe)) safe = `_${safe}`;

  return shorten(safe, SAFE_NAME_MAX_BYTES);
}

/**
 * Safe names for `names`, in order, each unique without regard to case (so that none
 * overwrites another on a case-insensitive file system): a repeat becomes `name-2.ext`,
 * `name-3.ext`, and so on.
 */
export function uniqueSafeFileNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const base = safeFileName(name);
    let candidate = base;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = withSuffix(base, n);
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function withSuffix(name: string, n: number): string {
  const { stem, extension } = split(name);
  const suffix = `-${n}`;
  return `${shorten(stem, SAFE_NAME_MAX_BYTES - bytes(suffix + extension))}${suffix}${extension}`;
}

// `report.final.pdf` → stem `report.final`, extension `.pdf`; a long tail is no extension.
function split(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || bytes(name.slice(dot)) > EXTENSION_MAX_BYTES)
    return { stem: name, extension: '' };
  return { stem: name.slice(0, dot), extension: name.slice(dot) };
}

/** `name` cut to at most `max` UTF-8 bytes, keeping its extension and whole characters. */
function shorten(name: string, max: number): string {
  if (bytes(name) <= max) return name;

  const { stem, extension } = split(name);
  let out = '';
  for (const char of stem) {
    if (bytes(out + char) + bytes(extension) > max) break;
    out += char;
  }
  // Cutting can leave a trailing dot or space, which Windows would strip.
  return `${out.replace(/[.\s]+$/, '') || FALLBACK}${extension}`;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * ArcSight Common Event Format text read into its parts. The layout and escapes follow
 * "Micro Focus Security ArcSight Common Event Format, Implementing ArcSight CEF" (rev. 25):
 *
 *   CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|
 *     Severity|Extension   (one line)
 *
 * In the header a pipe is written `\|` and a backslash `\\`. The extension is space-separated
 * `key=value` pairs; in values `=` is written `\=`, a backslash `\\`, and line breaks `\n` and
 * `\r`. Values may hold spaces: a value runs until the space before the next `key=`.
 */
import { fail } from '../domain/errors.ts';
import { describe } from './outcome.ts';

/** The seven header fields after `CEF:`, in order, by the names error messages use. */
export const CEF_HEADER_FIELDS = [
  'version',
  'deviceVendor',
  'deviceProduct',
  'deviceVersion',
  'signatureId',
  'name',
  'severity',
] as const;
type HeaderField = (typeof CEF_HEADER_FIELDS)[number];

/** A custom field (`cs1`, `cn2`, `deviceCustomDate1` …) with the label its sender gave it. */
export interface CefCustomField {
  key: string;
  label: string | null;
  value: string;
}

/** One CEF record: header fields unescaped, extension pairs unescaped (first of a key wins). */
export interface CefRecord {
  version: number;
  deviceVendor: string;
  deviceProduct: string;
  deviceVersion: string;
  /** "Device Event Class ID": what kind of event this is, per vendor and product. */
  signatureId: string;
  name: string;
  /** The severity exactly as written (0–10 or Unknown, Low, Medium, High, Very-High). */
  severity: string;
  extension: Map<string, string>;
  custom: CefCustomField[];
}

// CEF 0.x writes `CEF:0`; the 1.x revisions write `CEF:1`.
const SUPPORTED_VERSIONS = new Set([0, 1]);
// Keys are letters and digits in the spec; vendors add dots (ArcSight `ad.` fields), `_`, `-`.
const KEY_AT = /(?:^| )([A-Za-z0-9_.-]+)=/g;
// The spec's custom fields, each paired with `<key>Label`.
const CUSTOM_KEY = new RegExp(
  '^(?:cs[1-6]|cn[1-3]|cfp[1-4]|c6a[1-4]|deviceCustomDate[12]|' +
    'flexString[12]|flexNumber[12]|flexDate1)$',
);

/**
 * Parses text starting with `CEF:`. Rejections name the header field (`header.severity`) or
 * the extension (`extension`) at fault.
 */
export function parseCefText(text: string): CefRecord {
  const { fields, rest } = splitHeader(text);
  const [
    versionText = '',
    deviceVendor = '',
    deviceProduct = '',
    deviceVersion = '',
    signatureId = '',
  ] = fields;
  const name = fields[5]?.trim() ?? '';
  const severity = fields[6]?.trim() ?? '';

  const version = versionOf(versionText);
  if (!name) fail('BD_INTAKE_FIELD_MISSING', 'header.name is required', 'header.name');
  if (!severity) fail('BD_INTAKE_FIELD_MISSING', 'header.severity is required', 'header.severity');

  const extension = parseExtension(rest);
  return {
    version,
    deviceVendor,
    deviceProduct,
    deviceVersion,
    signatureId,
    name,
    severity,
    extension,
    custom: customFields(extension),
  };
}

/** The seven header fields, unescaped, and the extension text after the seventh pipe. */
function splitHeader(text: string): { fields: string[]; rest: string } {
  const fields: string[] = [];
  let current = '';

  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    const next = text[i + 1];
    if (char === '\\' && (next === '|' || next === '\\')) {
      current += next;
      i += 1;
    } else if (char === '|') {
      fields.push(current);
      current = '';
      if (fields.length === CEF_HEADER_FIELDS.length) return { fields, rest: text.slice(i + 1) };
    } else {
      current += char;
    }
  }

  // A record that ends right after the severity has no extension; tolerate the missing pipe.
  fields.push(current);
  if (fields.length < CEF_HEADER_FIELDS.length) {
    const missing: HeaderField = CEF_HEADER_FIELDS[fields.length] ?? 'severity';
    fail(
      'BD_INTAKE_FIELD_MISSING',
      `header.${missing} is missing: a CEF header has 7 fields separated by | ` +
        `(CEF:Version|Vendor|Product|Version|Event Class ID|Name|Severity|), got ${fields.length}`,
      `header.${missing}`,
    );
  }
  return { fields, rest: '' };
}

function versionOf(text: string): number {
  const match = /^\s*CEF:(\d{1,3})$/.exec(text);
  const version = match ? Number(match[1]) : Number.NaN;

  if (!SUPPORTED_VERSIONS.has(version)) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `header.version ${describe(text)} is not supported; expected CEF:0 or CEF:1`,
      'header.version',
    );
  }
  return version;
}

/** The extension's pairs. Text before the first `key=` is refused: it belongs to no key. */
function parseExtension(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const body = text.trimStart();
  if (!body.trim()) return pairs;

  const keys = [...body.matchAll(KEY_AT)];
  if (keys[0]?.index !== 0) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `extension must be space-separated key=value pairs, got ${describe(body)}`,
      'extension',
    );
  }

  for (const [i, match] of keys.entries()) {
    const key = match[1] ?? '';
    const start = match.index + match[0].length;
    const end = keys[i + 1]?.index ?? body.length;
    // The spaces before the next key separate the pairs; they are not part of the value.
    if (!pairs.has(key)) pairs.set(key, unescapeValue(body.slice(start, end).trimEnd()));
  }
  return pairs;
}

/** `\=`, `\\`, `\n` and `\r` per the spec; any other backslash is kept as written. */
function unescapeValue(value: string): string {
  return value.replace(/\\([=\\nr])/g, (_all, char: string) => {
    if (char === 'n') return '\n';
    return char === 'r' ? '\r' : char;
  });
}

function customFields(extension: Map<string, string>): CefCustomField[] {
  const fields: CefCustomField[] = [];
  for (const [key, value] of extension) {
    if (!CUSTOM_KEY.test(key)) continue;
    fields.push({ key, label: extension.get(`${key}Label`)?.trim() || null, value });
  }
  return fields;
}

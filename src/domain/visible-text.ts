/**
 * Text a person writes for other people to read (a hold reason, a report title): it must show
 * something, and a one-line field must stay one line. Pure checks, no I/O.
 */

// Characters that show nothing on their own: white space and separators of every kind,
// control and format characters (zero-width space, joiners, BOM, bidi marks), combining marks,
// and the blank letters (Hangul fillers, braille blank) that Unicode does not class as space.
const INVISIBLE = /[\s\p{Z}\p{Cc}\p{Cf}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/gu;

// What breaks a one-line field or changes how the rest of it reads: control characters (tab,
// CR, LF, ESC, C1 controls), the Unicode line and paragraph separators, and the bidi
// embeddings, overrides and isolates that can make a line display in another order.
const NOT_ONE_LINE = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** True when `text` shows nothing: only white space, controls, format characters or marks. */
export function showsNoText(text: string): boolean {
  return text.replace(INVISIBLE, '') === '';
}

/**
 * The first character that has no place in a one-line field, as `U+000A`, or null when
 * there is none.
 */
export function lineBreakOrControlIn(text: string): string | null {
  const found = NOT_ONE_LINE.exec(text);
  return found === null ? null : codePoint(found[0]);
}

// What has no place in text of several lines either: controls other than line feed, carriage
// return and tab, and the bidi embeddings, overrides and isolates, which left unclosed turn the
// system's own text after them around when both are shown together.
const NOT_IN_TEXT = /[^\P{Cc}\n\r\t]|[\u202A-\u202E\u2066-\u2069]/u;

/**
 * The first character that has no place in a field of several lines (a post-mortem, an
 * evidence statement), as `U+202E`, or null when there is none. Line breaks are kept.
 */
export function controlOrBidiIn(text: string): string | null {
  const found = NOT_IN_TEXT.exec(text);
  return found === null ? null : codePoint(found[0]);
}

// Format characters (Unicode category Cf) show nothing yet make a name differ from its twin:
// `al\u200Bice` is not `alice`. Zero-width spaces and joiners, word joiner, BOM, soft hyphen,
// bidi marks and the tag characters U+E0000-U+E007F are all Cf.
const FORMAT = /\p{Cf}/u;

/**
 * The first format character (zero-width space or joiner, BOM, tag character, ...) in `text`,
 * as `U+200B`, or null when there is none. For one-line identifiers (an owner, a principal)
 * that people compare by eye; text of several lines may keep them (an emoji sequence).
 */
export function formatCharacterIn(text: string): string | null {
  const found = FORMAT.exec(text);
  return found === null ? null : codePoint(found[0]);
}

function codePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

const NOT_ONE_LINE_ALL = new RegExp(NOT_ONE_LINE.source, 'gu');

/**
 * `text` made fit for a one-line field: each run of line breaks, controls and bidi overrides
 * becomes one space. For text a machine sent (an alert's title), which is kept rather than
 * refused; the record as received keeps the original.
 */
export function oneLine(text: string): string {
  return text.replace(NOT_ONE_LINE_ALL, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * `text` safe to print where an operator reads it (a terminal, a log line): each control
 * character, line or paragraph separator and bidi override is written as its code point
 * (`\u001b`), so text a sender chose can neither recolour nor move nor reorder what is shown.
 */
export function escapedControls(text: string): string {
  return text.replace(
    NOT_ONE_LINE_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Splits a mail file into messages: a single message (`.eml`) or an mbox archive, told apart
 * by the first line, which in an mbox is a `From ` separator. Messages are handed on one at a
 * time, so an archive of any size is read in bounded memory.
 */
import type { ByteLine } from './byte-lines.ts';

/** One message of the file: its text (CRLF line ends) and the 1-based line it starts on. */
export type MailboxItem =
  { line: number; raw: Buffer } | { line: number; tooLarge: true; bytes: number };

// RFC 5322 §2.1: CRLF is the line end of a message, whatever the file used. Rebuilding with it
// gives the same bytes (and hash) whether the file was saved with LF or CRLF, and is the form
// PGP/MIME and DKIM signatures are computed over.
const CRLF = Buffer.from('\r\n');

const FROM = Buffer.from('From ');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const QUOTE = 0x3e; // >

/**
 * Groups `lines` into messages. In an mbox (RFC 4155), a line starting `From ` after a blank
 * line (or at the start) begins a message and is not part of it, the blank line before it is
 * the separator's, and `>From `, `>>From ` … lose one `>` (mboxrd; for mboxo files this is
 * also right except for a body line that itself began `>From `). A message larger than
 * `maxBytes` is reported with its size and skipped, never held in memory whole. Lines are
 * bytes, so a message keeps every byte of whatever charset it was written in.
 */
export async function* splitMailbox(
  lines: AsyncIterable<ByteLine>,
  maxBytes: number,
): AsyncGenerator<MailboxItem> {
  let mbox: boolean | null = null;
  let start = 0;
  let parts: Buffer[] = [];
  let bytes = 0;
  let previousBlank = true;

  function* finish(): Generator<MailboxItem> {
    if (mbox === true && parts.at(-1)?.length === 0) {
      parts.pop();
      bytes -= CRLF.length;
    }
    if (bytes > maxBytes) yield { line: start, tooLarge: true, bytes };
    else if (parts.some(hasContent)) {
      yield { line: start, raw: Buffer.concat(parts.flatMap((part) => [part, CRLF])) };
    }
    parts = [];
    bytes = 0;
  }

  for await (const item of lines) {
    const { line } = item;
    const text = line === 1 && startsWith(item.bytes, BOM) ? item.bytes.subarray(3) : item.bytes;
    mbox ??= startsWith(text, FROM);

    if (mbox && previousBlank && startsWith(text, FROM)) {
      yield* finish();
      start = line;
      previousBlank = false;
      continue;
    }
    if (start === 0) start = line;
    previousBlank = text.length === 0 && item.tooLong !== true;

    const content = mbox && quotedFrom(text) ? text.subarray(1) : text;
    bytes += (item.tooLong ? item.size : content.length) + CRLF.length;
    // Past the limit the message is only counted, so memory stays bounded by maxBytes.
    if (bytes <= maxBytes) parts.push(content);
    else parts = [];
  }
  yield* finish();
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

/** `>From `, `>>From ` …: a body line an mbox writer quoted. */
function quotedFrom(bytes: Buffer): boolean {
  let i = 0;
  while (bytes[i] === QUOTE) i += 1;
  return i > 0 && startsWith(bytes.subarray(i), FROM);
}

// A file of blank lines and spaces holds no message.
function hasContent(part: Buffer): boolean {
  return part.some((byte) => !BLANK_BYTES.has(byte));
}

// Space, tab, CR, LF, vertical tab, form feed.
const BLANK_BYTES = new Set([0x20, 0x09, 0x0d, 0x0a, 0x0b, 0x0c]);

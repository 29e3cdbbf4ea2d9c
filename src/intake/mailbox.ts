/**
 * Splits a mail file into messages: a single message (`.eml`) or an mbox archive, told apart
 * by the first line, which in an mbox is a `From ` separator. Messages are handed on one at a
 * time, so an archive of any size is read in bounded memory.
 */
import type { ByteLine } from './byte-lines.ts';
import { MessageBytes } from './message-bytes.ts';

/** One message of the file: its text (CRLF line ends) and the 1-based line it starts on. */
export type MailboxItem =
  | { line: number; raw: Buffer }
  | { line: number; tooLarge: true; bytes: number }
  | { line: number; crLineEnds: true };

const FROM = Buffer.from('From ');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const QUOTE = 0x3e; // >
const CR = 0x0d;

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
  const message = new MessageBytes(maxBytes);
  // Blank lines not yet added: in an mbox the last of them before a separator (or the end of
  // the file) is the separator's, not the message's, and must not count against its size.
  let blanks = 0;
  let previousBlank = true;

  function* finish(): Generator<MailboxItem> {
    addBlanks(mbox === true ? blanks - 1 : blanks);
    if (message.size > maxBytes) yield { line: start, tooLarge: true, bytes: message.size };
    else if (message.hasContent) yield { line: start, raw: Buffer.from(message.bytes()) };
    message.clear();
  }
  function addBlanks(n: number): void {
    for (let i = 0; i < n; i++) message.add(EMPTY);
    blanks = 0;
  }

  for await (const item of lines) {
    const { line } = item;
    // A line over the limit still shows its start, so that it can be a separator.
    const lead = item.tooLong ? (item.head ?? EMPTY) : item.bytes;
    const bom = line === 1 && startsWith(lead, BOM) ? BOM.length : 0;
    const text = lead.subarray(bom);
    mbox ??= startsWith(text, FROM);

    if (mbox && previousBlank && startsWith(text, FROM)) {
      yield* finish();
      // A file whose lines end in CR alone (classic Mac OS) reads as one line: taken as a
      // separator it would vanish whole, so it is refused, saying what to do about it.
      if (text.includes(CR)) yield { line, crLineEnds: true };
      start = line;
      previousBlank = false;
      continue;
    }
    if (start === 0) start = line;
    previousBlank = text.length === 0 && item.tooLong !== true;
    if (previousBlank) {
      blanks += 1;
      continue;
    }

    addBlanks(blanks);
    const quoted = mbox && quotedFrom(text);
    if (item.tooLong) message.count(item.size - bom - (quoted ? 1 : 0));
    else message.add(quoted ? text.subarray(1) : text);
  }
  yield* finish();
}

const EMPTY = Buffer.alloc(0);

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

/** `>From `, `>>From ` …: a body line an mbox writer quoted. */
function quotedFrom(bytes: Buffer): boolean {
  let i = 0;
  while (bytes[i] === QUOTE) i += 1;
  return i > 0 && startsWith(bytes.subarray(i), FROM);
}

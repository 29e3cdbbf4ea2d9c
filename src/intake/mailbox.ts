/**
 * Splits a mail file into messages: a single message (`.eml`) or an mbox archive, told apart
 * by the first line, which in an mbox is a `From ` separator. Messages are handed on one at a
 * time, so an archive of any size is read in bounded memory.
 */

/** One message of the file: its text (CRLF line ends) and the 1-based line it starts on. */
export type MailboxItem =
  { line: number; raw: Buffer } | { line: number; tooLarge: true; bytes: number };

// RFC 5322 §2.1: CRLF is the line end of a message, whatever the file used. Rebuilding with it
// gives the same bytes (and hash) whether the file was saved with LF or CRLF, and is the form
// PGP/MIME and DKIM signatures are computed over.
const CRLF = '\r\n';

/**
 * Groups `lines` into messages. In an mbox (RFC 4155), a line starting `From ` after a blank
 * line (or at the start) begins a message and is not part of it, the blank line before it is
 * the separator's, and `>From `, `>>From ` … lose one `>` (mboxrd; for mboxo files this is
 * also right except for a body line that itself began `>From `). A message larger than
 * `maxBytes` is reported with its size and skipped, never held in memory whole.
 */
export async function* splitMailbox(
  lines: AsyncIterable<{ line: number; text: string }>,
  maxBytes: number,
): AsyncGenerator<MailboxItem> {
  let mbox: boolean | null = null;
  let start = 0;
  let parts: string[] = [];
  let bytes = 0;
  let previousBlank = true;

  function* finish(): Generator<MailboxItem> {
    if (mbox === true && parts.at(-1) === '') {
      parts.pop();
      bytes -= CRLF.length;
    }
    if (bytes > maxBytes) yield { line: start, tooLarge: true, bytes };
    else if (parts.some((part) => part.trim() !== '')) {
      yield { line: start, raw: Buffer.from(parts.join(CRLF) + CRLF, 'utf8') };
    }
    parts = [];
    bytes = 0;
  }

  for await (const { line, text: rawText } of lines) {
    const text = line === 1 ? rawText.replace(/^\uFEFF/, '') : rawText;
    mbox ??= text.startsWith('From ');

    if (mbox && previousBlank && text.startsWith('From ')) {
      yield* finish();
      start = line;
      previousBlank = false;
      continue;
    }
    if (start === 0) start = line;
    previousBlank = text === '';

    const content = mbox && /^>+From /.test(text) ? text.slice(1) : text;
    bytes += Buffer.byteLength(content, 'utf8') + CRLF.length;
    // Past the limit the message is only counted, so memory stays bounded by maxBytes.
    if (bytes <= maxBytes) parts.push(content);
    else parts = [];
  }
  yield* finish();
}

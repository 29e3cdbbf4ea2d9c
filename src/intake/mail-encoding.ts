/**
 * Mail is 8-bit text and is kept as the bytes it was sent as. A file saved as UTF-16 or UTF-32
 * is not mail as sent: read as bytes, every message in it would be refused for missing headers
 * (or, in an mbox, run into the next). Such a file is refused whole, saying how to convert it;
 * so is one that begins with those byte order marks before 8-bit text, since its first line
 * would no longer be seen as an mbox separator and its messages would be read as one.
 */
import { BreachdeskError } from '../domain/errors.ts';
import type { ByteLine } from './byte-lines.ts';
import { unicodeMark } from './utf16.ts';

const LF = Buffer.from('\n');
const START_BYTES = 8; // a UTF-32 mark and the unit after it

/**
 * `lines` unchanged, once the file's first bytes have been checked. A byte order mark followed
 * by a character of plain text in that encoding (a header name begins so) means the file is in
 * that encoding; the same bytes followed by anything else are stray bytes in front of 8-bit
 * text. Both are refused, with different advice. The first lines are held until there are
 * enough bytes to tell, since in UTF-16 the line end's own byte can come right after the mark.
 */
export async function* refusingUnicodeMail(
  lines: AsyncIterable<ByteLine>,
): AsyncGenerator<ByteLine> {
  let held: ByteLine[] | null = [];
  let start = Buffer.alloc(0);

  for await (const line of lines) {
    if (held === null) {
      yield line;
      continue;
    }
    const bytes = line.tooLong ? (line.head ?? line.bytes) : line.bytes;
    start = Buffer.concat(held.length > 0 ? [start, LF, bytes] : [bytes]);
    held.push(line);
    if (start.length < START_BYTES) continue;

    refuseUnicodeStart(start);
    yield* held;
    held = null;
  }

  if (held !== null) {
    refuseUnicodeStart(start);
    yield* held;
  }
}

function refuseUnicodeStart(start: Buffer): void {
  const mark = unicodeMark(start);
  if (mark === null) return;

  const name = mark.toUpperCase();
  const width = mark.startsWith('utf-32') ? 4 : 2;
  const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');
  const bytes = [...start.subarray(0, width)].map(hex);
  const message = plainTextAfter(start, mark)
    ? `the file is in ${name} (it begins with that byte order mark); mail is read as the ` +
      `8-bit text it was sent as, so convert it first (iconv -f ${name} -t UTF-8, after ` +
      'gunzip for a .gz) and send it again'
    : `the file begins with bytes ${bytes.join(' ')} (a ${name} byte order mark), but what ` +
      `follows is not ${name} text; if it is 8-bit mail with stray bytes in front, remove ` +
      `them (tail -c +${width + 1} FILE > FIXED, after gunzip for a .gz) and send it again`;
  throw new BreachdeskError('BD_FILE_UNREADABLE', message, 'file');
}

/** True if the unit after the mark is a tab, line end or printable ASCII in `mark`'s form. */
function plainTextAfter(start: Buffer, mark: NonNullable<ReturnType<typeof unicodeMark>>) {
  const width = mark.startsWith('utf-32') ? 4 : 2;
  const unit = start.subarray(width, width * 2);
  if (unit.length < width) return false;

  const bigEndian = mark.endsWith('be');
  const low = (bigEndian ? unit[width - 1] : unit[0]) ?? 0;
  const high = bigEndian ? unit.subarray(0, width - 1) : unit.subarray(1);
  const plain = low === 0x09 || low === 0x0a || low === 0x0d || (low >= 0x20 && low < 0x7f);
  return plain && high.every((byte) => byte === 0);
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * True when a message's header section is a quarter or more NUL bytes: text in UTF-16 or
 * UTF-32 without a byte order mark (mail never holds NUL in its headers). Such a message is
 * refused saying so, rather than for a missing From that the sender cannot make sense of.
 */
export function wideTextHeader(raw: Buffer): boolean {
  const end = raw.indexOf(HEADER_END);
  const header = raw.subarray(0, end < 0 ? raw.length : end);

  let nul = 0;
  for (const byte of header) if (byte === 0) nul += 1;
  return nul >= 2 && nul * 4 >= header.length;
}

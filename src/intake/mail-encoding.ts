/**
 * Mail is 8-bit text and is kept as the bytes it was sent as. A file saved as UTF-16 or UTF-32
 * is not mail as sent: read as bytes, every message in it would be refused for missing headers.
 * Such a file is refused whole instead, saying why and how to convert it.
 */
import { BreachdeskError } from '../domain/errors.ts';
import type { ByteLine } from './byte-lines.ts';
import { unicodeMark } from './utf16.ts';

const LF = Buffer.from('\n');
const START_BYTES = 8; // a UTF-32 mark and the unit after it

/**
 * `lines` unchanged, once the file's first bytes have been checked. Only a byte order mark
 * followed by a character of plain text in that encoding (a header name begins so) counts:
 * bytes FF FE or FE FF followed by anything else are two stray bytes of an 8-bit file, read as
 * they are. The first lines are held until there are enough bytes to tell, since in UTF-16 the
 * line end's own byte can come right after the mark.
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
  if (mark === null || !plainTextAfter(start, mark)) return;

  const name = mark.toUpperCase();
  throw new BreachdeskError(
    'BD_FILE_UNREADABLE',
    `the file begins with a ${name} byte order mark; mail is read as the 8-bit text it was ` +
      `sent as, so convert it first (iconv -f ${name} -t UTF-8)`,
    'file',
  );
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

/**
 * Files saved as UTF-16 are read by turning them into UTF-8 as they stream: Windows PowerShell
 * 5.1 writes UTF-16LE, with a byte order mark, for `>` and `Out-File`, so an analyst's export
 * from a Windows host often arrives so. Only a file that begins with a byte order mark is taken
 * for UTF-16; without one nothing says which encoding it is, and nothing is guessed.
 */
import { Readable } from 'node:stream';

import { BreachdeskError } from '../domain/errors.ts';
import { peek } from './peek.ts';
import { allChunks } from './stream-chunks.ts';

type Utf16 = 'utf-16le' | 'utf-16be';

/**
 * `stream` as UTF-8 bytes: unchanged unless its first two bytes are a UTF-16 byte order mark
 * (FF FE little-endian, FE FF big-endian), in which case the mark is dropped and the rest
 * transcoded. Text that is not valid UTF-16 (half a surrogate pair, an odd last byte) ends
 * the stream with BD_FILE_UNREADABLE naming the byte; so does a UTF-32 mark, which is not read.
 * For a `head` of a file (format detection) a character cut at the end is dropped, not an error.
 */
export async function utf16AsUtf8(stream: Readable, head = false): Promise<Readable> {
  // allChunks, not the stream's own iterator, which drops what a broken .gz had buffered.
  const { start, all } = await peek(allChunks(stream), 4);
  const mark = unicodeMark(start);
  if (mark === 'utf-32le' || mark === 'utf-32be') return refused(all, mark);
  return mark === null ? Readable.from(all) : Readable.from(transcoded(all, mark, head));
}

type Mark = Utf16 | 'utf-32le' | 'utf-32be';

/** The Unicode encoding that the byte order mark at the start of `start` names, if any. */
export function unicodeMark(start: Buffer): Mark | null {
  const [a, b, c, d] = start;
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return 'utf-32le';
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return 'utf-32be';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  return null;
}

/** A stream that fails before its first chunk, having closed the file's. */
function refused(chunks: AsyncGenerator<Buffer>, mark: Mark): Readable {
  void chunks.return(undefined);
  const error = new BreachdeskError(
    'BD_FILE_UNREADABLE',
    `the file begins with a ${mark.toUpperCase()} byte order mark, and UTF-32 is not read; ` +
      'convert it to UTF-8 (iconv -f UTF-32 -t UTF-8) and send it again',
    'file',
  );
  return new Readable({
    read() {
      this.destroy(error);
    },
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Decoded by hand rather than with TextDecoder, which says that the text is broken but not
 * where: everything before the first unit that is not UTF-16 is still handed on, so the lines
 * before it are read, and the error names the byte.
 */
async function* transcoded(
  chunks: AsyncGenerator<Buffer>,
  encoding: Utf16,
  head: boolean,
): AsyncGenerator<Buffer> {
  let offset = 0; // in the file, of the first byte of `bytes` below
  let carry: Buffer = Buffer.alloc(0);
  let first = true;

  for await (const chunk of chunks) {
    let bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    if (first) {
      bytes = bytes.subarray(2);
      offset = 2;
      first = false;
    }

    // Whole code units only, and a high surrogate waits for the low one in the next chunk.
    let usable = bytes.length - (bytes.length % 2);
    const units = utf16Units(bytes.subarray(0, usable), encoding);
    if (units.length > 0 && /[\uD800-\uDBFF]$/.test(units)) usable -= 2;
    const text = units.slice(0, usable / 2);

    const bad = text.search(LONE_SURROGATE);
    if (bad >= 0) {
      yield Buffer.from(text.slice(0, bad), 'utf8');
      throw notUtf16(encoding, offset + bad * 2);
    }
    yield Buffer.from(text, 'utf8');
    carry = Buffer.from(bytes.subarray(usable));
    offset += usable;
  }

  // Left over: an odd last byte, or a high surrogate with nothing after it.
  if (carry.length > 0 && !head) throw notUtf16(encoding, offset, 'end');
}

/** The code units of `bytes` (an even number of them), as a string; big-endian swapped. */
function utf16Units(bytes: Buffer, encoding: Utf16): string {
  if (encoding === 'utf-16le') return bytes.toString('utf16le');
  return Buffer.from(bytes).swap16().toString('utf16le');
}

function notUtf16(
  encoding: Utf16,
  at: number,
  where: 'end' | 'inside' = 'inside',
): BreachdeskError {
  const name = encoding.toUpperCase();
  const byte = `byte ${at} (of the text, after any gunzip)`;
  const what =
    where === 'end'
      ? `it ends inside a character at ${byte} (an odd last byte, or half a surrogate pair)`
      : `the character at ${byte} is half a surrogate pair`;
  return new BreachdeskError(
    'BD_FILE_UNREADABLE',
    `the file begins with a ${name} byte order mark, but ${what}, which is not ${name}`,
    'file',
  );
}

/**
 * The physical lines of a file or stream as bytes, for formats whose bytes are the evidence:
 * mail. A message may be written in any charset its headers declare (ISO-8859-1 text sent as
 * 8bit is common), and decoding it as UTF-8 to find its lines would replace those bytes and
 * change the message, its hash with it, before its own parser could read it right.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

import { decompressed } from './records.ts';
import { allChunks } from './stream-chunks.ts';

/** One physical line without its line end (LF, or CR LF). */
export interface ByteLine {
  line: number;
  bytes: Buffer;
  /** Over the reader's limit: `bytes` is empty and `size` tells how long the line was. */
  tooLong?: true;
  /** Over the limit: the line's first bytes (at most HEAD_BYTES), to tell what line it was. */
  head?: Buffer;
  /** The line's length in bytes, line end excluded. */
  size: number;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
const HEAD_BYTES = 64;

/**
 * Reads `source` (gunzipped like readTextLines) line by line in constant memory: a line longer
 * than `maxLineBytes` is counted to its end, never held. The source is released when the
 * consumer stops, even early; read and decompression errors end the iteration by throwing.
 */
export async function* readByteLines(
  source: string | NodeJS.ReadableStream,
  maxLineBytes: number,
): AsyncGenerator<ByteLine> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  const forceGunzip = typeof source === 'string' && source.toLowerCase().endsWith('.gz');
  const data = await decompressed(input, forceGunzip);

  let line = 0;
  let held: Buffer[] = [];
  let size = 0;
  let dropping = false;
  let head: Buffer = EMPTY;
  let endsWithCr = false;
  const add = (piece: Buffer) => {
    if (piece.length === 0) return;
    size += piece.length;
    endsWithCr = piece[piece.length - 1] === CR;
    if (dropping) return;
    // Past the limit (and one byte more, for a CR) the line is only counted.
    if (size > maxLineBytes + 1) {
      dropping = true;
      head = firstBytes([...held, piece]);
      held = [];
      return;
    }
    held.push(piece);
  };
  const done = (): ByteLine => {
    line += 1;
    // The CR of a CR LF line end belongs to the line end, not to the line.
    const length = endsWithCr ? size - 1 : size;
    const tooLong = dropping || length > maxLineBytes;
    const result: ByteLine = tooLong
      ? { line, bytes: EMPTY, tooLong, head: dropping ? head : firstBytes(held), size: length }
      : { line, bytes: joined(held).subarray(0, length), size: length };
    held = [];
    size = 0;
    dropping = false;
    head = EMPTY;
    endsWithCr = false;
    return result;
  };

  try {
    for await (const chunk of allChunks(data)) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let start = 0;
      let newline = bytes.indexOf(LF);
      while (newline >= 0) {
        add(bytes.subarray(start, newline));
        yield done();
        start = newline + 1;
        newline = bytes.indexOf(LF, start);
      }
      add(bytes.subarray(start));
    }
    if (size > 0) yield done();
  } finally {
    data.destroy();
    if (input instanceof Readable) input.destroy();
  }
}

/** A copy of the first HEAD_BYTES of the pieces, so that they themselves can go. */
function firstBytes(pieces: Buffer[]): Buffer {
  const total = pieces.reduce((n, piece) => n + piece.length, 0);
  return Buffer.concat(pieces, Math.min(total, HEAD_BYTES));
}

function joined(pieces: Buffer[]): Buffer {
  if (pieces.length === 0) return EMPTY;
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
}

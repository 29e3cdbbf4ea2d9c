/**
 * Finds the lines of a byte stream that are not UTF-8. The text decoder would turn such bytes
 * into U+FFFD without a word, and the record stored as evidence would no longer be what the
 * sender wrote; the readers report those lines instead (records.ts).
 */
import { isUtf8 } from 'node:buffer';

const NEWLINE = 0x0a;

export class Utf8LineCheck {
  // The start of a character cut off at the end of the last chunk (at most 3 bytes).
  private carry: Buffer | null = null;

  /**
   * Adds to `bad` the numbers of the lines in `chunk` that hold bytes that are not UTF-8.
   * `firstLine` is the number of the line the chunk starts in (its first bytes may finish a
   * line begun in the chunk before).
   */
  scan(chunk: Buffer, firstLine: number, bad: Set<number>): void {
    const bytes = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    const cut = characterEnd(bytes);
    this.carry = cut < bytes.length ? bytes.subarray(cut) : null;

    const whole = bytes.subarray(0, cut);
    // Nearly every chunk of every file: one pass in native code, nothing else to do.
    if (isUtf8(whole)) return;

    // A line feed is never part of a multi-byte character, so each line checks on its own.
    let line = firstLine;
    let start = 0;
    while (start <= whole.length) {
      const end = whole.indexOf(NEWLINE, start);
      const stop = end < 0 ? whole.length : end;
      if (!isUtf8(whole.subarray(start, stop))) bad.add(line);
      if (end < 0) break;
      line += 1;
      start = end + 1;
    }
  }

  /** At the end of the stream: a character still cut off makes `lastLine` bad. */
  finish(lastLine: number, bad: Set<number>): void {
    if (this.carry !== null) bad.add(lastLine);
    this.carry = null;
  }
}

/**
 * Where the last whole character of `bytes` ends: before a lead byte at the very end whose
 * character needs more bytes than are there. Bytes that can start no character are left in,
 * for isUtf8 to refuse.
 */
function characterEnd(bytes: Buffer): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(3, length); back++) {
    const byte = bytes[length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back

    const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needs > back && byte < 0xf8 ? length - back : length;
  }
  return length;
}

/**
 * The number of the first line of `bytes` that is not UTF-8, or null when all of it is. Found
 * by halves, not line by line: a body of millions of short lines is searched in a few dozen
 * native passes over ever shorter pieces.
 */
export function firstLineNotUtf8(bytes: Buffer): number | null {
  if (isUtf8(bytes)) return null;

  // Line starts `good` and `bad`: bytes before `good` are UTF-8, bytes before `bad` are not.
  // Lines split between characters, so only the piece from `good` on needs checking.
  let good = 0;
  let bad = bytes.length;
  for (;;) {
    const mid = good + Math.floor((bad - good) / 2);
    let newline = bytes.indexOf(NEWLINE, mid);
    if (newline < 0 || newline + 1 >= bad) {
      newline = mid - 1 >= good ? bytes.lastIndexOf(NEWLINE, mid - 1) : -1;
      if (newline < good) break; // no line starts between them: the line at `good` is bad
    }
    const start = newline + 1;
    if (isUtf8(bytes.subarray(good, start))) good = start;
    else bad = start;
  }

  let line = 1;
  for (let i = 0; i < good; i++) if (bytes[i] === NEWLINE) line += 1;
  return line;
}

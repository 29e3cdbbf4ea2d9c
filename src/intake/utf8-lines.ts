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

/** The number of the first line of `bytes` that is not UTF-8, or null when all of it is. */
export function firstLineNotUtf8(bytes: Buffer): number | null {
  if (isUtf8(bytes)) return null;

  const check = new Utf8LineCheck();
  const bad = new Set<number>();
  check.scan(bytes, 1, bad);
  let lines = 1;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) lines += 1;
  check.finish(lines, bad);
  return Math.min(...bad);
}

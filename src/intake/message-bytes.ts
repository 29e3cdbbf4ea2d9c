/**
 * One message being gathered from its lines: their bytes, each followed by CRLF, in one
 * growing buffer rather than an object per line (a message of millions of short lines would
 * otherwise cost far more memory than its size). Past the limit the lines are only counted.
 */

// RFC 5322 §2.1: CRLF is the line end of a message, whatever the file used. Rebuilding with it
// gives the same bytes (and hash) whether the file was saved with LF or CRLF, and is the form
// PGP/MIME and DKIM signatures are computed over.
const CR = 0x0d;
const LF = 0x0a;
const FIRST_CAPACITY = 64 * 1024;

// Space, tab, CR, LF, vertical tab, form feed: lines of only these hold no message.
const BLANK_BYTES = new Set([0x20, 0x09, 0x0d, 0x0a, 0x0b, 0x0c]);

export class MessageBytes {
  /** Bytes the message has, line ends included, whether held or only counted. */
  size = 0;
  /** Whether any line so far holds more than blanks. */
  hasContent = false;
  #buffer = Buffer.alloc(0);
  #used = 0;

  constructor(private readonly limit: number) {}

  /** Adds a line and its CRLF. */
  add(line: Buffer): void {
    this.size += line.length + 2;
    if (!this.hasContent && line.some((byte) => !BLANK_BYTES.has(byte))) this.hasContent = true;
    if (this.size > this.limit) {
      this.#release();
      return;
    }

    this.#reserve(line.length + 2);
    this.#used += line.copy(this.#buffer, this.#used);
    this.#buffer[this.#used++] = CR;
    this.#buffer[this.#used++] = LF;
  }

  /** Counts a line of `length` bytes that was never held (it was over the limit itself). */
  count(length: number): void {
    this.size += length + 2;
    this.hasContent = true;
    this.#release();
  }

  /** The message's bytes; only while within the limit. */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#used);
  }

  /** Starts the next message; the bytes handed out stay as they are. */
  clear(): void {
    this.size = 0;
    this.hasContent = false;
    this.#release();
  }

  #reserve(more: number): void {
    const need = this.#used + more;
    if (need <= this.#buffer.length) return;

    let capacity = Math.max(this.#buffer.length * 2, FIRST_CAPACITY);
    while (capacity < need) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.#buffer.copy(grown, 0, 0, this.#used);
    this.#buffer = grown;
  }

  #release(): void {
    this.#buffer = Buffer.alloc(0);
    this.#used = 0;
  }
}

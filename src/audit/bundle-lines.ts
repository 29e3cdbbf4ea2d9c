/**
 * Byte-level helpers for reading a bundle: lines exactly as they are in the file (the trailer's
 * SHA-256 covers bytes, not parsed text), and a compact list of entry hashes.
 */

/**
 * Splits a byte stream at each newline. Every line keeps its newline, so hashing the lines in
 * turn hashes the file; a last line without one is yielded as it is.
 */
export async function* linesOf(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ bytes: Buffer }> {
  let rest = Buffer.alloc(0);
  for await (const chunk of chunks) {
    let buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : Buffer.from(chunk);
    let nl = buf.indexOf(0x0a);
    while (nl !== -1) {
      yield { bytes: buf.subarray(0, nl + 1) };
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    rest = Buffer.from(buf);
  }
  if (rest.length > 0) yield { bytes: rest };
}

/** SHA-256 hashes (hex in, hex out) in 32 bytes each, so a long bundle fits in memory. */
export class HashList {
  #buf = Buffer.alloc(32 * 1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(hex: string): void {
    if ((this.#length + 1) * 32 > this.#buf.length) {
      const bigger = Buffer.alloc(this.#buf.length * 2);
      this.#buf.copy(bigger);
      this.#buf = bigger;
    }
    this.#buf.write(hex, this.#length * 32, 32, 'hex');
    this.#length += 1;
  }

  /** The hash at a 0-based index, or undefined outside the list. */
  at(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) return undefined;
    return this.#buf.toString('hex', index * 32, index * 32 + 32);
  }
}

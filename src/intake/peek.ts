/**
 * The first bytes of a stream, looked at before deciding how to read it (gzip or not, UTF-16 or
 * not), and then the whole stream again from its first byte. Nothing beyond the chunks that
 * hold those first bytes is buffered.
 */
export interface Peeked {
  /** At least `bytes` bytes, unless the stream is shorter. */
  start: Buffer;
  /** Every byte of the stream, `start` first; stopping early closes the source. */
  all: AsyncGenerator<Buffer>;
}

export async function peek(input: AsyncIterable<Buffer | string>, bytes: number): Promise<Peeked> {
  const chunks = input[Symbol.asyncIterator]();

  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < bytes && !ended) {
    const next = await chunks.next();
    if (next.done === true) {
      ended = true;
    } else {
      const chunk = toBuffer(next.value);
      head.push(chunk);
      size += chunk.length;
    }
  }

  const start = Buffer.concat(head);
  return { start, all: replayed(start, ended ? null : chunks) };
}

async function* replayed(
  start: Buffer,
  rest: AsyncIterator<string | Buffer> | null,
): AsyncGenerator<Buffer> {
  try {
    if (start.length > 0) yield start;
    if (rest === null) return;
    for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
      yield toBuffer(next.value);
    }
  } finally {
    // Stopping early must still close the source (the stream iterator destroys it on return).
    await rest?.return?.();
  }
}

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

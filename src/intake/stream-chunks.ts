/**
 * Reading a stream chunk by chunk without losing the end of a broken one. A stream that
 * fails destroys itself (zlib on a .gz cut short), and Node's async iterator then stops
 * reading what the stream had already buffered: the last complete lines before the cut would
 * be lost. Here the buffer is read out first, and only then is the error thrown.
 */
import type { Readable } from 'node:stream';

/**
 * Every chunk `stream` delivered, in order, then its end, or its error once nothing buffered
 * is left. Reads only as fast as the consumer takes chunks.
 */
export async function* allChunks(stream: Readable): AsyncGenerator<Buffer | string> {
  // Set by the listeners, read by the loop.
  const seen: { failure: Error | null; ended: boolean; closed: boolean } = {
    failure: null,
    ended: false,
    closed: false,
  };
  const onError = (error: Error) => (seen.failure = error);
  const onEnd = () => (seen.ended = true);
  const onClose = () => (seen.closed = true);
  stream.on('error', onError);
  stream.on('end', onEnd);
  stream.on('close', onClose);

  try {
    for (;;) {
      const chunk = stream.read() as Buffer | string | null;
      if (chunk !== null) {
        yield chunk;
        continue;
      }

      if (seen.failure !== null) throw seen.failure;
      if (seen.ended) return;
      if (seen.closed) throw new Error('the stream closed before its end');
      await nextEvent(stream);
    }
  } finally {
    stream.off('error', onError);
    stream.off('end', onEnd);
    stream.off('close', onClose);
  }
}

/** Resolves on the stream's next readable, end, error or close event. */
function nextEvent(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const events = ['readable', 'end', 'error', 'close'] as const;
    const wake = () => {
      for (const event of events) stream.off(event, wake);
      resolve();
    };
    for (const event of events) stream.on(event, wake);
  });
}

/**
 * A client for GET /api/v1/events over a real socket: collects what arrives and says when the
 * server ended the stream.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface EventStream {
  response: IncomingMessage;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the received text matches, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves when the connection closed. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a stream at `base` with `headers` (Accept is added); resolves once headers arrived. */
export function openEventStream(
  base: string,
  headers: Record<string, string>,
): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}/api/v1/events`,
      { headers: { accept: 'text/event-stream', ...headers } },
      (response) => {
        let received = '';
        const ended = new Promise<void>((done) => response.on('close', done));
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (received += chunk));
        resolve({
          response,
          text: () => received,
          ended,
          close: () => req.destroy(),
          async waitFor(pattern, ms = 5000) {
            const until = Date.now() + ms;
            for (;;) {
              const match = received.match(pattern);
              if (match) return match;
              if (Date.now() > until) {
                throw new Error(`no ${pattern} in ${JSON.stringify(received)}`);
              }
              await new Promise((r) => setTimeout(r, 25));
            }
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Live updates for the console: a server-sent event stream that says only "something changed"
 * (`event: change`, data `{"seq": n}`, the audit log's newest sequence number), never what;
 * the console then refetches what it shows through the ordinary, authorized routes. One change
 * feed (src/audit/change-feed.ts) per server serves every stream.
 */
import { createChangeFeed } from '../../audit/change-feed.ts';
import { fail } from '../../domain/errors.ts';
import { ALWAYS_HEADERS } from '../security-headers.ts';
import type { BreachdeskApp, RouteDeps } from '../server.ts';

// Proxies drop a connection silent for a minute or so; a comment line keeps it open.
const HEARTBEAT_MS = 15_000;

export function registerEventRoutes(
  app: BreachdeskApp,
  { db, log }: RouteDeps,
  opts: { pollMs?: number; heartbeatMs?: number } = {},
): void {
  const feed = createChangeFeed(db, {
    intervalMs: opts.pollMs,
    onError: (err) => log.warn({ err }, 'change feed poll failed'),
  });
  const streams = new Set<() => void>();

  // Ends every stream before the server stops taking connections, which waits for them.
  app.addHook('preClose', (done) => {
    for (const end of [...streams]) end();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    feed.stop();
    done();
  });

  app.get(
    '/api/v1/events',
    {
      // A HEAD twin would open a stream too and never end it.
      exposeHeadRoute: false,
      config: { action: 'events.read' },
      schema: {
        summary: 'Server-sent events: `change` with {"seq"} after any change, no content',
      },
    },
    async (request, reply) => {
      const accept = request.headers.accept ?? '';
      if (!accept.includes('text/event-stream')) {
        fail(
          'BD_REQUEST_INVALID',
          'this is an event stream: send Accept: text/event-stream',
          'accept',
        );
      }

      // From here the stream is written by hand, so the security headers are set here too.
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        ...ALWAYS_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');

      const unsubscribe = feed.subscribe((seq) => {
        res.write(`event: change\ndata: ${JSON.stringify({ seq })}\n\n`);
      });
      const heartbeat = setInterval(
        () => res.write(': heartbeat\n\n'),
        opts.heartbeatMs ?? HEARTBEAT_MS,
      );
      heartbeat.unref();

      const end = () => {
        if (!streams.delete(end)) return;
        clearInterval(heartbeat);
        unsubscribe();
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      request.raw.on('close', end);
      res.on('close', end);
    },
  );
}

/**
 * Live updates for the console: a server-sent event stream that says only "something changed"
 * (`event: change`, data `{"seq": n}`, the audit log's newest sequence number), never what;
 * the console then refetches what it shows through the ordinary, authorized routes. One change
 * feed (src/audit/change-feed.ts) per server serves every stream.
 */
import type { FastifyRequest } from 'fastify';
import { createChangeFeed } from '../../audit/change-feed.ts';
import { onSessionEnded } from '../../auth/session-ends.ts';
import { sessionIsLive } from '../../auth/sessions.ts';
import { actorForToken } from '../../auth/tokens.ts';
import { fail } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { ALWAYS_HEADERS } from '../security-headers.ts';
import { readSessionCookie } from '../session-cookie.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

// Proxies drop a connection silent for a minute or so; a comment line keeps it open.
const HEARTBEAT_MS = 15_000;
// A stream outlives its request: the sign-in behind it is checked again this often, and the
// stream ends once the session is signed out, expired or idle, or the token revoked. A sign-out
// in this process ends the session's streams at once (src/auth/session-ends.ts); the recheck
// stays for what no in-process news reports: idle and expired sessions, sessions ended by the
// CLI or another server on the same database, and revoked API tokens.
const RECHECK_MS = 15_000;
// Enough for several tabs per person; a caller opening more is refused, not served.
const STREAMS_PER_CALLER = 8;
const STREAMS_IN_ALL = 1000;

export interface EventRouteOptions {
  pollMs?: number;
  heartbeatMs?: number;
  recheckMs?: number;
  /** The sign-in clock (sessions expire by it). */
  now?: () => Date;
}

/** Whether the credential this request came with still signs someone in. */
function credentialCheck(request: FastifyRequest, db: Db, now: () => Date) {
  const bearer = /^bearer[ \t]+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (bearer !== undefined) return async () => (await actorForToken(db, bearer)) !== null;

  const token = readSessionCookie(request.headers.cookie);
  return async () => token !== null && (await sessionIsLive(db, token, now()));
}

export function registerEventRoutes(
  app: BreachdeskApp,
  { db, log }: RouteDeps,
  opts: EventRouteOptions = {},
): void {
  const now = opts.now ?? (() => new Date());
  const perCaller = new Map<string, number>();
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

      const caller = requireActor(request).id;
      const sessionId = request.signInSession?.id ?? null;
      const held = perCaller.get(caller) ?? 0;
      if (held >= STREAMS_PER_CALLER || streams.size >= STREAMS_IN_ALL) {
        void reply.header('retry-after', '30');
        fail(
          'BD_RATE_LIMITED',
          held >= STREAMS_PER_CALLER
            ? `at most ${STREAMS_PER_CALLER} open event streams per caller; close one first`
            : 'too many open event streams on this server; retry later',
        );
      }
      const stillSignedIn = credentialCheck(request, db, now);

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
      const recheck = setInterval(() => {
        void stillSignedIn().then(
          (ok) => ok || end(),
          () => undefined, // the database is away: keep the stream, check again later
        );
      }, opts.recheckMs ?? RECHECK_MS);
      recheck.unref();

      const end = () => {
        if (!streams.delete(end)) return;
        stopListening();
        const left = (perCaller.get(caller) ?? 1) - 1;
        if (left > 0) perCaller.set(caller, left);
        else perCaller.delete(caller);
        clearInterval(heartbeat);
        clearInterval(recheck);
        unsubscribe();
        if (!res.writableEnded) res.end();
      };
      const stopListening = sessionId === null ? () => {} : onSessionEnded(sessionId, end);
      streams.add(end);
      perCaller.set(caller, held + 1);
      request.raw.on('close', end);
      res.on('close', end);
    },
  );
}

/**
 * Refuses, before authentication or any route, a request whose form is wrong in ways Fastify
 * lets through: an HTTP/1.1 request without exactly one Host header, a query string with a
 * broken percent escape (which Fastify would pass to the route undecoded, as if it were the
 * value sent), and a body in a Content-Encoding. Each answers BD_REQUEST_INVALID naming the
 * header or query parameter: 400, or 415 for the encoding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyTypeProvider,
  RawServerDefault,
} from 'fastify';
import { BreachdeskError, fail } from '../domain/errors.ts';

// Names worth repeating back in `field`; anything else is reported as `(query)`.
const PLAIN_NAME = /^[\w.[\]-]{1,64}$/;

function decodes(part: string): string | null {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

/** The query parameter (or `(query)`) whose name or value is not valid percent-encoding. */
export function badlyEncodedQueryField(url: string): string | null {
  const start = url.indexOf('?');
  if (start < 0) return null;

  for (const pair of url.slice(start + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = decodes(eq < 0 ? pair : pair.slice(0, eq));
    if (name === null) return '(query)';
    if (eq >= 0 && decodes(pair.slice(eq + 1)) === null) {
      return PLAIN_NAME.test(name) ? name : '(query)';
    }
  }
  return null;
}

function checkHost(request: FastifyRequest): void {
  // RFC 9112 §3.2: an HTTP/1.1 request with no Host, or more than one, is answered 400.
  if (request.raw.httpVersion !== '1.1') return;
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'host') count += 1;
  if (count !== 1) {
    fail('BD_REQUEST_INVALID', 'send exactly one Host header naming this server', 'host');
  }
}

/**
 * Bodies are read as sent. One in a Content-Encoding (gzip, br, …) would reach the parsers
 * still encoded and be refused line by line as malformed, or, when it is not really encoded,
 * taken under a label that says otherwise; RFC 9110 §15.5.16 answers it 415 instead, before
 * any of it is read.
 */
function checkContentEncoding(request: FastifyRequest, reply: FastifyReply): void {
  const header = request.headers['content-encoding'];
  // A stray header on a request without a body (a GET) describes nothing to read.
  if (header === undefined || !announcesBody(request)) return;

  const codings = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  if (codings.every((c) => c === 'identity')) return;
  // RFC 9110 §12.5.3: a refusal for a content coding says which codings are taken.
  void reply.header('accept-encoding', 'identity');
  throw new BreachdeskError(
    'BD_REQUEST_INVALID',
    'this server reads request bodies as sent and decodes none: send the body without ' +
      'Content-Encoding (not gzip, deflate or br)',
    'content-encoding',
    415,
  );
}

/** Whether the request says a body follows (RFC 9112 §6.3): a length over 0, or chunks. */
function announcesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/**
 * With proxies trusted, request.ip is what X-Forwarded-For says; the throttles key on it and
 * sessions and audit entries record it, so it must be an address, not whatever text was sent.
 */
function checkClientAddress(request: FastifyRequest): void {
  if (isIP(request.ip) !== 0) return;
  fail(
    'BD_REQUEST_INVALID',
    'X-Forwarded-For must end in the IP address of the client (no port, no brackets, no names)',
    'x-forwarded-for',
  );
}

function checkQuery(request: FastifyRequest): void {
  // No route reads it, and copied into a plain object it would set the prototype rather than
  // a key, slipping past the checks for keys a route does not read.
  const query = request.query as object | null;
  if (query !== null && typeof query === 'object' && Object.hasOwn(query, '__proto__')) {
    fail('BD_REQUEST_INVALID', 'query __proto__: is not a query field of any route', '__proto__');
  }

  const field = badlyEncodedQueryField(request.url);
  if (field === null) return;
  const where = field === '(query)' ? 'the query string' : `query ${field}`;
  fail(
    'BD_REQUEST_INVALID',
    `${where}: a "%" must start an escape of two hex digits that spell UTF-8; send "%" itself ` +
      'as %25',
    field,
  );
}

/** Installs the check as the first onRequest hook; call before any other hook is added. */
export function registerRequestGuard<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
): void {
  app.addHook('onRequest', (request, reply, done) => {
    try {
      checkHost(request);
      checkClientAddress(request);
      checkQuery(request);
      checkContentEncoding(request, reply);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
}

/**
 * Fastify's own refusals of a request (from its router, body parsers and the static-file
 * plugin), told in the product's words: the field at fault and what to send instead. None of
 * them repeats the bad input; the not-found answer repeats the path only percent-encoded.
 */
import type { ErrorCode } from '../domain/errors.ts';

export interface Refusal {
  status: number;
  code: ErrorCode;
  field: string;
  message: string;
}

/** What of the refused request a refusal may mention. */
export interface RefusalContext {
  /** The route's body limit in bytes, when the request reached a route. */
  bodyLimit?: number;
}

const ROUTES = 'as /openapi.json describes';

const REFUSALS: Readonly<Record<string, (ctx: RefusalContext) => Refusal>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => ({
    status: 400,
    code: 'BD_REQUEST_INVALID',
    field: '(body)',
    message:
      'the body is not valid JSON, or holds a "__proto__" or "constructor" key, which no ' +
      `field may have; send one JSON value ${ROUTES}`,
  }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({
    status: 400,
    code: 'BD_REQUEST_INVALID',
    field: '(body)',
    message:
      'the body is empty but Content-Type says application/json; send a JSON body, or no ' +
      'Content-Type when there is nothing to send',
  }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({
    status: 415,
    code: 'BD_REQUEST_INVALID',
    field: 'content-type',
    message:
      'this route does not read a body of that Content-Type (or of none); send ' +
      'Content-Type: application/json (intake also reads application/x-ndjson and text/plain)',
  }),
  FST_ERR_CTP_BODY_TOO_LARGE: ({ bodyLimit }) => ({
    status: 413,
    code: 'BD_REQUEST_TOO_LARGE',
    field: '(body)',
    message:
      `the body is over this route's limit${bodyLimit ? ` of ${sizeOf(bodyLimit)}` : ''}; ` +
      'send a smaller body (split an intake batch into several requests)',
  }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({
    status: 400,
    code: 'BD_REQUEST_INVALID',
    field: 'content-length',
    message: 'the body is not as long as Content-Length says; send its size in bytes',
  }),
  FST_ERR_BAD_URL: () => ({
    status: 400,
    code: 'BD_REQUEST_INVALID',
    field: '(path)',
    message:
      'the path holds a "%" that does not start an escape of two hex digits spelling UTF-8; ' +
      'send "%" itself as %25',
  }),
  FST_ERR_MAX_PARAM_LENGTH: () => ({
    status: 414,
    code: 'BD_REQUEST_INVALID',
    field: '(path)',
    message: 'an id in the path is longer than any this API issues; send the id as it was given',
  }),
  // @fastify/static refuses a path that climbs out of the console's folder; to the client
  // that is simply no such file.
  FST_STATIC_FORBIDDEN_PATH: () => ({
    status: 404,
    code: 'BD_NOT_FOUND',
    field: '(path)',
    message: 'no console file at this path; see /openapi.json for the API routes',
  }),
};

/**
 * The refusal for Fastify error `code` with 4xx `status`, or null when it is not a Fastify
 * refusal of the request (anything else is an internal error).
 */
export function frameworkRefusal(
  code: string | undefined,
  status: number | undefined,
  ctx: RefusalContext = {},
): Refusal | null {
  if (code === undefined || !code.startsWith('FST_')) return null;
  const known = REFUSALS[code];
  if (known) return known(ctx);
  // Only Fastify's own errors describe the request; a 4xx status on anything else (a database
  // driver, a mail library) describes our internals and is not a refusal.
  if (status === undefined || status < 400 || status >= 500) return null;
  return {
    status,
    code: 'BD_REQUEST_INVALID',
    field: '(request)',
    message: `the request was refused before reaching its route; send it ${ROUTES}`,
  };
}

// Unreserved and sub-delimiter characters, "/", ":", "@" and "%" (RFC 3986 §3.3) stay as sent.
const PATH_CHAR = /[\w\-.~!$&'()*+,;=:@/%]/;
const MAX_ECHO = 200;

/** `url`'s path as it can be repeated safely: no query, anything else percent-encoded. */
export function echoablePath(url: string): string {
  const path = url.split('?')[0] ?? '';
  let out = '';
  for (const ch of path) {
    if (out.length >= MAX_ECHO) return `${out}…`;
    if (PATH_CHAR.test(ch)) out += ch;
    else out += [...Buffer.from(ch, 'utf8')].map((b) => `%${hex(b)}`).join('');
  }
  return out;
}

/** The 404 for a method and path that match no route. */
export function notFoundRefusal(method: string, url: string): Refusal {
  const verb = /^[A-Z]{1,20}$/.test(method) ? method : '(method)';
  return {
    status: 404,
    code: 'BD_NOT_FOUND',
    field: '(path)',
    message: `no route ${verb} ${echoablePath(url)}; see /openapi.json for the routes and methods`,
  };
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

function sizeOf(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * How requests and errors are written to the log, so that neither carries a secret: a logged
 * URL has no query string (tokens and addresses are sometimes sent there), and a failed
 * query's parameters (personal data, token hashes) never reach the message or the stack.
 */
import { pino } from 'pino';

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** A request as logged: method, path without the query string, host and peer. */
export function serializeRequest(req: LoggedRequest) {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return {
    method: req.method,
    url: query === -1 ? url : `${url.slice(0, query)}?[query redacted]`,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

interface QueryError extends Error {
  query: string;
  params: unknown[];
}

// drizzle-orm's DrizzleQueryError writes every parameter into its message (and so its stack).
function isQueryError(err: unknown): err is QueryError {
  const e = err as Partial<QueryError> | null;
  return err instanceof Error && typeof e?.query === 'string' && Array.isArray(e.params);
}

/** pino's error serializer, with a failed query's parameters left out. */
export function serializeError(err: unknown) {
  if (!isQueryError(err)) return pino.stdSerializers.err(err as Error);

  const message = `Failed query: ${err.query}`;
  const clean = Object.assign(new Error(message, { cause: err.cause }), {
    query: err.query,
    params: `[${err.params.length} values redacted]`,
  });
  clean.stack = (err.stack ?? '').replace(err.message, message);
  return { ...pino.stdSerializers.err(clean), type: err.constructor.name };
}

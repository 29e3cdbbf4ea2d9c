/**
 * Refuses a request whose path parameters, query or JSON body hold a NUL character (U+0000) or
 * half a UTF-16 surrogate pair (JSON may escape one, \ud800, but it is not Unicode text).
 * PostgreSQL cannot store either, so such a value would reach the database and come back as a
 * 500; it is bad input, answered 400 naming where it is, before any handler runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawServerDefault,
} from 'fastify';

import { fail } from '../domain/errors.ts';

// Deeper than any request body this API takes; deeper ones are left to the route's schema.
const MAX_DEPTH = 64;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body is raw text that the route reads line by line, refusing each bad line itself
     * once it knows the sender (intake). The guard leaves such a body to it: refused whole
     * here, before authentication, a body in UTF-16 or one line with a NUL byte would be
     * answered as if no other line counted.
     */
    textBody?: boolean;
  }
}

/** Where in `value` a string (or key) holds U+0000, as a dotted path, or null. */
export function nulPath(value: unknown): string | null {
  return pathWhere(value, (text) => text.includes('\u0000'));
}

/** Where in `value` a string (or key) holds half a surrogate pair, or null. */
export function loneSurrogatePath(value: unknown): string | null {
  return pathWhere(value, (text) => !text.isWellFormed());
}

function pathWhere(
  value: unknown,
  bad: (text: string) => boolean,
  path = '',
  depth = 0,
): string | null {
  if (typeof value === 'string') return bad(value) ? path || '(value)' : null;
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return null;

  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (bad(key)) return childPath;
    const found = pathWhere(child, bad, childPath, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

export function registerNulGuard<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
): void {
  // Synchronous, so the hook takes `done`: a thrown refusal is passed on, not left to hang.
  app.addHook('preValidation', (request, _reply, done) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['query', request.query],
    ];
    if (request.routeOptions.config.textBody !== true) parts.push(['body', request.body]);
    try {
      for (const [where, value] of parts) {
        const field = nulPath(value);
        if (field !== null) {
          fail(
            'BD_REQUEST_INVALID',
            `${where} ${field} contains a NUL character (U+0000), which no field may hold`,
            field,
          );
        }
        const half = loneSurrogatePath(value);
        if (half !== null) {
          fail(
            'BD_REQUEST_INVALID',
            `${where} ${half} contains half a UTF-16 surrogate pair, which is not Unicode ` +
              'text; send whole characters',
            half,
          );
        }
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });
}

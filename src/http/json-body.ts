/**
 * JSON bodies are read as UTF-8, which RFC 8259 §8.1 requires of JSON sent between systems.
 * Read as text, other bytes (a client writing Latin-1) would each become U+FFFD and be stored
 * so: the sender's words changed without a word said. Such a body is refused instead, naming
 * its first line that is not UTF-8, like a malformed one. Intake reads its own bodies
 * (routes/intake.ts).
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawServerDefault,
} from 'fastify';

import { BreachdeskError } from '../domain/errors.ts';
import { firstLineNotUtf8 } from '../intake/utf8-lines.ts';

export function registerUtf8JsonParser<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
): void {
  // Fastify's own parser, with its refusal of __proto__ and constructor.prototype keys.
  const parse = app.getDefaultJsonParser('error', 'error');

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      if (isUtf8(body)) {
        // Fastify's parser answers through `done`; its type also allows a promise, never given.
        void parse(request, body.toString('utf8'), done);
        return;
      }
      const line = firstLineNotUtf8(body) ?? 1;
      const message =
        `line ${line} of the JSON body holds bytes that are not UTF-8; send it as UTF-8 ` +
        '(RFC 8259 §8.1), with any other character written as itself or as a \\u escape';
      done(new BreachdeskError('BD_REQUEST_INVALID', message, '(body)'), undefined);
    },
  );
}

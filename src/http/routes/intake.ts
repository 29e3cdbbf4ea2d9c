/**
 * POST /api/v1/intake/:format: a batch of alerts in the sender's own format, as NDJSON, one
 * JSON object or a JSON array. Answers per line; a batch in which no line could be taken is
 * a 400 carrying the first line's error, so a wrong format or a broken body is never a 200.
 */
import { isUtf8 } from 'node:buffer';

import { z } from 'zod';
import { ingestRecords } from '../../intake/ingest.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sniffBody } from '../../intake/auto.ts';
import { adapterFor, bodyRecords } from '../../intake/registry.ts';
import { firstLineNotUtf8 } from '../../intake/utf8-lines.ts';
import { BreachdeskError, fail } from '../../domain/errors.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const lineResult = z.object({
  line: z.number(),
  status: z.enum(['accepted', 'duplicate', 'repeat', 'suppressed', 'skipped', 'rejected']),
  investigationId: z.string().nullable().optional(),
  opened: z.boolean().optional(),
  ruleId: z.string().optional(),
  code: z.string().optional(),
  field: z.string().nullable().optional(),
  reason: z.string().optional(),
});

// Bodies that are not UTF-8, held from parsing until the route has checked who sent them.
const notUtf8Bodies = new WeakMap<object, Buffer>();

function notUtf8Refusal(body: Buffer): BreachdeskError {
  const line = firstLineNotUtf8(body) ?? 1;
  const message =
    `line ${line} of the body holds bytes that are not UTF-8; send the alerts as UTF-8 text ` +
    '(convert them, for example with iconv -f WINDOWS-1252 -t UTF-8, or -f UTF-16)';
  return new BreachdeskError('BD_REQUEST_INVALID', message, '(body)');
}

export function registerIntakeRoutes(app: BreachdeskApp, { db, correlation }: RouteDeps): void {
  // Intake bodies are read as text so that NDJSON and a JSON document go through one parser.
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/json', 'application/x-ndjson', 'text/plain'],
      { parseAs: 'buffer' },
      (request, body: Buffer, done) => {
        // Read as text, bytes that are not UTF-8 would be stored as U+FFFD, not as sent. The
        // route refuses such a body once it knows the sender (notUtf8Refusal).
        if (!isUtf8(body)) notUtf8Bodies.set(request, body);
        done(null, body.toString('utf8'));
      },
    );

    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/intake/:format',
      {
        config: { action: 'intake.send', textBody: true },
        schema: {
          summary: 'Take in alerts in a sender format',
          params: z.object({ format: z.string().max(40) }),
          querystring: z.object({
            zone: z.string().max(64).optional(),
            source: z
              .string()
              .regex(/^[\w.@:-]{1,100}$/)
              .optional(),
          }),
          body: z.string().max(100 * 1024 * 1024),
          response: {
            200: z.object({
              format: z.string(),
              accepted: z.number(),
              duplicates: z.number(),
              repeats: z.number(),
              suppressed: z.number(),
              skipped: z.number(),
              rejected: z.number(),
              results: z.array(lineResult),
            }),
          },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { zone, source } = request.query;
        const named =
          request.params.format === 'auto' ? null : adapterFor(request.params.format, { zone });
        // A format no body can carry says so whatever the body's charset: converting the body
        // as the charset refusal advises would not help.
        const notUtf8 = notUtf8Bodies.get(request);
        if (notUtf8 !== undefined && named?.reader?.takesBodies !== false) {
          throw notUtf8Refusal(notUtf8);
        }
        const format = named === null ? sniffBody(request.body).format : request.params.format;
        const adapter = named ?? adapterFor(format, { zone });

        const summary = await ingestRecords(db, adapter, bodyRecords(adapter, request.body), {
          actor,
          source,
          correlation,
          keepAllResults: true,
        });
        const taken = summary.results.filter((r) => r.status !== 'rejected').length;
        const first = summary.results.find((r) => r.status === 'rejected');
        if (taken === 0 && first?.status === 'rejected') {
          const code = first.code as Parameters<typeof fail>[0];
          fail(code, `line ${first.line}: ${first.reason}`, first.field ?? undefined);
        }
        if (taken === 0) fail('BD_REQUEST_INVALID', 'the body holds no records', '(body)');

        return { format, ...summary };
      },
    );
    done();
  });
}

/**
 * The HTTP API: Fastify with every route validated by a zod schema, the OpenAPI document at
 * /openapi.json, API-token authentication and one error shape for every failure.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.ts';
import { actorForToken } from '../auth/tokens.ts';
import { BreachdeskError, fail } from '../domain/errors.ts';
import type { Store } from '../store/db.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerClockRoutes } from './routes/clock.ts';
import { registerHoldRoutes } from './routes/holds.ts';
import { registerIntakeRoutes } from './routes/intake.ts';
import { registerInvestigationRoutes } from './routes/investigations.ts';
import { registerNoticeContentRoutes } from './routes/notice-content.ts';
import { registerNoticeRoutes } from './routes/notices.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { registerSuppressionRoutes } from './routes/suppressions.ts';
import { registerTenantRoutes } from './routes/tenants.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import type { CorrelationConfig } from '../intake/correlation-config.ts';

export interface ServerOptions {
  store: Store;
  logger: Logger;
  /** Largest request body accepted, in bytes (intake batches included). */
  bodyLimit?: number;
  /** Correlation settings for intake (see src/intake/correlation-config.ts). */
  correlation?: CorrelationConfig;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** Builds the app without listening; tests use app.inject, `serve` calls listen. */
export async function buildServer(opts: ServerOptions) {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024,
    genReqId: () => randomUUID(),
    // Errors the router raises before any route runs (bad URL encoding, over-long ids) get the
    // same coded shape as every other refusal.
    frameworkErrors: (error, _request, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const body = {
        error: { code: 'BD_REQUEST_INVALID', message: 'the URL is malformed or an id is too long' },
      };
      void (reply as unknown as { status(n: number): { send(b: unknown): void } })
        .status(status)
        .send(body);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor', null);
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error, request);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'BD_NOT_FOUND', message: `no route ${request.method} ${request.url}` },
    });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Breachdesk API', version: '0.1.0' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) return;
    request.actor = await actorForToken(opts.store.db, header.slice(7).trim());
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, () => ({ ok: true }));

  const deps = { db: opts.store.db, log: opts.logger, correlation: opts.correlation };
  registerIntakeRoutes(app, deps);
  registerInvestigationRoutes(app, deps);
  registerNoticeRoutes(app, deps);
  registerNoticeContentRoutes(app, deps);
  registerHoldRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerSuppressionRoutes(app, deps);
  registerTenantRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerClockRoutes(app);

  await app.ready();
  return app;
}

export type BreachdeskApp = Awaited<ReturnType<typeof buildServer>>;

export interface RouteDeps {
  db: Store['db'];
  log: Logger;
  /** Correlation settings for intake (serve --correlation); absent: fingerprints only. */
  correlation?: CorrelationConfig;
}

/** The caller, or a 401 when the request carries no valid token. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) {
    fail('BD_AUTH_REQUIRED', 'send a valid API token as "Authorization: Bearer <token>"');
  }
  return request.actor;
}

function toErrorResponse(error: unknown, request: FastifyRequest) {
  if (error instanceof BreachdeskError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, field: error.field } },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(body)';
    const where = error.validationContext ?? 'body';
    return {
      status: 400,
      body: {
        error: {
          code: 'BD_REQUEST_INVALID',
          message: `${where} ${field}: ${first?.message ?? 'invalid'}`,
          field,
        },
      },
    };
  }

  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: { error: { code: 'BD_REQUEST_TOO_LARGE', message: 'request body is over the limit' } },
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return {
      status: 400,
      body: { error: { code: 'BD_REQUEST_INVALID', message: `malformed JSON body: ${e.message}` } },
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: { error: { code: 'BD_REQUEST_INVALID', message: 'send application/json' } },
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { error: { code: 'BD_REQUEST_INVALID', message: e.message ?? 'bad request' } },
    };
  }

  // Anything else is our fault: log the cause, give the client only a reference.
  const ref = request.id;
  request.log.error({ err: error, ref }, 'internal error');
  return {
    status: 500,
    body: { error: { code: 'BD_INTERNAL', message: `internal error; reference ${ref}` } },
  };
}

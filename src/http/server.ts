/**
 * The HTTP API: Fastify with every route validated by a zod schema, the OpenAPI document at
 * /openapi.json, API-token authentication and one error shape for every failure.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.ts';
import { actorForToken } from '../auth/tokens.ts';
import { fail } from '../domain/errors.ts';
import type { Store } from '../store/db.ts';
import { type BodyLimits, bodyLimitFor, resolveBodyLimits } from './body-limits.ts';
import { registerUtf8JsonParser } from './json-body.ts';
import { registerAuthorization } from './authorize.ts';
import { answerClientError } from './client-errors.ts';
import { registerConsole } from './console.ts';
import { toErrorResponse } from './error-response.ts';
import { notFoundRefusal } from './framework-refusals.ts';
import { registerNulGuard } from './nul-guard.ts';
import { registerRequestGuard } from './request-guard.ts';
import { ALWAYS_HEADERS, addSecurityHeaders } from './security-headers.ts';
import { createThrottle, type RateLimitSettings } from './throttle.ts';
import { type TrustedProxies, trustProxyOption } from './trust-proxy.ts';
import {
  authenticateByCookie,
  resolveSignInSettings,
  type SignInSettings,
} from './session-auth.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerOidcRoutes } from './routes/oidc.ts';
import { registerOversightRoutes } from './routes/oversight.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerClockRoutes } from './routes/clock.ts';
import { registerCustomerSummaryRoutes } from './routes/customer-summaries.ts';
import { registerEvidenceRoutes } from './routes/evidence.ts';
import { type EventRouteOptions, registerEventRoutes } from './routes/events.ts';
import { registerQueueRoutes } from './routes/queue.ts';
import { registerHoldRoutes } from './routes/holds.ts';
import { registerIntakeRoutes } from './routes/intake.ts';
import { registerInvestigationActivityRoutes } from './routes/investigation-activity.ts';
import { registerInvestigationTeamRoutes } from './routes/investigation-team.ts';
import { registerInvestigationRoutes } from './routes/investigations.ts';
import { registerNoticeContentRoutes } from './routes/notice-content.ts';
import { registerNoticeRoutes } from './routes/notices.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { registerSuppressionRoutes } from './routes/suppressions.ts';
import { registerTenantRoutes } from './routes/tenants.ts';
import { registerTenantPortalRoutes } from './routes/tenant-portal.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import { registerTrainingRoutes } from './routes/training.ts';
import type { CorrelationConfig } from '../intake/correlation-config.ts';

export interface ServerOptions {
  store: Store;
  logger: Logger;
  /** Largest request body accepted, in bytes (intake batches); caps every other limit. */
  bodyLimit?: number;
  /** Per-route body limits (src/http/body-limits.ts); `bodyLimit` is their `intake`. */
  bodyLimits?: Partial<BodyLimits>;
  /** Rate limits (src/http/throttle.ts); each one given replaces its default. */
  rateLimits?: Partial<RateLimitSettings>;
  /** Correlation settings for intake (see src/intake/correlation-config.ts). */
  correlation?: CorrelationConfig;
  /** Sessions, cookie flags, sign-in throttling (src/http/session-auth.ts, docs/sign-in.md). */
  signIn?: Partial<SignInSettings>;
  /** Timings of the live event streams (tests shorten them; src/http/routes/events.ts). */
  eventStreams?: Pick<EventRouteOptions, 'pollMs' | 'heartbeatMs' | 'recheckMs'>;
  /** Serve the web console (web/dist) at `/`; default true. */
  console?: boolean;
  /** Proxies whose X-Forwarded-For sets request.ip (src/http/trust-proxy.ts); default none. */
  trustProxy?: TrustedProxies;
}

interface RawReply {
  headers(values: object): RawReply;
  status(code: number): RawReply;
  send(body: unknown): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** Builds the app without listening; tests use app.inject, `serve` calls listen. */
export async function buildServer(opts: ServerOptions) {
  const limits = resolveBodyLimits({ intake: opts.bodyLimit, ...opts.bodyLimits });
  const throttle = createThrottle(opts.rateLimits);
  const signIn = resolveSignInSettings(opts.signIn);
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: limits.default,
    genReqId: () => randomUUID(),
    trustProxy: trustProxyOption(opts.trustProxy),
    // Errors the router raises before any route runs (bad URL encoding, over-long ids) get the
    // same coded shape as every other refusal.
    frameworkErrors: (error, request, reply) => {
      const { status, body } = toErrorResponse(error, request);
      // The router answers these without running onSend hooks, so the headers are set here.
      void (reply as unknown as RawReply).headers(ALWAYS_HEADERS).status(status).send(body);
    },
    // So do the requests Node's HTTP parser refuses before Fastify sees them.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, opts.logger),
    // A missing Host is refused by the request guard, in the coded shape, not by Node.
    http: { requireHostHeader: false },
  }).withTypeProvider<ZodTypeProvider>();

  app.addHook('onSend', addSecurityHeaders);
  // A request answered before its body was read (refused by a guard, a throttle): the client
  // may still be sending it, and Node would read and discard all of it, however large, to
  // reach the next request on the connection. The connection closes after the answer instead.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) void reply.header('connection', 'close');
    done(null, payload);
  });
  // Every route gets its limit here, so a new route cannot be left at Fastify's 1 MiB default.
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimitFor(route.url, limits);
  });
  registerUtf8JsonParser(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor', null);
  app.decorateRequest('signInSession', null);
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error, request);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, code, message, field } = notFoundRefusal(request.method, request.url);
    void reply.status(status).send({ error: { code, message, field } });
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

  // First of the onRequest hooks: a request of the wrong form is refused before anything else.
  registerRequestGuard(app);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const scheme = /^bearer[ \t]+/i.exec(header);
    if (!scheme) return authenticateByCookie(request, opts.store.db, signIn);
    // An address that guessed too often waits before any token of it is looked at.
    throttle.checkTokenAttempt(request, reply);
    request.actor = await actorForToken(opts.store.db, header.slice(scheme[0].length).trim());
    if (request.actor === null) throttle.recordBadToken(request);
  });
  app.addHook('onRequest', async (request, reply) => throttle.checkIntake(request, reply));

  registerNulGuard(app);
  // Before any route: every route must declare its action (src/auth/policy.ts).
  registerAuthorization(app, opts.store.db);

  app.get('/openapi.json', { config: { action: 'api.describe' }, schema: { hide: true } }, () =>
    app.swagger(),
  );
  app.get('/healthz', { config: { action: 'service.health' }, schema: { hide: true } }, () => ({
    ok: true,
  }));

  const deps = { db: opts.store.db, log: opts.logger, correlation: opts.correlation };
  registerIntakeRoutes(app, deps);
  registerInvestigationRoutes(app, deps);
  registerInvestigationTeamRoutes(app, deps);
  registerInvestigationActivityRoutes(app, deps);
  registerCustomerSummaryRoutes(app, deps);
  registerNoticeRoutes(app, deps);
  registerNoticeContentRoutes(app, deps);
  registerHoldRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerSuppressionRoutes(app, deps);
  registerTenantRoutes(app, deps);
  registerTenantPortalRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerTrainingRoutes(app, deps);
  registerAuthRoutes(app, deps, signIn);
  registerOidcRoutes(app, deps, signIn);
  registerAuditRoutes(app, deps);
  registerOversightRoutes(app, deps);
  registerClockRoutes(app);
  registerEvidenceRoutes(app, deps);
  registerQueueRoutes(app, deps);
  registerEventRoutes(app, deps, { ...opts.eventStreams, now: signIn.now });
  if (opts.console !== false) await registerConsole(app);

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

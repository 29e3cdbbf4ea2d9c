/**
 * Route authorization. Every route declares its action (`config: { action }`, one of
 * src/auth/policy.ts, or a list of which any one suffices); a route without one stops the
 * server from starting. One hook refuses a caller whose role may not do the route's action
 * before the body is validated or the handler runs; object-level checks (is this notice of my
 * tenant?) stay in the services, which ask the same policy. Every refusal that hides an
 * object (404) is audited as `access.denied`.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  FastifyTypeProvider,
  RawServerDefault,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendAudit } from '../audit/log.ts';
import { actorLabel } from '../auth/actor.ts';
import {
  type Action,
  AccessDenied,
  assertCan,
  can,
  isPublic,
  isTenantUser,
  POLICY,
  ruleOf,
} from '../auth/policy.ts';
import { BreachdeskError, fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';

/** What a route declares: its action, or several of which any one suffices. */
export type RouteAction = Action | readonly Action[];

/** One route and its declared actions, as registered (HEAD twins of GET routes left out). */
export interface RouteDeclaration {
  method: string;
  url: string;
  actions: readonly Action[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    action?: RouteAction;
    /** Optional restatement that the action is public; must agree with the policy. */
    public?: boolean;
  }
  interface FastifyInstance {
    /** Every route with its declared actions, filled as routes are registered. */
    routeActions: readonly RouteDeclaration[];
  }
}

function actionsOf(action: RouteAction | undefined): readonly Action[] {
  if (action === undefined) return [];
  return typeof action === 'string' ? [action] : action;
}

function declarationError(route: string, config: { action?: unknown; public?: unknown }) {
  if (config.action === undefined) {
    return (
      `route ${route} declares no action: add config: { action: '…' } naming an action of ` +
      'src/auth/policy.ts'
    );
  }
  const actions = actionsOf(config.action as RouteAction);
  const unknown = actions.filter((a) => !Object.hasOwn(POLICY, a));
  if (actions.length === 0 || unknown.length > 0) {
    return `route ${route} declares unknown action ${unknown.join(', ') || '(none)'}`;
  }
  const open = actions.some(isPublic);
  if (config.public !== undefined && config.public !== open) {
    return `route ${route} says public: ${JSON.stringify(config.public)} but its action is not`;
  }
  return null;
}

/** Refuses a caller without the right to the route's action (throws; public routes pass). */
function authorize(request: FastifyRequest): void {
  // The not-found handler runs route hooks too; it has no action and answers 404 itself.
  if (request.is404) return;
  const actions = actionsOf(request.routeOptions.config.action);
  if (actions.some(isPublic)) return;
  const actor = request.actor;
  if (!actor) {
    fail('BD_AUTH_REQUIRED', 'send a valid API token as "Authorization: Bearer <token>"');
  }

  if (actions.some((a) => can(actor, a))) return;
  assertCan(actor, actions, { object: namedObject(request, actions) });
}

// The object a refused route names: the kind from the action, the id from the last parameter.
function namedObject(request: FastifyRequest, actions: readonly Action[]) {
  const kind = actions.map((a) => ruleOf(a).object).find((k) => k !== null);
  const id = Object.values((request.params ?? {}) as Record<string, unknown>).at(-1);
  return kind && typeof id === 'string' ? { kind, id } : undefined;
}

/**
 * Installs the declaration check, the role check and the denial audit on `app`. Call before
 * any route is registered, so that every route, in every plugin, gets them.
 */
export function registerAuthorization<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
  db: Db,
): void {
  const routes: RouteDeclaration[] = [];
  const problems: string[] = [];
  app.decorate('routeActions', routes);

  // Refused at start rather than when registered: a throw inside a plugin would only time out.
  app.addHook('onReady', (done) => {
    done(problems.length > 0 ? new Error(problems.join('; ')) : undefined);
  });

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const config = route.config ?? {};
    const problem = declarationError(`${methods.join(',')} ${route.url}`, config);
    if (problem !== null) problems.push(problem);

    // HEAD routes are Fastify's twins of GET routes, with the same config and so the same check.
    const actions = actionsOf(config.action);
    for (const method of methods.filter((m) => m !== 'HEAD')) {
      routes.push({ method, url: route.url, actions });
    }
  });

  // preValidation: after the caller is known (onRequest), before its body is checked.
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      authorize(request);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });

  // Reaches for what lies outside the caller's tenants (answered 404) are audited. A tenant
  // user's 404 for an id that does not exist at all is audited too, so that the audit write
  // does not time apart "another tenant's" from "nobody's". A staff refusal (403) tells its
  // caller plainly and changes nothing; only actions marked auditRefusals (confidential reads,
  // such as post-mortems) have their 403s audited too.
  app.addHook('onError', async (request, _reply, error) => {
    const actor = request.actor;
    const hidden =
      error instanceof AccessDenied &&
      (error.status === 404 || ruleOf(error.action).auditRefusals === true);
    const probed =
      actor !== null &&
      isTenantUser(actor) &&
      !request.is404 &&
      error instanceof BreachdeskError &&
      error.code === 'BD_NOT_FOUND';
    if (!actor || !(hidden || probed)) return;

    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const objectId = hidden ? error.objectId : (Object.values(params).at(-1) ?? null);
    try {
      await db.transaction((tx) =>
        appendAudit(tx, {
          actor: actorLabel(actor),
          action: 'access.denied',
          entityType: (hidden ? error.objectKind : null) ?? 'route',
          entityId: typeof objectId === 'string' ? objectId : route,
          data: {
            route,
            action: hidden ? error.action : actionsOf(request.routeOptions.config.action),
            objectId,
            params,
            status: hidden ? error.status : 404,
          },
        }),
      );
    } catch (err) {
      request.log.error({ err, route }, 'access denial not audited');
    }
  });
}

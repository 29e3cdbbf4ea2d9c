/**
 * Cookie sign-in for the web UI, the half of authentication that API tokens do not cover: a
 * request without a Bearer token but with a live `bd_session` cookie acts as the session's
 * person. Cookies are ambient credentials, so every state-changing request they authenticate
 * must prove it came from our own page (CSRF token header, and Origin when the browser sends
 * one). Bearer requests need no such proof: a browser never adds that header by itself.
 */
import type { FastifyRequest } from 'fastify';
import { DEFAULT_SESSION_POLICY, type LiveSession, type SessionPolicy } from '../auth/sessions.ts';
import { csrfTokenMatches, sessionForToken } from '../auth/sessions.ts';
import type { OidcSettings } from '../auth/oidc.ts';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-throttle.ts';
import { readSessionCookie } from './session-cookie.ts';

export interface SignInSettings {
  session: SessionPolicy;
  /** Leave `Secure` off the cookie. Only for plain HTTP on loopback (tests, development). */
  plainHttpCookies: boolean;
  /** The origin browsers reach this server at (`https://breachdesk.example`); null: Host. */
  origin: string | null;
  loginLimits: LoginLimits;
  /** The clock sessions and throttling read; tests move it. */
  now: () => Date;
  /** OpenID Connect sign-in (src/auth/oidc.ts); null when only passwords are used. */
  oidc: OidcSettings | null;
}

/** `given` over the defaults: 30 min idle, 12 h absolute, Secure cookies, 5/20 failures. */
export function resolveSignInSettings(given: Partial<SignInSettings> = {}): SignInSettings {
  return {
    session: given.session ?? DEFAULT_SESSION_POLICY,
    plainHttpCookies: given.plainHttpCookies ?? false,
    origin: given.origin ?? null,
    loginLimits: given.loginLimits ?? DEFAULT_LOGIN_LIMITS,
    now: given.now ?? (() => new Date()),
    oidc: given.oidc ?? null,
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The cookie session that authenticated the request; null for Bearer or anonymous. */
    signInSession: LiveSession | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sets request.actor from a live session cookie and, for a state-changing method, refuses with
 * 403 BD_CSRF unless the X-CSRF-Token header is the session's and any Origin is our own. Routes
 * marked `config: { public: true }` (sign-in itself) ignore the cookie.
 */
export async function authenticateByCookie(
  request: FastifyRequest,
  db: Db,
  settings: SignInSettings,
): Promise<void> {
  const config = request.routeOptions.config as { public?: unknown } | undefined;
  if (config?.public === true) return;
  const token = readSessionCookie(request.headers.cookie);
  if (token === null) return;

  const session = await sessionForToken(db, token, settings.now());
  if (session === null) return;

  if (!SAFE_METHODS.has(request.method)) checkCsrf(request, session, settings);
  request.actor = session.actor;
  request.signInSession = session;
}

function checkCsrf(request: FastifyRequest, session: LiveSession, settings: SignInSettings): void {
  const header = request.headers['x-csrf-token'];
  const presented = typeof header === 'string' ? header : '';
  if (presented === '') {
    fail(
      'BD_CSRF',
      'a request signed in by cookie must send the X-CSRF-Token header given at sign-in',
      'X-CSRF-Token',
    );
  }
  // Usually a tab left open from an earlier sign-in: saying so tells the page what to do.
  if (!csrfTokenMatches(session, presented)) {
    fail(
      'BD_CSRF',
      'the X-CSRF-Token does not belong to this session; sign in again, or send the token ' +
        'from this sign-in (GET /api/v1/auth/me gives it again)',
      'X-CSRF-Token',
    );
  }

  const origin = request.headers.origin;
  const own = settings.origin ?? `${request.protocol}://${request.host}`;
  if (origin !== undefined && origin !== own) {
    fail('BD_CSRF', `requests signed in by cookie must come from ${own}`, 'Origin');
  }
}

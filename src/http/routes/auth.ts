/**
 * Sign-in for people (docs/sign-in.md): email and password in, a session cookie and a CSRF
 * token out; sign-out; who am I; and setting a password with a one-time token. Every refusal
 * of a sign-in looks the same whatever the reason, so answers do not tell which emails exist.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../../audit/log.ts';
import { normaliseEmail, personByEmail, setPasswordWithToken } from '../../auth/people.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { announceSessionsEnded } from '../../auth/session-ends.ts';
import { csrfTokenFor, revokeSession } from '../../auth/sessions.ts';
import { fail } from '../../domain/errors.ts';
import { people } from '../../store/schema.ts';
import { createLoginThrottle } from '../login-throttle.ts';
import type { SignInSettings } from '../session-auth.ts';
import { clearedSessionCookie, readSessionCookie } from '../session-cookie.ts';
import { auditFailedSignIn, startSession } from '../start-session.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const WRONG = 'email or password is wrong';

export function registerAuthRoutes(
  app: BreachdeskApp,
  { db }: RouteDeps,
  settings: SignInSettings,
): void {
  const throttle = createLoginThrottle(settings.loginLimits, () => settings.now().getTime());
  const flags = { plainHttp: settings.plainHttpCookies };

  app.post(
    '/api/v1/auth/login',
    {
      config: { action: 'auth.login', public: true },
      schema: {
        summary: 'Sign in with email and password; sets the bd_session cookie',
        security: [],
        body: z.object({ email: z.string().max(320), password: z.string().max(4096) }),
      },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      const address = request.ip;

      // Over the limit: refused before the password is looked at, right or wrong.
      const allowed = throttle.admit(email, address);
      if (!allowed.allowed) {
        void reply.header('retry-after', String(allowed.retryAfterSeconds));
        fail(
          'BD_RATE_LIMITED',
          `too many failed sign-ins; retry after ${allowed.retryAfterSeconds} s`,
        );
      }

      const person = await personByEmail(db, email);
      const matches = await verifyPassword(person?.passwordHash ?? null, request.body.password);
      if (!person || !matches || person.disabledAt !== null) {
        const reason = !person
          ? 'unknown_account'
          : person.passwordHash === null
            ? 'no_password'
            : !matches
              ? 'wrong_password'
              : 'disabled';
        await auditFailedSignIn(db, settings, request, email, 'password', reason);
        fail('BD_AUTH_REQUIRED', WRONG);
      }
      throttle.succeeded(email, address);

      const opened = await startSession(db, settings, person, 'password', request, reply);
      return {
        person: {
          id: person.id,
          email: person.email,
          displayName: person.displayName,
          role: person.role,
          tenantId: person.tenantId,
        },
        csrfToken: opened.csrfToken,
        expiresAt: opened.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { action: 'auth.logout' },
      schema: { summary: 'Sign out: ends the cookie session (needs X-CSRF-Token)' },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const session = request.signInSession;
      if (session !== null) {
        const now = settings.now();
        const ended = await db.transaction(async (tx) => {
          if (!(await revokeSession(tx, session.id, now))) return false;
          await appendAudit(tx, {
            actor: actor.id,
            action: 'auth.logout',
            entityType: 'person',
            entityId: session.personId,
            at: now,
          });
          return true;
        });
        // Its open event streams end now, not at their next check (src/http/routes/events.ts).
        if (ended) announceSessionsEnded([session.id]);
      }

      void reply.header('set-cookie', clearedSessionCookie(flags));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { action: 'auth.me' },
      schema: { summary: 'Who the caller is; for a cookie session also its CSRF token' },
    },
    async (request) => {
      const actor = requireActor(request);
      const session = request.signInSession;
      if (session === null) return { actor, person: null, csrfToken: null };

      const [person] = await db.select().from(people).where(eq(people.id, session.personId));
      const token = readSessionCookie(request.headers.cookie) ?? '';
      return {
        actor,
        person: person && {
          id: person.id,
          email: person.email,
          displayName: person.displayName,
          role: person.role,
          tenantId: person.tenantId,
        },
        csrfToken: csrfTokenFor(token),
      };
    },
  );

  app.post(
    '/api/v1/auth/set-password',
    {
      config: { action: 'auth.set_password', public: true },
      schema: {
        summary: 'Set a password with the one-time token from `breachdesk people add`',
        security: [],
        body: z.object({ token: z.string().max(200), password: z.string().max(4096) }),
      },
    },
    async (request, reply) => {
      await setPasswordWithToken(db, request.body.token, request.body.password);
      return reply.status(204).send();
    },
  );
}

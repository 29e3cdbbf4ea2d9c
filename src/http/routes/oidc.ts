/**
 * Sign-in through an OpenID Connect provider (docs/sign-in.md): /start sends the browser to the
 * provider with a PKCE challenge, /callback takes it back, exchanges the code and opens the same
 * cookie session a password sign-in opens. The state travels in a short-lived cookie too, so a
 * callback can only finish a sign-in that this browser started (no login CSRF).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { count, gt } from 'drizzle-orm';
import { z } from 'zod';
import { createOidcClient, LOGIN_TTL_MS } from '../../auth/oidc.ts';
import { personByEmail } from '../../auth/people.ts';
import { BreachdeskError, fail } from '../../domain/errors.ts';
import { oidcLogins } from '../../store/schema.ts';
import { addressKey } from '../address-key.ts';
import { toErrorResponse } from '../error-response.ts';
import { TokenBuckets } from '../rate-limit.ts';
import type { BreachdeskApp, RouteDeps } from '../server.ts';
import type { SignInSettings } from '../session-auth.ts';
import { auditFailedSignIn, startSession } from '../start-session.ts';

const STATE_COOKIE = 'bd_oidc_state';
const COOKIE_PATH = '/api/v1/auth/oidc';
// Sign-ins under way at once; more is someone filling the table, not people signing in.
const MAX_PENDING = 10_000;
// Starts per client address: a person needs a few; one address may not fill the table that
// everyone shares and so lock everyone else out.
const STARTS_PER_ADDRESS = { burst: 20, perSecond: 20 / 600 };
// RFC 6749 §4.1.2.1 error codes are short ASCII words; anything else is not repeated back.
const PROVIDER_ERROR = /^[a-z_]{1,64}$/;
const NOT_ALLOWED = 'this identity has no Breachdesk account; ask an administrator';

export function registerOidcRoutes(
  app: BreachdeskApp,
  { db, log }: RouteDeps,
  settings: SignInSettings,
): void {
  const oidc = settings.oidc === null ? null : createOidcClient(settings.oidc);
  const secure = settings.plainHttpCookies ? '' : '; Secure';
  const starts = new TokenBuckets(STARTS_PER_ADDRESS);

  const refusalsAudited = async <T>(request: FastifyRequest, step: () => Promise<T>) => {
    try {
      return await step();
    } catch (error) {
      if (error instanceof BreachdeskError) {
        const why = error.field === undefined ? error.message : `${error.field}: ${error.message}`;
        await auditFailedSignIn(db, settings, request, '(unknown)', 'oidc', why);
      }
      throw error;
    }
  };

  const configured = () => {
    if (oidc === null) {
      fail('BD_NOT_FOUND', 'OpenID Connect sign-in is not configured on this server (--oidc-*)');
    }
    return oidc;
  };

  // The sign-in page asks before it offers the provider: a link that only answers "not
  // configured" would be a dead end.
  app.get(
    '/api/v1/auth/methods',
    {
      config: { action: 'auth.methods', public: true },
      schema: { summary: 'How people may sign in here: { password: true, oidc: boolean }' },
    },
    (_request, reply) => reply.send({ password: true, oidc: oidc !== null }),
  );

  app.get(
    '/api/v1/auth/oidc/start',
    {
      config: { action: 'auth.oidc', public: true },
      errorHandler: refusalForBrowser,
      schema: { summary: 'Start signing in at the OpenID Connect provider (a redirect)' },
    },
    async (request, reply) => {
      const client = configured();
      const now = settings.now();

      const allowed = starts.take(addressKey(request.ip), now.getTime());
      if (!allowed.allowed) {
        void reply.header('retry-after', String(allowed.retryAfterSeconds));
        fail('BD_RATE_LIMITED', `too many sign-ins started from this address; retry later`);
      }
      const [pending] = await db
        .select({ n: count() })
        .from(oidcLogins)
        .where(gt(oidcLogins.expiresAt, now.toISOString()));
      if ((pending?.n ?? 0) >= MAX_PENDING) {
        void reply.header('retry-after', String(LOGIN_TTL_MS / 1000));
        fail('BD_RATE_LIMITED', 'too many sign-ins under way; retry in a few minutes');
      }

      const { url, state } = await providerCall(log, () => client.begin(db, now));
      // Lax, not Strict: the provider's redirect back is a cross-site navigation.
      const cookie =
        `${STATE_COOKIE}=${state}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; ` +
        `Max-Age=${LOGIN_TTL_MS / 1000}${secure}`;
      return reply.header('set-cookie', cookie).redirect(url.href, 302);
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    {
      config: { action: 'auth.oidc', public: true },
      errorHandler: refusalForBrowser,
      schema: {
        summary: 'Where the OpenID Connect provider sends the browser back',
        querystring: z.object({
          state: z.string().max(200).optional(),
          code: z.string().max(4096).optional(),
          error: z.string().max(200).optional(),
        }),
      },
    },
    async (request, reply) => {
      const client = configured();
      const now = settings.now();
      // Every refusal is audited with why, as password sign-ins are; the caller learns the
      // code and a short reason, never the provider's own text.
      const email = await refusalsAudited(request, async () => {
        const expected = stateCookie(request.headers.cookie);
        const state = request.query.state ?? '';
        const providerError = request.query.error;
        if (providerError !== undefined) {
          const code = PROVIDER_ERROR.test(providerError) ? providerError : 'unrecognised';
          fail('BD_AUTH_REQUIRED', `the identity provider refused the sign-in (${code})`);
        }
        if (expected === null || !sameText(expected, state)) {
          fail(
            'BD_AUTH_REQUIRED',
            'this sign-in was not started in this browser (state cookie missing or different); ' +
              'start again',
            'state',
          );
        }

        const callbackUrl = new URL(request.url, settings.oidc?.redirectUri);
        return (await client.finish(db, callbackUrl, state, now)).email;
      });

      const person = await personByEmail(db, email);
      if (person === null || person.disabledAt !== null) {
        const reason = person === null ? 'unknown_account' : 'disabled';
        await auditFailedSignIn(db, settings, request, email, 'oidc', reason);
        fail('BD_AUTH_REQUIRED', NOT_ALLOWED);
      }

      await startSession(db, settings, person, 'oidc', request, reply);
      void reply.header(
        'set-cookie',
        `${STATE_COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0${secure}`,
      );

      // A page that moves on by itself rather than a redirect: after a cross-site redirect
      // chain a browser would not send the SameSite=Strict session cookie to the next page.
      return reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><html lang="en"><meta charset="utf-8">' +
            '<meta http-equiv="refresh" content="0;url=/"><title>Signed in</title>' +
            '<p>Signed in. <a href="/">Continue to Breachdesk</a></p></html>',
        );
    },
  );
}

/**
 * The error handler of the two routes a browser is sent to (the sign-in link, the provider's
 * redirect back): a refusal is a page to read with a way back, not JSON. Any other client
 * (no text/html in Accept) gets the coded JSON error every route gives.
 */
function refusalForBrowser(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error, request);
  if ((request.headers.accept ?? '').includes('text/html')) {
    void reply.status(status).type('text/html; charset=utf-8').send(refusalHtml(body.error));
  } else {
    void reply.status(status).send(body);
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The refusal as a page: its words and code (ours, never the provider's text), a way back. */
export function refusalHtml(error: { code: string; message: string }): string {
  const text = `${error.message} (${error.code})`.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  return (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Breachdesk</title>' +
    `<h1>Sign-in refused</h1><p>${text}</p><p><a href="/">Back to sign in</a></p></html>`
  );
}

async function providerCall<T>(log: RouteDeps['log'], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BreachdeskError) throw error;
    log.warn({ err: error }, 'oidc provider unreachable');
    fail('BD_UNAVAILABLE', 'the identity provider cannot be reached; try again shortly');
  }
}

function stateCookie(header: string | undefined): string | null {
  if (header === undefined) return null;

  const values = header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${STATE_COOKIE}=`))
    .map((pair) => pair.slice(STATE_COOKIE.length + 1));
  return values.length === 1 && values[0] !== '' ? (values[0] as string) : null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Opening a cookie session once a person has proved who they are, by password or through the
 * OpenID Connect provider: the session row, the audit entry and the Set-Cookie header.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/log.ts';
import type { PersonRow } from '../auth/people.ts';
import { openSession } from '../auth/sessions.ts';
import type { Db } from '../store/db.ts';
import type { SignInSettings } from './session-auth.ts';
import { sessionCookie } from './session-cookie.ts';

export type SignInMethod = 'password' | 'oidc';

/** Opens the session, audits `auth.login` and sets the cookie; returns its CSRF token. */
export async function startSession(
  db: Db,
  settings: SignInSettings,
  person: PersonRow,
  method: SignInMethod,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<{ csrfToken: string; expiresAt: Date }> {
  const now = settings.now();
  const address = request.ip;

  const opened = await db.transaction(async (tx) => {
    const session = await openSession(tx, person.id, {
      policy: settings.session,
      now,
      userAgent: userAgentOf(request),
      address,
    });
    await appendAudit(tx, {
      actor: `person:${person.email}`,
      action: 'auth.login',
      entityType: 'person',
      entityId: person.id,
      data: {
        address,
        method,
        userAgent: userAgentOf(request),
        expiresAt: session.expiresAt.toISOString(),
      },
      at: now,
    });
    return session;
  });

  const maxAge = (opened.expiresAt.getTime() - now.getTime()) / 1000;
  const flags = { plainHttp: settings.plainHttpCookies };
  void reply.header('set-cookie', sessionCookie(opened.token, maxAge, flags));
  return { csrfToken: opened.csrfToken, expiresAt: opened.expiresAt };
}

/** A refused sign-in, audited with why (never told to the caller). */
export async function auditFailedSignIn(
  db: Db,
  settings: SignInSettings,
  request: FastifyRequest,
  email: string,
  method: SignInMethod,
  reason: string,
): Promise<void> {
  const address = request.ip;
  await db.transaction((tx) =>
    appendAudit(tx, {
      actor: `sign-in:${address}`,
      action: 'auth.login_failed',
      entityType: 'account',
      entityId: email,
      data: { email, address, method, reason },
      at: settings.now(),
    }),
  );
}

export function userAgentOf(request: FastifyRequest): string | null {
  return request.headers['user-agent']?.slice(0, 500) ?? null;
}

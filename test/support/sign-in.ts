/**
 * Sign-in helpers for tests: people with passwords, a movable clock for sessions and
 * throttling, and signing in through the real route.
 */
import { addPerson, type PersonView } from '../../src/auth/people.ts';
import type { BreachdeskApp } from '../../src/http/server.ts';
import type { Db } from '../../src/store/db.ts';

export const PASSWORD = 'correct horse battery staple';

/** A person with PASSWORD (admin unless `over` says). */
export async function addTestPerson(
  db: Db,
  over: { email?: string; role?: string; tenantId?: string | null; displayName?: string } = {},
): Promise<PersonView> {
  const added = await addPerson(db, {
    email: over.email ?? 'ada@provider.example',
    displayName: over.displayName ?? 'Ada Admin',
    role: over.role ?? 'admin',
    tenantId: over.tenantId ?? null,
    password: PASSWORD,
    by: 'test',
  });
  return added.person;
}

/** A clock the server reads (`signIn.now`); `advance` moves it by minutes. */
export function testClock(start = '2026-12-01T09:00:00.000Z') {
  let at = Date.parse(start);
  return {
    now: () => new Date(at),
    advance(minutes: number) {
      at += minutes * 60_000;
    },
  };
}

export interface SignedIn {
  /** `bd_session=…`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

/** POSTs the login route; the raw answer. */
export function login(app: BreachdeskApp, email: string, password: string, ip = '127.0.0.1') {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: ip,
  });
}

/** Signs in and returns the cookie and CSRF token; throws unless the answer is 200. */
export async function signIn(
  app: BreachdeskApp,
  email = 'ada@provider.example',
  password = PASSWORD,
): Promise<SignedIn> {
  const res = await login(app, email, password);
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);

  const setCookie = String(res.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0] as string, csrfToken: res.json().csrfToken, setCookie };
}

import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor, verifyAuditLog } from '../../src/audit/log.ts';
import { disablePerson, issueSetPasswordToken, type PersonView } from '../../src/auth/people.ts';
import type { Store } from '../../src/store/db.ts';
import { people, sessions } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, login, PASSWORD, signIn, testClock } from '../support/sign-in.ts';

describeEachBackend('sign-in with email and password', (backend) => {
  let store: Store;
  let server: TestServer;
  let clock: ReturnType<typeof testClock>;
  let ada: PersonView;

  beforeEach(async () => {
    store = await backend.open();
    clock = testClock();
    server = await startTestServer(store, { server: { signIn: { now: clock.now } } });
    ada = await addTestPerson(store.db);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  function me(cookie: string) {
    return server.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
  }

  it('stores the password as an argon2id hash, never as given', async () => {
    const [row] = await store.db.select().from(people).where(eq(people.id, ada.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row?.passwordHash).not.toContain(PASSWORD);
  });

  it('signs in and answers with the person and a CSRF token', async () => {
    const res = await login(server.app, 'ADA@provider.example ', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ person: { id: ada.id, role: 'admin', tenantId: null } });
    expect(res.json().csrfToken).toMatch(/^[\w-]{43}$/);
  });

  it('sets a Secure, HttpOnly, SameSite=Strict cookie that ends with the session', async () => {
    const { setCookie } = await signIn(server.app);
    const flags = setCookie.split('; ').slice(1);
    expect(flags.sort()).toEqual([
      'HttpOnly',
      'Max-Age=43200',
      'Path=/',
      'SameSite=Strict',
      'Secure',
    ]);
  });

  it('leaves Secure off only when told the server runs on plain HTTP', async () => {
    const plain = await startTestServer(store, {
      server: { signIn: { plainHttpCookies: true, now: clock.now } },
    });
    const { setCookie } = await signIn(plain.app);
    await plain.app.close();
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).not.toContain('Secure');
  });

  it('stores only the hash of the session token', async () => {
    const { cookie } = await signIn(server.app);
    const token = cookie.slice('bd_session='.length);
    const rows = await store.db.select().from(sessions);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('answers a wrong password and an unknown email with the same 401 body', async () => {
    const wrong = await login(server.app, 'ada@provider.example', 'not the password at all');
    const unknown = await login(server.app, 'nobody@provider.example', PASSWORD);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a disabled person with the same answer as a wrong password', async () => {
    await disablePerson(store.db, ada.id, 'test');
    const res = await login(server.app, 'ada@provider.example', PASSWORD);
    const wrong = await login(server.app, 'ada@provider.example', 'not the password at all');
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(wrong.body);
  });

  it('ends the open sessions of a person who is disabled', async () => {
    const { cookie } = await signIn(server.app);
    await disablePerson(store.db, ada.id, 'test');
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('acts as the session person on other routes', async () => {
    const { cookie } = await signIn(server.app);
    const res = await me(cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json().actor).toEqual({
      id: 'person:ada@provider.example',
      role: 'admin',
      tenantId: null,
    });
    const list = await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      headers: { cookie },
    });
    expect(list.statusCode).toBe(200);
  });

  it('gives the same CSRF token again from /me', async () => {
    const { cookie, csrfToken } = await signIn(server.app);
    expect((await me(cookie)).json().csrfToken).toBe(csrfToken);
  });

  it('ends a session after 30 idle minutes', async () => {
    const { cookie } = await signIn(server.app);
    clock.advance(29);
    expect((await me(cookie)).statusCode).toBe(200);
    clock.advance(29);
    expect((await me(cookie)).statusCode).toBe(200);
    clock.advance(31);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('ends a session 12 hours after sign-in however active', async () => {
    const { cookie } = await signIn(server.app);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      clock.advance(20);
      expect((await me(cookie)).statusCode).toBe(200);
    }
    clock.advance(20);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('honours configured session lengths', async () => {
    const short = await startTestServer(store, {
      server: { signIn: { now: clock.now, session: { idleMinutes: 5, absoluteHours: 1 } } },
    });
    const { cookie, setCookie } = await signIn(short.app);
    clock.advance(6);
    const res = await short.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie },
    });
    await short.app.close();
    expect(setCookie).toContain('Max-Age=3600');
    expect(res.statusCode).toBe(401);
  });

  it('revokes the session at logout, so the old cookie no longer works', async () => {
    const { cookie, csrfToken } = await signIn(server.app);
    const out = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('refuses a forged or altered cookie with 401', async () => {
    const { cookie } = await signIn(server.app);
    const last = cookie.at(-1) === 'A' ? 'B' : 'A';
    const altered = cookie.slice(0, -1) + last;
    const forged = `bd_session=bds_${'x'.repeat(43)}`;
    for (const c of [altered, forged, 'bd_session=../../etc/passwd', `${cookie}; ${forged}`]) {
      const res = await me(c);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('BD_AUTH_REQUIRED');
    }
  });

  it('sets a password once with a one-time token', async () => {
    const { token } = await issueSetPasswordToken(store.db, ada.id, 'test');
    const body = { token, password: 'a brand new passphrase' };
    const first = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: body,
    });
    const again = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { ...body, password: 'yet another passphrase' },
    });
    expect(first.statusCode).toBe(204);
    expect(again.statusCode).toBe(401);
    expect((await login(server.app, ada.email, 'a brand new passphrase')).statusCode).toBe(200);
  });

  it('refuses a password shorter than 12 characters when setting one', async () => {
    const { token } = await issueSetPasswordToken(store.db, ada.id, 'test');
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { token, password: 'short pw' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('password');
  });

  it('audits sign-in, failure and sign-out, never the password; the chain verifies', async () => {
    await login(server.app, 'Ada@Provider.example', 'not the password at all', '198.51.100.7');
    const { cookie, csrfToken } = await signIn(server.app);
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });

    const failed = await auditEntriesFor(store.db, 'ada@provider.example');
    expect(failed.map((e) => e.action)).toEqual(['auth.login_failed']);
    expect(JSON.parse(failed[0]?.data ?? '{}')).toMatchObject({
      email: 'ada@provider.example',
      address: '198.51.100.7',
    });
    const entries = await auditEntriesFor(store.db, ada.id);
    expect(entries.map((e) => e.action)).toEqual(['person.created', 'auth.login', 'auth.logout']);
    // The session's end as an instant, not an empty object.
    expect(JSON.parse(entries[1]?.data ?? '{}')).toMatchObject({
      method: 'password',
      expiresAt: '2026-12-01T21:00:00.000Z',
    });
    const all = await auditEntriesFor(store.db, ada.id);
    expect(JSON.stringify([...failed, ...all])).not.toContain('not the password');
    expect((await verifyAuditLog(store.db)).ok).toBe(true);
  });
});

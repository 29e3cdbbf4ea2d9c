import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor, verifyAuditLog } from '../../src/audit/log.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, login, PASSWORD, testClock } from '../support/sign-in.ts';

const ADA = 'ada@provider.example';
const WRONG = 'not the password at all';

describeEachBackend('sign-in throttling', (backend) => {
  let store: Store;
  let server: TestServer;
  let clock: ReturnType<typeof testClock>;

  beforeEach(async () => {
    store = await backend.open();
    clock = testClock();
    server = await startTestServer(store, { server: { signIn: { now: clock.now } } });
    await addTestPerson(store.db);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('refuses the 6th attempt on an account with 429, even with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login(server.app, ADA, WRONG, `203.0.113.${i}`)).statusCode).toBe(401);
    }
    const sixth = await login(server.app, ADA, PASSWORD, '203.0.113.99');
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('BD_RATE_LIMITED');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(sixth.headers['set-cookie']).toBeUndefined();
  });

  it('checks at most 5 passwords of 40 attempts sent at once on one account', async () => {
    const attempts = Array.from({ length: 40 }, (_, i) =>
      login(server.app, ADA, WRONG, `203.0.113.${i}`),
    );
    const codes = (await Promise.all(attempts)).map((r) => r.statusCode);

    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(35);
    expect(await auditEntriesFor(store.db, ADA)).toHaveLength(5);
  });

  it('does not count a right password against the account', async () => {
    for (let i = 0; i < 4; i++) await login(server.app, ADA, WRONG);
    for (let i = 0; i < 3; i++)
      expect((await login(server.app, ADA, PASSWORD)).statusCode).toBe(200);
    expect((await login(server.app, ADA, WRONG)).statusCode).toBe(401);
    expect((await login(server.app, ADA, PASSWORD)).statusCode).toBe(429);
  });

  it('audits each checked failure and not the refused attempt', async () => {
    for (let i = 0; i < 6; i++) await login(server.app, 'Ada@Provider.example', WRONG);
    const entries = await auditEntriesFor(store.db, ADA);
    expect(entries.map((e) => e.action)).toEqual(Array(5).fill('auth.login_failed'));
    expect(entries.map((e) => e.data).join()).not.toContain(WRONG);
    expect((await verifyAuditLog(store.db)).ok).toBe(true);
  });

  it('lets the account try again once the window has let an attempt back', async () => {
    for (let i = 0; i < 5; i++) await login(server.app, ADA, WRONG);
    clock.advance(1);
    expect((await login(server.app, ADA, PASSWORD)).statusCode).toBe(429);
    clock.advance(3);
    expect((await login(server.app, ADA, PASSWORD)).statusCode).toBe(200);
  });

  it('refuses an address after 20 failures on any accounts; other addresses pass', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await login(server.app, `guess${i}@provider.example`, WRONG, '198.51.100.9');
      expect(res.statusCode).toBe(401);
    }
    const blocked = await login(server.app, ADA, PASSWORD, '198.51.100.9');
    expect(blocked.statusCode).toBe(429);
    expect((await login(server.app, ADA, PASSWORD, '198.51.100.10')).statusCode).toBe(200);
  });
});

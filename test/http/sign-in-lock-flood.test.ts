/**
 * Regression: failed sign-ins for many other e-mails pushed a locked account out of the
 * throttle's bounded table, which unlocked it and reset its count of wrong passwords. The
 * tables are made small here (maxKeys 20) so a flood of 300 shows it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS } from '../../src/http/login-throttle.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, login, PASSWORD, testClock } from '../support/sign-in.ts';

const ADA = 'ada@provider.example';
const WRONG = 'not the password at all';
const FLOOD = 300;
// Sent at once, so the flood takes seconds rather than minutes of argon2 verifications.
const BATCH = 50;

describeEachBackend('sign-in lock under a flood of other e-mails', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    const loginLimits = { ...DEFAULT_LOGIN_LIMITS, maxKeys: 20 };
    server = await startTestServer(store, {
      server: { signIn: { now: testClock().now, loginLimits } },
    });
    await addTestPerson(store.db);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('keeps an account locked however many other e-mails fail after it', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login(server.app, ADA, WRONG, `203.0.113.${i}`)).statusCode).toBe(401);
    }

    // One failure per e-mail and per address, so no other key is locked and all can go.
    const codes: number[] = [];
    for (let start = 0; start < FLOOD; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, j) => {
        const n = start + j;
        return login(server.app, `guess${n}@provider.example`, WRONG, `10.0.${n >> 8}.${n & 255}`);
      });
      codes.push(...(await Promise.all(batch)).map((res) => res.statusCode));
    }
    expect(codes.filter((code) => code === 401)).toHaveLength(FLOOD);

    expect((await login(server.app, ADA, PASSWORD, '198.51.100.77')).statusCode).toBe(429);
  }, 120_000);
});

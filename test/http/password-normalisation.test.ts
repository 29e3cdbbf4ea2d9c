/**
 * Sign-in through the real route with a password typed on another device: the same characters
 * in another Unicode form (NFD "e + U+0301" or NFC "é") sign in, a wrong one still does not,
 * and each wrong attempt still counts once against the sign-in throttle.
 */
import { hash } from '@node-rs/argon2';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { addPerson, issueSetPasswordToken, setPassword } from '../../src/auth/people.ts';
import type { Store } from '../../src/store/db.ts';
import { people } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, login, PASSWORD } from '../support/sign-in.ts';

const ADA = 'ada@provider.example';
const TYPED = 'Crème brûlée à la carte, s’il vous plaît';
const NFC = TYPED.normalize('NFC');
const NFD = TYPED.normalize('NFD');

describeEachBackend('sign-in with passwords in either Unicode form', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  function addAda(password: string) {
    return addPerson(store.db, {
      email: ADA,
      displayName: 'Ada',
      role: 'admin',
      password,
      by: 't',
    });
  }

  it('signs in with the NFC form of a password set in NFD', async () => {
    await addAda(NFD);
    expect((await login(server.app, ADA, NFC)).statusCode).toBe(200);
  });

  it('signs in with the NFD form of a password set in NFC', async () => {
    await addAda(NFC);
    expect((await login(server.app, ADA, NFD)).statusCode).toBe(200);
  });

  it('signs in with NFC after a password set in NFD through the one-time token', async () => {
    const { person } = await addPerson(store.db, {
      email: ADA,
      displayName: 'Ada',
      role: 'admin',
      by: 't',
    });
    const issued = await issueSetPasswordToken(store.db, person.id, 't');
    const set = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { token: issued.token, password: NFD },
    });
    expect(set.statusCode).toBe(204);

    expect((await login(server.app, ADA, NFC)).statusCode).toBe(200);
  });

  it('signs in with NFD after `people set-password` set it in NFC', async () => {
    const ada = await addTestPerson(store.db);
    await setPassword(store.db, ada.id, NFC, 'cli');

    expect((await login(server.app, ADA, NFD)).statusCode).toBe(200);
    expect((await login(server.app, ADA, PASSWORD)).statusCode).toBe(401);
  });

  it('still signs in with a hash stored before normalisation, typed as then', async () => {
    const ada = await addTestPerson(store.db);
    const legacy = await hash(NFD, { algorithm: 2, memoryCost: 19_456, timeCost: 2 });
    await store.db.update(people).set({ passwordHash: legacy }).where(eq(people.id, ada.id));

    expect((await login(server.app, ADA, NFD)).statusCode).toBe(200);
  });

  it('refuses a wrong password in either form with the usual 401', async () => {
    await addAda(NFC);
    const usual = await login(server.app, ADA, 'not the password at all');
    for (const form of ['NFC', 'NFD'] as const) {
      const wrong = await login(server.app, ADA, 'Crème brûlée, merci beaucoup'.normalize(form));
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toBe(usual.body);
    }
  });

  it('counts each wrong non-NFC attempt once: the 6th is throttled', async () => {
    await addAda(NFC);
    for (let i = 0; i < 5; i++) {
      const wrong = 'Crème brûlée, merci beaucoup'.normalize('NFD');
      expect((await login(server.app, ADA, wrong, `203.0.113.${i}`)).statusCode).toBe(401);
    }
    expect((await login(server.app, ADA, NFC, '203.0.113.99')).statusCode).toBe(429);
  });
});

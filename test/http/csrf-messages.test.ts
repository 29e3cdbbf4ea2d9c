/**
 * A cookie request refused for its X-CSRF-Token says which fault it has: no token at all, or a
 * token that is not this session's (a stale tab from an earlier sign-in, another session's).
 * Both stay 403 BD_CSRF and change nothing.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, type SignedIn, signIn } from '../support/sign-in.ts';

describeEachBackend('CSRF refusal messages', (backend) => {
  let store: Store;
  let server: TestServer;
  let ada: SignedIn;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store);
    await addTestPerson(store.db);
    ada = await signIn(server.app);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  function issueToken(headers: Record<string, string>) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie: ada.cookie, ...headers },
      payload: { label: 'ops bot', role: 'responder' },
    });
  }

  /** Every table a refused request could touch, tokens included (snapshot leaves them out). */
  async function stored() {
    const res = await store.db.execute(sql`SELECT count(*)::int AS n FROM api_tokens`);
    return { tables: await snapshot(store.db), tokens: (res as { rows: unknown[] }).rows };
  }

  it('tells a request without the header to send the one given at sign-in', async () => {
    const before = await stored();
    for (const headers of [{}, { 'x-csrf-token': '' }] as Record<string, string>[]) {
      const res = await issueToken(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'BD_CSRF', field: 'X-CSRF-Token' });
      expect(res.json().error.message).toMatch(
        /must send the X-CSRF-Token header given at sign-in/,
      );
    }
    expect(await stored()).toEqual(before);
  });

  it('tells a request with another session’s token that it is not this session’s', async () => {
    const other = await signIn(server.app);
    const before = await stored();

    const res = await issueToken({ 'x-csrf-token': other.csrfToken });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'BD_CSRF', field: 'X-CSRF-Token' });
    expect(res.json().error.message).toMatch(/does not belong to this session.*sign in again/);
    expect(await stored()).toEqual(before);
  });

  it('says the same of a token that is no session’s at all', async () => {
    const res = await issueToken({ 'x-csrf-token': 'not-a-token' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/does not belong to this session/);
  });
});

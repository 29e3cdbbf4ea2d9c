import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, type SignedIn, signIn } from '../support/sign-in.ts';

describeEachBackend('CSRF protection of cookie sessions', (backend) => {
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
      headers: { host: 'breachdesk.test', ...headers },
      payload: { label: 'ops bot', role: 'responder' },
    });
  }

  async function tokenCount(): Promise<number> {
    const res = await store.db.execute(sql`SELECT count(*)::int AS n FROM api_tokens`);
    return (res as { rows: { n: number }[] }).rows[0]?.n ?? -1;
  }

  it('refuses a cookie POST without X-CSRF-Token with 403 and stores nothing', async () => {
    const before = { tables: await snapshot(store.db), tokens: await tokenCount() };
    const res = await issueToken({ cookie: ada.cookie });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_CSRF');
    expect({ tables: await snapshot(store.db), tokens: await tokenCount() }).toEqual(before);
  });

  it('refuses a cookie POST with a wrong X-CSRF-Token', async () => {
    const wrong = ada.csrfToken.slice(0, -1) + (ada.csrfToken.endsWith('A') ? 'B' : 'A');
    for (const header of [wrong, 'x', '']) {
      const res = await issueToken({ cookie: ada.cookie, 'x-csrf-token': header });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('BD_CSRF');
    }
  });

  it('refuses another session’s CSRF token', async () => {
    const other = await signIn(server.app);
    const res = await issueToken({ cookie: ada.cookie, 'x-csrf-token': other.csrfToken });
    expect(res.statusCode).toBe(403);
  });

  it('accepts a cookie POST with the session’s X-CSRF-Token', async () => {
    const res = await issueToken({ cookie: ada.cookie, 'x-csrf-token': ada.csrfToken });
    expect(res.statusCode).toBe(201);
  });

  it('refuses a cookie POST from another origin even with the right token', async () => {
    const res = await issueToken({
      cookie: ada.cookie,
      'x-csrf-token': ada.csrfToken,
      origin: 'https://evil.example',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.field).toBe('Origin');
  });

  it('accepts its own origin, from Host or as configured', async () => {
    const own = await issueToken({
      cookie: ada.cookie,
      'x-csrf-token': ada.csrfToken,
      origin: 'http://breachdesk.test',
    });
    expect(own.statusCode).toBe(201);

    const configured = await startTestServer(store, {
      server: { signIn: { origin: 'https://bd.example' } },
    });
    const res = await configured.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${own.json().id}`,
      headers: { cookie: ada.cookie, 'x-csrf-token': ada.csrfToken, origin: 'https://bd.example' },
    });
    await configured.app.close();
    expect(res.statusCode).toBe(204);
  });

  it('lets cookie GETs through without the header', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      headers: { cookie: ada.cookie },
    });
    expect(res.statusCode).toBe(200);
  });

  it('exempts Bearer POSTs, which carry no ambient credential', async () => {
    const res = await issueToken({ ...server.as('admin'), cookie: ada.cookie });
    expect(res.statusCode).toBe(201);
  });
});

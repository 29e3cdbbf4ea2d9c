import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('API tokens', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  async function issue(body: Record<string, unknown>, as = 'admin') {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.as(as),
      payload: body,
    });
  }

  it('lets an administrator issue a tenant admin token that reaches its own tenant', async () => {
    const res = await issue({ label: 'acme admin', role: 'tenant_admin', tenantId: 'acme' });
    expect(res.statusCode).toBe(201);

    const contacts = await server.app.inject({
      method: 'GET',
      url: '/api/v1/tenants/acme/contacts',
      headers: { authorization: `Bearer ${res.json().token}` },
    });
    expect(contacts.statusCode).toBe(200);
  });

  it('refuses a replayed token after revocation', async () => {
    const { id, token } = (await issue({ label: 'ops bot', role: 'responder' })).json();
    const revoke = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: server.as('admin'),
    });
    expect(revoke.statusCode).toBe(204);

    const replay = await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(replay.statusCode).toBe(401);
  });

  it('refuses token issue by a non-administrator and stores nothing', async () => {
    const before = await snapshot(store.db);
    const res = await issue({ label: 'sneaky', role: 'admin' }, 'responder');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_AUTH_FORBIDDEN');
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses a tenant admin token without a tenant', async () => {
    const res = await issue({ label: 'lost admin', role: 'tenant_admin' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'tenantId' });
  });
});

import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { auditEntriesFor, verifyAuditLog } from '../../src/audit/log.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DAY = 86_400_000;

describeEachBackend('API token expiry', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await server.app.close();
    await store.close();
  });

  function issue(body: Record<string, unknown>) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.as('admin'),
      payload: { label: 'ops bot', role: 'responder', ...body },
    });
  }

  function listWith(token: string) {
    return server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      headers: { authorization: `Bearer ${token}` },
    });
  }

  it('gives a new token 90 days unless told otherwise, and audits the expiry', async () => {
    const before = Date.now();
    const res = await issue({});
    const { id, expiresAt } = res.json();
    expect(Date.parse(expiresAt) - before).toBeGreaterThanOrEqual(90 * DAY - 1000);
    expect(Date.parse(expiresAt) - before).toBeLessThanOrEqual(90 * DAY + 60_000);

    const [created] = await auditEntriesFor(store.db, id);
    expect(JSON.parse(created?.data ?? '{}').expiresAt).toBe(expiresAt);
    expect((await verifyAuditLog(store.db)).ok).toBe(true);
  });

  it('refuses a lifetime over 365 days or under one', async () => {
    for (const expiresInDays of [366, 0, 1.5]) {
      const res = await issue({ expiresInDays });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('expiresInDays');
    }
  });

  it('refuses a token once it has expired, like a revoked one', async () => {
    const { token } = (await issue({ expiresInDays: 1 })).json();
    expect((await listWith(token)).statusCode).toBe(200);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + DAY + 1000);
    const res = await listWith(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('BD_AUTH_REQUIRED');
  });

  it('refuses a replayed token after revocation', async () => {
    const { id, token } = (await issue({})).json();
    await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: server.as('admin'),
    });
    expect((await listWith(token)).statusCode).toBe(401);
  });
});

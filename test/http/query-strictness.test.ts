/**
 * Console reads and contact writes are as strict as the queue: a number in a query string is
 * decimal digits in its range (no 0x10, 1e3), an unknown query key or body field is refused
 * naming it, a month before 1970 is refused rather than read as 19xx, and an empty change is
 * not a change. Refusals are coded 400s that leave the stored data (and the audit log) as it was.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('query and body strictness', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    await openInvestigation(store.db);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (url: string, role: string) =>
    server.app.inject({ method: 'GET', url, headers: server.as(role) });

  /** "status code field" of each query, after checking that none of them wrote anything. */
  async function answers(base: string, queries: string[], role: string): Promise<string[]> {
    const before = await snapshot(store.db);
    const out: string[] = [];
    for (const q of queries) {
      const res = await get(`${base}?${q}`, role);
      const error = res.statusCode === 200 ? { code: 'ok', field: '-' } : res.json().error;
      out.push(`${q} ${res.statusCode} ${error.code} ${error.field}`);
    }
    expect(await snapshot(store.db)).toEqual(before);
    return out;
  }

  it('reads audit entry numbers as decimal digits only and refuses unknown keys', async () => {
    const queries = ['limit=0x10', 'before=1e3', 'limit=+5', 'limit=%205', 'since=1', 'limit=10'];
    expect(await answers('/api/v1/audit/entries', queries, 'auditor')).toEqual([
      'limit=0x10 400 BD_REQUEST_INVALID limit',
      'before=1e3 400 BD_REQUEST_INVALID before',
      'limit=+5 400 BD_REQUEST_INVALID limit',
      'limit=%205 400 BD_REQUEST_INVALID limit',
      'since=1 400 BD_REQUEST_INVALID since',
      'limit=10 200 ok -',
    ]);

    const hex = await get('/api/v1/audit/entries?limit=0x10', 'auditor');
    expect(hex.json().error.message).toContain('1 to 500');
  });

  it('states the range of a queue page, and serves the last page it allows', async () => {
    const last = await get('/api/v1/queue?page=1000000', 'responder');
    expect(last.statusCode, last.body).toBe(200);
    expect(last.json()).toMatchObject({ items: [], page: 1_000_000 });

    for (const page of ['1000001', 'two', '99999999999999999999']) {
      const res = await get(`/api/v1/queue?page=${page}`, 'responder');
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'page' });
      expect(res.json().error.message).toContain('from 1 to 1000000');
    }
  });

  it('refuses timing periods before 1970 instead of reading them as 19xx', async () => {
    const queries = [
      'from=0001-01&to=0002-01',
      'from=0000-01&to=0001-01',
      'from=1969-12&to=1970-02',
      'from=0001-01-01&to=1970-02',
      'from=1970-01&to=0099-01',
      'from=1970-01&to=1970-02',
    ];
    expect(await answers('/api/v1/metrics/timings', queries, 'responder')).toEqual([
      'from=0001-01&to=0002-01 400 BD_REQUEST_INVALID from',
      'from=0000-01&to=0001-01 400 BD_REQUEST_INVALID from',
      'from=1969-12&to=1970-02 400 BD_REQUEST_INVALID from',
      'from=0001-01-01&to=1970-02 400 BD_REQUEST_INVALID from',
      'from=1970-01&to=0099-01 400 BD_REQUEST_INVALID to',
      'from=1970-01&to=1970-02 200 ok -',
    ]);

    const res = await get('/api/v1/metrics/timings?from=0000-01', 'responder');
    expect(res.json().error.message).toMatch(/^from: .*1970/);
  });

  it('refuses unknown fields when a contact is added, storing nothing', async () => {
    const before = await snapshot(store.db);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tenants/acme/contacts',
      headers: server.as('tenant_admin:acme'),
      payload: { name: 'Eve', email: 'eve@acme.example', tenantId: 'globex' },
    });

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_TENANT_INVALID', field: 'tenantId' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses an empty change of a contact, auditing nothing', async () => {
    const [contact] = (await get('/api/v1/tenants/acme/contacts', 'tenant_admin:acme')).json();
    const before = await snapshot(store.db);
    const res = await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/acme/contacts/${contact.id}`,
      headers: server.as('tenant_admin:acme'),
      payload: {},
    });

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('BD_TENANT_INVALID');
    expect(res.json().error.message).toContain('nothing to change');
    expect(await snapshot(store.db)).toEqual(before);
  });
});

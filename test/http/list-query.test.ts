/**
 * The query strings of list routes: a number is plain decimal digits within its range (no 0x10,
 * 1e2, " 5", "5 " or an empty value read as 0), and a key the route does not read is refused
 * naming it and the keys it does read, so that a misspelt `limt=5` is not silently ignored.
 * Every refusal is a coded 400 naming the field; the console's own calls keep working.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Spellings that Number() or z.coerce.number() read as a number, and a query must not. */
// %205 and 5%20 are " 5" and "5 "; the last is "１２" in full-width digits.
const NOT_DIGITS = ['0x10', '1e2', '%205', '5%20', '', '+5', '5.0', '-1', '%EF%BC%91%EF%BC%92'];

describeEachBackend('list query strings', (backend) => {
  let store: Store;
  let server: TestServer;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    id = await openInvestigation(store.db);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (url: string, role: string) =>
    server.app.inject({ method: 'GET', url, headers: server.as(role) });

  /** "query status code field" per query, after checking that none of them wrote anything. */
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

  const refusedAll = (key: string, prefix = '') =>
    NOT_DIGITS.map((v) => `${prefix}${key}=${v} 400 BD_REQUEST_INVALID ${key}`);
  const asked = (key: string, prefix = '') => NOT_DIGITS.map((v) => `${prefix}${key}=${v}`);

  it.each([
    ['/api/v1/investigations', 'limit', 'responder'],
    ['/api/v1/postmortems', 'limit', 'auditor'],
    ['/api/v1/reports/mine', 'limit', 'responder'],
    ['/api/v1/audit/entries', 'limit', 'auditor'],
    ['/api/v1/audit/entries', 'before', 'auditor'],
    ['/api/v1/clock/gdpr-33-2', 'contractHours', 'responder'],
  ])('reads %s?%s as decimal digits only', async (base, key, role) => {
    // The clock needs a moment to run from; the other routes need nothing more.
    const prefix = base.startsWith('/api/v1/clock') ? 'aware=2026-01-05T10:00:00Z&' : '';
    expect(await answers(base, asked(key, prefix), role)).toEqual(refusedAll(key, prefix));
  });

  it.each([['limit'], ['afterSeq'], ['beforeSeq']])(
    "reads the timeline's %s as decimal digits only",
    async (key) => {
      // beforeSeq pages newest first; the others page either way.
      const prefix = key === 'beforeSeq' ? 'order=desc&' : '';
      const base = `/api/v1/investigations/${id}/timeline`;
      expect(await answers(base, asked(key, prefix), 'responder')).toEqual(refusedAll(key, prefix));
    },
  );

  it("reads the signals' limit as decimal digits only", async () => {
    const base = `/api/v1/investigations/${id}/signals`;
    expect(await answers(base, asked('limit'), 'responder')).toEqual(refusedAll('limit'));
  });

  it('states the range and the digits-only form when it refuses a number', async () => {
    const res = await get('/api/v1/investigations?limit=0x10', 'responder');

    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      'querystring limit: must be a whole number from 1 to 1000, in decimal digits only',
    );
  });

  it('refuses a number given twice rather than picking one', async () => {
    const res = await get('/api/v1/postmortems?limit=5&limit=6', 'auditor');

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'limit' });
  });

  it.each([
    ['/api/v1/investigations', 'responder', 'includeClosed, limit'],
    ['/api/v1/postmortems', 'auditor', 'limit'],
    ['/api/v1/reports/mine', 'responder', 'limit'],
    ['/api/v1/audit/entries', 'auditor', 'before, limit'],
    ['/api/v1/suppression-rules', 'responder', 'state, investigationId'],
    ['/api/v1/training/status', 'auditor', 'due, at'],
    ['/api/v1/tenants/acme/notices', 'tenant_admin:acme', 'nothing'],
  ])('refuses a misspelt key on %s, naming it and the keys it reads', async (base, role, keys) => {
    const before = await snapshot(store.db);
    const res = await get(`${base}?limt=5`, role);

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'limt' });
    expect(res.json().error.message).toContain(keys);
    expect(await snapshot(store.db)).toEqual(before);
  });

  it.each([
    ['/api/v1/clock/gdpr-33-2?aware=2026-01-05T10:00:00Z&contracthours=24', 'contracthours'],
    ['/api/v1/metrics/timings?form=2026-01', 'form'],
  ])('refuses a misspelt key on %s rather than working without it', async (url, key) => {
    // Dropped silently, `contracthours` would give a deadline worked out without contract hours.
    const res = await get(url, 'responder');

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: key });
  });

  it.each([
    ['=5', '(querystring)'],
    ['__proto__=1', '__proto__'],
    ['constructor=1', 'constructor'],
  ])('refuses the key of ?%s by name, or the query as a whole', async (query, field) => {
    const res = await get(`/api/v1/investigations?${query}`, 'responder');

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field });
  });

  it.each([['timeline'], ['signals']])(
    "refuses a misspelt key on an investigation's %s",
    async (what) => {
      const res = await get(`/api/v1/investigations/${id}/${what}?limt=5`, 'responder');

      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'limt' });
    },
  );

  it("keeps answering the console's own list calls and the documented forms", async () => {
    const calls: [string, string][] = [
      [`/api/v1/investigations/${id}/timeline?order=desc&limit=1000`, 'responder'],
      [`/api/v1/investigations/${id}/timeline?order=desc&beforeSeq=9007199254740991`, 'admin'],
      [`/api/v1/investigations/${id}/timeline?afterSeq=0&limit=1`, 'responder'],
      [`/api/v1/investigations/${id}/signals?limit=500`, 'responder'],
      ['/api/v1/audit/entries?limit=50', 'auditor'],
      ['/api/v1/audit/entries?before=9007199254740991&limit=1', 'auditor'],
      ['/api/v1/postmortems', 'auditor'],
      ['/api/v1/postmortems?limit=1000', 'auditor'],
      ['/api/v1/investigations?includeClosed=true&limit=007', 'responder'],
      ['/api/v1/reports/mine?limit=500', 'responder'],
      [`/api/v1/suppression-rules?state=active&investigationId=${id}`, 'responder'],
      ['/api/v1/queue?stage=detect,assess&sort=deadline&order=asc&page=1&pageSize=25', 'admin'],
      ['/api/v1/tenants/acme/notices', 'tenant_admin:acme'],
      ['/api/v1/training/status?due=1', 'auditor'],
      ['/api/v1/metrics/timings?from=2026-01&to=2026-03', 'responder'],
      ['/api/v1/clock/gdpr-33-2?aware=2026-01-05T10:00:00Z&contractHours=720', 'responder'],
    ];

    const answered = await Promise.all(calls.map(([url, role]) => get(url, role)));
    expect(answered.map((r, i) => `${calls[i]?.[0]} ${r.statusCode}`)).toEqual(
      calls.map(([url]) => `${url} 200`),
    );
  });

  it('still describes the strict queries in the OpenAPI document', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    const params = res.json().paths['/api/v1/investigations'].get.parameters;

    expect(res.statusCode).toBe(200);
    expect(params).toContainEqual(
      expect.objectContaining({ name: 'limit', in: 'query', schema: expect.anything() }),
    );
  });
});

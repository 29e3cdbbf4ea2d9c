/**
 * GET /api/v1/clock/:regime answers what `breachdesk clock --json` prints, to any
 * authenticated caller, and refuses bad input with a coded 400 without touching stored data.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('HTTP clock', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (url: string, role: string | null = 'responder') =>
    server.app.inject({ method: 'GET', url, headers: role ? server.as(role) : {} });

  it('computes the GDPR Art. 33(1) deadline for awareness 2024-03-30 10:00 in Berlin', async () => {
    const res = await get('/api/v1/clock/gdpr-33-1?aware=2024-03-30T10:00&zone=Europe/Berlin');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      regime: 'gdpr-33-1',
      filings: [{ filing: 'authority', due: '2024-04-02T09:00:00.000Z', dueDate: '2024-04-02' }],
    });
  });

  it('answers a tenant admin too, since any authenticated role may ask', async () => {
    const res = await get('/api/v1/clock/cert-in?aware=2024-02-29T16:30:00Z', 'tenant_admin:acme');
    expect(res.json().filings[0].due).toBe('2024-02-29T22:30:00.000Z');
  });

  it('takes filings already made as repeated filed parameters', async () => {
    // Initial filed 05-06 23:00Z → intermediate 05-09 23:00Z; intermediate filed 2024-01-31…
    // here only the initial is given, so the final report is projected.
    const url =
      '/api/v1/clock/dora?aware=2024-05-06T08:00:00Z&classified=2024-05-06T20:00:00Z' +
      '&filed=initial%3D2024-05-06T23%3A00%3A00Z';
    const filings = (await get(url)).json().filings;
    expect(filings[1]).toMatchObject({ filing: 'intermediate', due: '2024-05-09T23:00:00.000Z' });
  });

  it('refuses a caller without a token', async () => {
    const res = await get('/api/v1/clock/gdpr-33-1?aware=2024-03-30T10:00:00Z', null);
    expect(res.statusCode).toBe(401);
  });

  it('refuses an unknown regime with a coded 400 and leaves stored data unchanged', async () => {
    const before = await snapshot(store.db);
    const res = await get('/api/v1/clock/gdpr?aware=2024-03-30T10:00:00Z');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_DEADLINE_INVALID', field: 'regime' });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses an unknown time zone naming the field', async () => {
    const res = await get('/api/v1/clock/gdpr-33-1?aware=2024-03-30T10:00&zone=Mars/Olympus');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_DEADLINE_INVALID', field: 'zone' });
  });

  it('refuses a regime given none of the moments it runs from', async () => {
    const res = await get('/api/v1/clock/sec-8k?aware=2024-07-03T12:00:00Z');
    expect(res.json().error).toMatchObject({ code: 'BD_DEADLINE_INVALID', field: 'determined' });
  });
});

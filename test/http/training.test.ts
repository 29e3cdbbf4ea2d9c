/**
 * The training and on-call routes over HTTP (app.inject): who may call them, coded refusals
 * that leave the data as it was, the CSV export's headers and neutralised cells, and on-call
 * warnings in the answer.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { fullSnapshot, joinPerson, trainAll } from '../training/training-fixtures.ts';

const DAY = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describeEachBackend('HTTP training and on-call', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
    await joinPerson(store.db, 'rita@provider.example', '2026-01-05T00:00:00Z', {
      name: '=HYPERLINK("http://evil.example","x")',
    });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, role: string, payload?: object) =>
    server.app.inject({ method, url, headers: server.as(role), ...(payload ? { payload } : {}) });

  it('records a completion for an incident manager and lists it in the status', async () => {
    const body = {
      person: 'rita@provider.example',
      topic: 'privacy',
      completedAt: daysFromNow(-2),
    };

    const res = await call('POST', '/api/v1/training/completions', 'incident_manager', body);
    const status = await call('GET', '/api/v1/training/status', 'auditor');

    expect(res.statusCode).toBe(201);
    const people = status.json<{ people: { topics: { topic: string }[] }[] }>().people;
    const privacy = people[0]?.topics.find((t) => t.topic === 'privacy');
    expect(privacy).toMatchObject({ state: 'ok', lastVersion: '2026.1' });
  });

  it('answers a bad completion with a coded 400 naming the field, storing nothing', async () => {
    const before = await fullSnapshot(store.db);
    const body = { person: 'rita@provider.example', topic: 'privacy', completedAt: daysFromNow(1) };

    const res = await call('POST', '/api/v1/training/completions', 'admin', body);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_TRAINING_INVALID', field: 'completedAt' });
    expect(await fullSnapshot(store.db)).toEqual(before);
  });

  it('refuses tenant admins on every training and on-call route, changing nothing', async () => {
    const before = await fullSnapshot(store.db);
    const tenant = 'tenant_admin:acme';
    const answers = await Promise.all([
      call('GET', '/api/v1/training/topics', tenant),
      call('GET', '/api/v1/training/status?due=1', tenant),
      call('POST', '/api/v1/training/completions', tenant, { person: 'rita@provider.example' }),
      call('GET', '/api/v1/training/export?format=csv', tenant),
      call('GET', '/api/v1/on-call', tenant),
      call('POST', '/api/v1/on-call', tenant, { person: 'rita@provider.example' }),
      call('DELETE', '/api/v1/on-call/any', tenant),
    ]);

    expect(answers.map((a) => a.statusCode)).toEqual(Array(7).fill(403));
    expect(await fullSnapshot(store.db)).toEqual(before);
  });

  it('exports CSV as an attachment with formula prefixes neutralised', async () => {
    const res = await call('GET', '/api/v1/training/export?format=csv', 'auditor');

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="training-status-/);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  });

  it('lists only people with gaps for due=1 and rejects other values of due', async () => {
    await joinPerson(store.db, 'bo@provider.example', '2026-01-05T00:00:00Z');
    await trainAll(store.db, 'bo@provider.example', daysFromNow(-1));

    const due = await call('GET', '/api/v1/training/status?due=1', 'admin');
    const bad = await call('GET', '/api/v1/training/status?due=yes', 'admin');

    const listed = due.json<{ people: { email: string }[] }>().people;
    expect(listed.map((p) => p.email)).toEqual(['rita@provider.example']);
    expect(bad.statusCode).toBe(400);
  });

  it('puts an untrained person on call with warnings, lists and removes the shift', async () => {
    const shift = {
      person: 'rita@provider.example',
      startsAt: daysFromNow(1),
      endsAt: daysFromNow(8),
    };

    const added = await call('POST', '/api/v1/on-call', 'incident_manager', shift);
    const id = added.json().shift.id as string;
    const listed = await call('GET', '/api/v1/on-call', 'responder');
    const removed = await call('DELETE', `/api/v1/on-call/${id}`, 'admin');
    const again = await call('DELETE', `/api/v1/on-call/${id}`, 'admin');

    expect(added.statusCode).toBe(201);
    expect(added.json().warnings).toHaveLength(6);
    expect(listed.json().shifts).toMatchObject([{ id, warnings: added.json().warnings }]);
    expect(removed.json()).toMatchObject({ id, removedBy: expect.stringContaining('admin') });
    expect(again.json().error.code).toBe('BD_ONCALL_STATE');
  });

  it('lets responders read the rota but not change it', async () => {
    const { token } = await createToken(store.db, {
      label: 'ivy',
      role: 'investigator',
      createdBy: 'test',
    });
    const shift = {
      person: 'rita@provider.example',
      startsAt: daysFromNow(1),
      endsAt: daysFromNow(2),
    };

    const read = await server.app.inject({
      method: 'GET',
      url: '/api/v1/on-call',
      headers: { authorization: `Bearer ${token}` },
    });
    const write = await call('POST', '/api/v1/on-call', 'responder', shift);

    expect(read.statusCode).toBe(200);
    expect(write.json().error.code).toBe('BD_AUTH_FORBIDDEN');
  });
});

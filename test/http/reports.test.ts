/**
 * Reports by people over HTTP: internal reports and escalations with their reporter, customer
 * reports bound to the tenant of the token and visible only to it, red-team activity marked as
 * an exercise that can never queue a real customer notice, and coded refusals that store
 * nothing.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { declareCrsi, moveStage } from '../../src/investigations/workflow.ts';
import type { Store } from '../../src/store/db.ts';
import { investigations, notices, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { scope } from '../notify/declared-investigation.ts';

describeEachBackend('reports over HTTP', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme', 'globex']);
    server = await startTestServer(store, { tenantAdmins: ['acme', 'globex'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const report = (role: string, payload: object) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: server.as(role),
      payload,
    });
  const get = (url: string, role: string) =>
    server.app.inject({ method: 'GET', url, headers: server.as(role) });
  const investigationOf = async (id: string) =>
    (await store.db.select().from(investigations).where(eq(investigations.id, id)))[0];

  async function expectRefused(
    request: () => Promise<{ statusCode: number; json(): unknown }>,
    status: number,
    error: Record<string, unknown>,
  ) {
    const before = await snapshotWithRules(store.db);
    const res = await request();
    expect(res.statusCode).toBe(status);
    expect((res.json() as { error: unknown }).error).toMatchObject(error);
    expect(await snapshotWithRules(store.db)).toEqual(before);
  }

  it('records an internal report with its reporter, opening an investigation', async () => {
    const res = await report('responder', {
      title: 'Shared admin password posted in a team chat',
      description: 'Seen at 09:10 in #ops; message deleted at 09:12.',
      host: 'chat.internal',
    });

    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      kind: 'internal_report',
      reporter: 'token:responder',
      description: 'Seen at 09:10 in #ops; message deleted at 09:12.',
      status: 'accepted',
      opened: true,
    });
    expect((await investigationOf(body.investigationId))?.sourceKind).toBe('internal_report');
  });

  it('takes an operator escalation as its own source kind', async () => {
    const res = await report('incident_manager', {
      kind: 'operator_escalation',
      title: 'Customer data visible in a public status page screenshot',
      severity: 'high',
    });

    const inv = await investigationOf(res.json().investigationId);
    expect([inv?.sourceKind, inv?.severity]).toEqual(['operator_escalation', 'high']);
  });

  it('takes the time of the report when occurredAt is not given', async () => {
    const before = Date.now();
    const res = await report('responder', { title: 'Laptop left on a train' });

    const at = Date.parse(res.json().occurredAt);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('normalises a given occurredAt with its offset to UTC', async () => {
    const res = await report('responder', {
      title: 'Badge reader let in a stranger',
      occurredAt: '2024-03-10T01:30:00-05:00',
    });

    expect(res.json().occurredAt).toBe('2024-03-10T06:30:00.000Z');
  });

  it('refuses an occurredAt without a UTC offset, naming occurredAt', async () => {
    await expectRefused(
      () => report('responder', { title: 'x', occurredAt: '2024-03-10T01:30:00' }),
      400,
      { code: 'BD_INTAKE_FIELD_INVALID', field: 'occurredAt' },
    );
  });

  it('refuses a report without a title', async () => {
    await expectRefused(() => report('responder', { description: 'no title' }), 400, {
      code: 'BD_INTAKE_FIELD_MISSING',
      field: 'title',
    });
  });

  it('refuses an auditor filing a report', async () => {
    await expectRefused(() => report('auditor', { title: 'x' }), 403, {
      code: 'BD_AUTH_FORBIDDEN',
    });
  });

  it('files a customer report for the tenant of the token, saying nothing of triage', async () => {
    const res = await report('tenant_admin:acme', {
      title: 'Our users receive password-reset mails they did not request',
    });

    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('investigationId');
    const [row] = await store.db.select().from(signals).where(eq(signals.id, res.json().id));
    expect([row?.tenantId, row?.sourceKind, row?.reporter]).toEqual([
      'acme',
      'customer_report',
      'token:ta-acme',
    ]);
    expect(row?.investigationId).not.toBeNull();
  });

  it('refuses a tenantId in the body of a customer report', async () => {
    await expectRefused(
      () => report('tenant_admin:acme', { title: 'x', tenantId: 'globex' }),
      400,
      { code: 'BD_INTAKE_FIELD_INVALID', field: 'tenantId' },
    );
  });

  it('refuses a tenant user sending a red-team report', async () => {
    await expectRefused(
      () => report('tenant_admin:acme', { kind: 'red_team', title: 'x', exerciseId: 'rt-1' }),
      403,
      { code: 'BD_AUTH_FORBIDDEN', field: 'kind' },
    );
  });

  it('refuses an exercise id on a customer report', async () => {
    await expectRefused(
      () => report('tenant_admin:acme', { title: 'x', exerciseId: 'rt-1' }),
      400,
      {
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'exerciseId',
      },
    );
  });

  it('refuses staff filing a customer report', async () => {
    await expectRefused(() => report('responder', { kind: 'customer_report', title: 'x' }), 403, {
      code: 'BD_AUTH_FORBIDDEN',
      field: 'kind',
    });
  });

  it("lists a tenant's own reports and no one else's", async () => {
    const mine = (await report('tenant_admin:acme', { title: 'Odd logins' })).json();
    await report('tenant_admin:globex', { title: 'Odd logins' });
    await report('responder', { title: 'Odd logins' });

    const res = await get('/api/v1/reports/mine', 'tenant_admin:acme');

    expect(res.json<{ id: string }[]>().map((r) => r.id)).toEqual([mine.id]);
  });

  it("answers 404 to a tenant asking for another tenant's report", async () => {
    const theirs = (await report('tenant_admin:globex', { title: 'Odd logins' })).json();

    const res = await get(`/api/v1/reports/${theirs.id}`, 'tenant_admin:acme');

    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('BD_NOT_FOUND');
  });

  it('answers 404 to a tenant asking for an internal report', async () => {
    const internal = (await report('responder', { title: 'Odd logins' })).json();

    const res = await get(`/api/v1/reports/${internal.id}`, 'tenant_admin:acme');

    expect(res.statusCode).toBe(404);
  });

  it('keeps identical reports of two tenants in two investigations', async () => {
    await report('tenant_admin:acme', { title: 'Odd logins' });
    await report('tenant_admin:globex', { title: 'Odd logins' });

    const rows = await store.db.select().from(investigations);
    expect(rows.map((r) => r.sourceKind)).toEqual(['customer_report', 'customer_report']);
  });

  it('shows staff where a customer report went', async () => {
    const filed = (await report('tenant_admin:acme', { title: 'Odd logins' })).json();

    const res = await get(`/api/v1/reports/${filed.id}`, 'responder');

    expect(res.json()).toMatchObject({ tenantId: 'acme', kind: 'customer_report' });
    expect(res.json().investigationId).toEqual(expect.any(String));
  });

  it('answers a report that a rule suppresses as suppressed, opening nothing', async () => {
    const rule = (
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/suppression-rules',
        headers: server.as('admin'),
        payload: {
          match: { sourceKind: 'internal_report', title: 'Fire drill*' },
          reason: 'facilities announce drills through the report form',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      })
    ).json();

    const res = await report('responder', { title: 'Fire drill in building C' });

    expect(res.json()).toMatchObject({ status: 'suppressed', ruleId: rule.id });
    expect(await store.db.select().from(investigations)).toEqual([]);
  });

  it('refuses a red-team report without its exercise id', async () => {
    await expectRefused(() => report('responder', { kind: 'red_team', title: 'x' }), 400, {
      code: 'BD_INTAKE_FIELD_MISSING',
      field: 'exerciseId',
    });
  });

  it('marks the investigation of a red-team report as an exercise', async () => {
    const res = await report('admin', {
      kind: 'red_team',
      exerciseId: 'rt-2026-q4',
      title: 'Kerberoasting from the build server',
      host: 'build-7',
    });

    const inv = await get(`/api/v1/investigations/${res.json().investigationId}`, 'responder');
    expect(inv.json()).toMatchObject({ sourceKind: 'red_team', exercise: true });
  });

  it('never queues a real customer notice for a red-team exercise', async () => {
    const { investigationId } = (
      await report('admin', {
        kind: 'red_team',
        exerciseId: 'rt-2026-q4',
        title: 'Exfiltration of the acme bucket (exercise)',
      })
    ).json();
    const responder = cliActor('responder', 'alice');
    await moveStage(store.db, responder, investigationId, { to: 'assess', reason: 'paged' });
    await moveStage(store.db, responder, investigationId, { to: 'diagnose', reason: 'data' });
    await scope(store.db, investigationId, ['acme']);
    await declareCrsi(store.db, cliActor('incident_manager', 'ines'), investigationId, {
      grounds: ['unauthorized_access'],
      evidence: 'the red team read the bucket, as planned',
    });
    const [notice] = await store.db
      .select()
      .from(notices)
      .where(and(eq(notices.investigationId, investigationId), eq(notices.audience, 'tenant')));

    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/notices/${notice?.id}/approve`,
      headers: server.as('incident_manager'),
    });

    expect(notice?.exercise).toBe(true);
    expect(res.json().error.code).toBe('BD_NOTICE_INVALID_STATE');
    const queued = await store.db.execute(sql`SELECT count(*)::int AS n FROM outbox`);
    expect((queued as { rows: { n: number }[] }).rows[0]?.n).toBe(0);
  });
});

/**
 * Suppression rules over HTTP: created, listed with their counts, revoked, born from a
 * false-positive classification in the same transaction; suppressed signals page no one; and
 * every refusal is coded, names the field and leaves the stored data as it was.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor } from '../../src/audit/log.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { investigations, signals, suppressionRules } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, openInvestigation, seedTenants } from '../support/factories.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

function ruleBody(over: Record<string, unknown> = {}) {
  return {
    match: { sourceIp: '198.51.100.0/24' },
    reason: 'the vulnerability scanner of the security team scans from this range nightly',
    expiresAt: inDays(30),
    ...over,
  };
}

async function count(db: Db, table: string): Promise<number> {
  const res: unknown = await db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table}`));
  return (res as { rows: { n: number }[] }).rows[0]?.n ?? -1;
}

describeEachBackend('suppression rules over HTTP', (backend) => {
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

  const post = (url: string, role: string, payload?: object) =>
    server.app.inject({ method: 'POST', url, headers: server.as(role), payload });
  const get = (url: string, role: string) =>
    server.app.inject({ method: 'GET', url, headers: server.as(role) });
  const ingest = (alert: object) => post('/api/v1/intake/suricata', 'responder', alert);

  /** Asserts that `request` is refused with `code` on `field` and changes nothing. */
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

  it('creates a rule owned by its creator unless named, audited with who created it', async () => {
    const res = await post('/api/v1/suppression-rules', 'incident_manager', ruleBody());

    expect(res.statusCode).toBe(201);
    const rule = res.json();
    expect(rule).toMatchObject({
      state: 'active',
      owner: 'token:incident_manager',
      createdBy: 'token:incident_manager (incident_manager)',
      suppressedSignals: 0,
    });
    const [entry] = await auditEntriesFor(store.db, rule.id);
    expect(entry).toMatchObject({
      action: 'suppression_rule.created',
      actor: 'token:incident_manager (incident_manager)',
    });
  });

  it('stores and counts a suppressed signal; it opens nothing and alerts no one', async () => {
    const rule = (await post('/api/v1/suppression-rules', 'admin', ruleBody())).json();

    const res = await ingest(buildEveAlert({ src: '198.51.100.7' }));

    expect(res.json().results[0]).toMatchObject({ status: 'suppressed', ruleId: rule.id });
    const [row] = await store.db.select().from(signals).where(eq(signals.suppressedBy, rule.id));
    expect(row?.investigationId).toBeNull();
    expect([
      await count(store.db, 'investigations'),
      await count(store.db, 'staff_alerts'),
    ]).toEqual([0, 0]);
    const listed = (await get('/api/v1/suppression-rules', 'responder')).json();
    expect(listed[0]).toMatchObject({ id: rule.id, suppressedSignals: 1 });
  });

  it('leaves signals the rule does not match to open investigations', async () => {
    await post('/api/v1/suppression-rules', 'admin', ruleBody());

    const res = await ingest(buildEveAlert({ src: '203.0.113.9' }));

    expect(res.json().results[0]).toMatchObject({ status: 'accepted', opened: true });
  });

  it('refuses a match expression on an unknown field, naming it', async () => {
    await expectRefused(
      () => post('/api/v1/suppression-rules', 'admin', ruleBody({ match: { colour: 'red' } })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'match.colour' },
    );
  });

  it('refuses a match expression that would mute everything', async () => {
    await expectRefused(
      () => post('/api/v1/suppression-rules', 'admin', ruleBody({ match: { title: '*' } })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'match.title' },
    );
  });

  it('refuses an expiry in the past', async () => {
    await expectRefused(
      () => post('/api/v1/suppression-rules', 'admin', ruleBody({ expiresAt: inDays(-1) })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'expiresAt' },
    );
  });

  it('refuses an expiry more than 365 days ahead', async () => {
    await expectRefused(
      () => post('/api/v1/suppression-rules', 'admin', ruleBody({ expiresAt: inDays(366) })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'expiresAt' },
    );
  });

  it('refuses an expiry without a UTC offset', async () => {
    await expectRefused(
      () =>
        post('/api/v1/suppression-rules', 'admin', ruleBody({ expiresAt: '2030-01-01T00:00:00' })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'expiresAt' },
    );
  });

  it('refuses a blank owner and a blank reason', async () => {
    await expectRefused(
      () => post('/api/v1/suppression-rules', 'admin', ruleBody({ owner: '  ' })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'owner' },
    );
    await expectRefused(
      () => post('/api/v1/suppression-rules', 'admin', ruleBody({ reason: '' })),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'reason' },
    );
  });

  it('refuses a responder creating a rule', async () => {
    await expectRefused(() => post('/api/v1/suppression-rules', 'responder', ruleBody()), 403, {
      code: 'BD_AUTH_FORBIDDEN',
    });
  });

  it('refuses tenant users reading rules', async () => {
    const res = await get('/api/v1/suppression-rules', 'tenant_admin:acme');

    expect(res.statusCode).toBe(403);
  });

  it('revokes a rule, audited with who and why; its signals are triaged again', async () => {
    const rule = (await post('/api/v1/suppression-rules', 'admin', ruleBody())).json();

    const res = await post(`/api/v1/suppression-rules/${rule.id}/revocation`, 'responder', {
      reason: 'the scanner moved to another range',
    });

    expect(res.json()).toMatchObject({
      state: 'revoked',
      revokedBy: 'token:responder (responder)',
    });
    const entries = await auditEntriesFor(store.db, rule.id);
    expect(entries.at(-1)).toMatchObject({ action: 'suppression_rule.revoked' });
    const after = await ingest(buildEveAlert({ src: '198.51.100.7' }));
    expect(after.json().results[0]).toMatchObject({ status: 'accepted', opened: true });
  });

  it('refuses to revoke a rule twice with 409', async () => {
    const rule = (await post('/api/v1/suppression-rules', 'admin', ruleBody())).json();
    await post(`/api/v1/suppression-rules/${rule.id}/revocation`, 'admin');

    await expectRefused(
      () => post(`/api/v1/suppression-rules/${rule.id}/revocation`, 'admin'),
      409,
      { code: 'BD_SUPPRESSION_STATE' },
    );
  });

  it('lists active, expired and revoked rules apart', async () => {
    const active = (await post('/api/v1/suppression-rules', 'admin', ruleBody())).json();
    await store.db.insert(suppressionRules).values({
      id: 'expired-rule',
      match: { title: 'old noise' },
      owner: 'soc',
      reason: 'tuned away last year',
      expiresAt: inDays(-10),
      createdBy: 'test',
      createdAt: inDays(-40),
    });

    const listed = (await get('/api/v1/suppression-rules?state=active', 'admin')).json<
      { id: string }[]
    >();
    const expired = (await get('/api/v1/suppression-rules?state=expired', 'admin')).json();

    expect(listed.map((r) => r.id)).toEqual([active.id]);
    expect(expired).toMatchObject([{ id: 'expired-rule', state: 'expired' }]);
  });

  it('creates the rule of a false positive, linked to its investigation', async () => {
    const id = await openInvestigation(store.db, buildEveAlert({ src: '198.51.100.7' }));

    const res = await post(`/api/v1/investigations/${id}/classification`, 'incident_manager', {
      classification: 'false_positive',
      rootCause: 'nightly scan by our own vulnerability scanner',
      suppress: ruleBody(),
    });

    expect(res.json()).toMatchObject({ classification: 'false_positive' });
    const rules = (await get(`/api/v1/suppression-rules?investigationId=${id}`, 'admin')).json();
    expect(rules).toMatchObject([{ investigationId: id, owner: 'token:incident_manager' }]);
    const classified = (await auditEntriesFor(store.db, id)).at(-1);
    expect(JSON.parse(classified?.data ?? '{}')).toMatchObject({ suppressionRuleId: rules[0].id });
  });

  it('refuses suppress with a non-false-positive classification', async () => {
    const id = await openInvestigation(store.db);

    await expectRefused(
      () =>
        post(`/api/v1/investigations/${id}/classification`, 'incident_manager', {
          classification: 'security_incident',
          suppress: ruleBody(),
        }),
      400,
      { code: 'BD_CLASSIFICATION_INVALID', field: 'suppress' },
    );
  });

  it('stores no classification when the rule it carries is bad', async () => {
    const id = await openInvestigation(store.db);

    await expectRefused(
      () =>
        post(`/api/v1/investigations/${id}/classification`, 'incident_manager', {
          classification: 'false_positive',
          rootCause: 'scanner',
          suppress: ruleBody({ match: { sourceIp: 'not-an-address' } }),
        }),
      400,
      { code: 'BD_SUPPRESSION_INVALID', field: 'suppress.match.sourceIp' },
    );
    const [row] = await store.db.select().from(investigations).where(eq(investigations.id, id));
    expect(row?.classification).toBeNull();
  });

  it('refuses a responder attaching a rule to a classification, storing neither', async () => {
    const id = await openInvestigation(store.db);

    await expectRefused(
      () =>
        post(`/api/v1/investigations/${id}/classification`, 'responder', {
          classification: 'false_positive',
          rootCause: 'scanner',
          suppress: ruleBody(),
        }),
      403,
      { code: 'BD_AUTH_FORBIDDEN', field: 'suppress' },
    );
  });

  it('reports the false-positive rate per source kind and the signals muted per rule', async () => {
    const noisy = await openInvestigation(store.db, buildEveAlert({ sid: 1, src: '198.51.100.7' }));
    await openInvestigation(store.db, buildEveAlert({ sid: 2 }));
    await post(`/api/v1/investigations/${noisy}/classification`, 'admin', {
      classification: 'false_positive',
      rootCause: 'nightly scan',
      suppress: ruleBody(),
    });
    await ingest(buildEveAlert({ sid: 3, src: '198.51.100.8' }));

    const res = await get('/api/v1/metrics/false-positives', 'responder');

    const { bySourceKind, byRule } = res.json();
    expect(bySourceKind).toEqual([
      {
        sourceKind: 'automated_alert',
        opened: 2,
        classified: 1,
        falsePositives: 1,
        rate: 0.5,
        suppressedSignals: 1,
      },
    ]);
    expect(byRule).toMatchObject([
      { investigationId: noisy, state: 'active', suppressedSignals: 1 },
    ]);
  });
});

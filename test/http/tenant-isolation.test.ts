/**
 * Tenant isolation, swept over every route: tenants acme and globex each have a declared,
 * scoped investigation with notices, breach contacts and a customer report. Acme's tenant
 * admin tries every route that names an object with globex's ids: always 404, globex's data
 * as it was, and each attempt audited as access.denied. Re-scoping an investigation from one
 * tenant to the other changes at once whose admin sees its notices.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Actor, cliActor } from '../../src/auth/actor.ts';
import { ruleOf } from '../../src/auth/policy.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { submitReport } from '../../src/intake/reports.ts';
import { createSuppressionRule } from '../../src/investigations/suppressions.ts';
import { declareCrsi, moveStage } from '../../src/investigations/workflow.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { requestHold } from '../../src/notify/holds.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { auditLog, breachContacts, clocks } from '../../src/store/schema.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, buildTenant, openInvestigation } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { manager, noticeOf, responder, scope } from '../notify/declared-investigation.ts';

const TABLES = [
  'tenants',
  'breach_contacts',
  'account_team',
  'api_tokens',
  'investigations',
  'signals',
  'scoping_runs',
  'scoped_tenants',
  'clocks',
  'notices',
  'outbox',
  'holds',
  'suppression_rules',
];

/** A digest of every table but the audit log, to prove that refused requests changed nothing. */
async function dataDigest(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text || md5(coalesce(string_agg(x::text, '|'), '')) AS d FROM ${t} x`,
      ),
    );
    out[t] = (res as { rows: { d: string }[] }).rows[0]?.d ?? '';
  }
  return out;
}

async function denials(db: Db) {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'access.denied'))
    .orderBy(asc(auditLog.seq));
}

/** A declared investigation scoped to one tenant, opened from an alert of its own. */
async function declaredFor(db: Db, tenantId: string, sid: number): Promise<string> {
  const id = await openInvestigation(db, buildEveAlert({ sid }));
  await moveStage(db, responder, id, { to: 'assess', reason: 'paged' });
  await moveStage(db, responder, id, { to: 'diagnose', reason: 'customer data at risk' });
  await scope(db, id, [tenantId]);
  await declareCrsi(db, manager, id, {
    grounds: ['unauthorized_access'],
    evidence: 'CloudTrail shows GetObject by the stolen role on the bucket',
    awareAt: '2026-11-30T10:00:00Z',
  });
  return id;
}

const tenantAdmin = (tenantId: string): Actor => ({
  id: `token:ta-${tenantId}`,
  role: 'tenant_admin',
  tenantId,
});

describeEachBackend('tenant isolation', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await importTenants(
      store.db,
      { tenants: [buildTenant('acme'), buildTenant('globex')] },
      cliActor('admin'),
    );
    server = await startTestServer(store, { tenantAdmins: ['acme', 'globex'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  /** Globex's objects, one id per kind of route parameter. */
  async function seedGlobex() {
    const db = store.db;
    await declaredFor(db, 'acme', 1);
    const investigation = await declaredFor(db, 'globex', 2);
    const notice = (await noticeOf(db, investigation, 'globex', 'tenant')).id;
    await approveNotice(db, manager, notice);
    const held = (await noticeOf(db, investigation, 'globex', 'account_team')).id;
    const hold = await requestHold(db, manager, held, {
      ground: 'extreme_circumstance',
      reason: 'law enforcement asked for 48 hours while the intruder is traced',
      reviewAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    await submitReport(db, tenantAdmin('acme'), { title: 'Odd logins at acme' });
    const report = await submitReport(db, tenantAdmin('globex'), { title: 'Odd logins' });
    const [clock] = await db.select().from(clocks).where(eq(clocks.investigationId, investigation));
    const [contact] = await db
      .select()
      .from(breachContacts)
      .where(eq(breachContacts.tenantId, 'globex'));
    const token = await createToken(db, {
      label: 'globex second admin',
      role: 'tenant_admin',
      tenantId: 'globex',
      createdBy: 'test',
    });
    const rule = await createSuppressionRule(db, cliActor('admin'), {
      match: { sourceIp: '198.51.100.0/24' },
      reason: 'the vulnerability scanner of the security team scans from this range nightly',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });

    return {
      investigation,
      notice,
      hold: hold.id,
      report: report.id,
      obligation: clock?.id ?? '',
      contact: contact?.id ?? '',
      token: token.id,
      rule: rule.id,
    };
  }

  it("refuses every route given another tenant's ids: 404, audited, nothing changed", async () => {
    const ids = await seedGlobex();
    // `:id` names a different object on each family of routes.
    const idFor = (url: string, param: string): string => {
      const byParam: Record<string, string> = {
        noticeId: ids.notice,
        holdId: ids.hold,
        obligationId: ids.obligation,
        tenantId: 'globex',
        contactId: ids.contact,
        tokenId: ids.token,
      };
      if (param !== 'id') return byParam[param] ?? `unknown-${param}`;
      if (url.startsWith('/api/v1/reports')) return ids.report;
      if (url.startsWith('/api/v1/suppression-rules')) return ids.rule;
      return ids.investigation;
    };
    const routes = server.app.routeActions.filter(
      (r) => r.url.includes(':') && r.actions.some((a) => ruleOf(a).object !== null),
    );
    const attempts = routes.map((r) => ({
      method: r.method,
      route: `${r.method} ${r.url}`,
      url: r.url.replace(/:(\w+)/g, (_m, p: string) => idFor(r.url, p)),
    }));
    // Globex's contact named under acme's own tenant is another tenant's object too.
    attempts.push({
      method: 'DELETE',
      route: 'DELETE /api/v1/tenants/:tenantId/contacts/:contactId',
      url: `/api/v1/tenants/acme/contacts/${ids.contact}`,
    });
    const before = await dataDigest(store.db);

    const answers: string[] = [];
    const audited: string[] = [];
    for (const attempt of attempts) {
      const seen = (await denials(store.db)).length;
      const res = await server.app.inject({
        method: attempt.method as 'GET',
        url: attempt.url,
        headers: server.as('tenant_admin:acme'),
        // A well-formed body, so that nothing but the tenant check can refuse.
        ...(attempt.method === 'POST'
          ? { payload: { name: 'Mallory', email: 'mallory@evil.example' } }
          : {}),
      });
      const code = res.json<{ error?: { code?: string } }>().error?.code;
      answers.push(`${attempt.route}: ${res.statusCode} ${code}`);

      const added = (await denials(store.db)).slice(seen);
      const entry = added[0];
      // The id recorded is the object refused: one of those the caller named.
      const data = JSON.parse(entry?.data ?? '{}') as { route?: string; objectId?: string };
      const named = attempt.url.split('/').includes(data.objectId ?? '');
      audited.push(`${attempt.route}: ${added.length} ${entry?.actor} ${data.route} ${named}`);
    }

    expect(routes.length).toBeGreaterThan(20);
    expect(answers).toEqual(attempts.map((a) => `${a.route}: 404 BD_NOT_FOUND`));
    expect(audited).toEqual(
      attempts.map((a) => `${a.route}: 1 token:ta-acme (tenant_admin) ${a.route} true`),
    );
    expect(await dataDigest(store.db)).toEqual(before);
  });

  it("answers alike for another tenant's notice and a missing one, auditing both", async () => {
    const ids = await seedGlobex();
    const get = (id: string) =>
      server.app.inject({
        method: 'GET',
        url: `/api/v1/notices/${id}`,
        headers: server.as('tenant_admin:acme'),
      });

    const theirs = await get(ids.notice);
    const nobodys = await get('no-such-notice');

    const shape = (res: typeof theirs, id: string) =>
      `${res.statusCode} ${res.body.replace(id, 'ID')}`;
    expect(shape(theirs, ids.notice)).toBe(shape(nobodys, 'no-such-notice'));
    const audited = (await denials(store.db)).slice(-2).map((d) => d.entityId);
    expect(audited).toEqual([ids.notice, 'no-such-notice']);
  });

  it("moves a notice from one tenant admin's sight to another's when re-scoped", async () => {
    const db = store.db;
    const id = await declaredFor(db, 'acme', 3);
    const acmeNotice = (await noticeOf(db, id, 'acme', 'tenant')).id;
    await approveNotice(db, manager, acmeNotice);
    const read = async (noticeId: string, who: string) =>
      (
        await server.app.inject({
          method: 'GET',
          url: `/api/v1/notices/${noticeId}`,
          headers: server.as(`tenant_admin:${who}`),
        })
      ).statusCode;
    const beforeMove = [await read(acmeNotice, 'acme'), await read(acmeNotice, 'globex')];

    await scope(db, id, ['globex']);
    const globexNotice = (await noticeOf(db, id, 'globex', 'tenant')).id;
    await approveNotice(db, manager, globexNotice);

    expect(beforeMove).toEqual([200, 404]);
    expect([await read(acmeNotice, 'acme'), await read(globexNotice, 'globex')]).toEqual([
      404, 200,
    ]);
    expect(await read(globexNotice, 'acme')).toBe(404);
  });

  it('shows the account team the notices of the tenants it serves, and no others', async () => {
    const db = store.db;
    const acme = await declaredFor(db, 'acme', 4);
    const globex = await declaredFor(db, 'globex', 5);
    const notices = [
      (await noticeOf(db, acme, 'acme', 'account_team')).id,
      (await noticeOf(db, globex, 'globex', 'account_team')).id,
    ];
    for (const n of notices) await approveNotice(db, manager, n);
    // buildTenant lists am-<tenant>@provider.example as each tenant's account manager.
    const { token } = await createToken(db, {
      label: 'am-acme@provider.example',
      role: 'account_team',
      createdBy: 'test',
    });

    const statuses = [];
    for (const n of notices) {
      const res = await server.app.inject({
        method: 'GET',
        url: `/api/v1/notices/${n}`,
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(res.statusCode);
    }

    expect(statuses).toEqual([200, 404]);
    const [last] = (await denials(db)).slice(-1);
    expect(last).toMatchObject({ actor: 'token:am-acme@provider.example (account_team)' });
  });
});

/**
 * The hold routes over HTTP (app.inject): states as approvals arrive, coded refusals that
 * leave the data as it was, the review flag, and what tenant users may not see.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { declareCrsi, moveStage } from '../../src/investigations/workflow.ts';
import { requestHold } from '../../src/notify/holds.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { notices } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DAY = 86_400_000;
const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';

function validBody() {
  return {
    ground: 'extreme_circumstance',
    reason: 'law enforcement asked for 48 hours while the intruder is traced',
    reviewAt: new Date(Date.now() + 3 * DAY).toISOString(),
  };
}

/** The shared snapshot plus the holds table. */
async function fullSnapshot(db: Db) {
  const res: unknown = await db.execute(
    sql.raw(
      `SELECT count(*)::text || md5(coalesce(string_agg(x::text, '|'), '')) AS d FROM holds x`,
    ),
  );
  return { ...(await snapshot(db)), holds: (res as { rows: { d: string }[] }).rows[0]?.d };
}

describeEachBackend('HTTP holds', (backend) => {
  let store: Store;
  let server: TestServer;
  let dir: string;
  let investigationId: string;
  let noticeId: string;
  type Auth = { authorization: string };
  let bearer: { legal: Auth; executive: Auth; leaExecutive: Auth };

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-http-holds-'));
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
    const auth = async (label: string, role: string): Promise<Auth> => {
      const { token } = await createToken(store.db, { label, role, createdBy: 'test' });
      return { authorization: `Bearer ${token}` };
    };
    // lea holds two tokens, one per role: still one person.
    bearer = {
      legal: await auth('lea', 'legal'),
      executive: await auth('eve', 'executive_incident_manager'),
      leaExecutive: await auth('lea', 'executive_incident_manager'),
    };
    investigationId = await openInvestigation(store.db);
    noticeId = await declaredNotice();
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function declaredNotice(): Promise<string> {
    const db = store.db;
    const responder = cliActor('responder', 'rita');
    await moveStage(db, responder, investigationId, { to: 'assess', reason: 'paged' });
    await moveStage(db, responder, investigationId, { to: 'diagnose', reason: 'data at risk' });
    const file = join(dir, 'ct.json');
    const record = {
      eventVersion: '1.08',
      eventTime: '2026-11-30T08:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '203.0.113.50',
      userIdentity: { type: 'AssumedRole', arn: ATTACKER },
      recipientAccountId: '111111111111',
      requestParameters: { bucketName: 'acme-data', key: 'export.csv' },
    };
    await writeFile(file, JSON.stringify({ Records: [record] }));
    await scopeInvestigation(db, responder, investigationId, {
      paths: [file],
      format: 'cloudtrail',
      indicators: { principals: [ATTACKER], sourceIps: [], from: null, to: null },
    });
    await declareCrsi(db, cliActor('incident_manager', 'ines'), investigationId, {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role',
    });
    const [n] = await db
      .select()
      .from(notices)
      .where(and(eq(notices.tenantId, 'acme'), eq(notices.audience, 'tenant')));
    return n?.id ?? '';
  }

  function post(url: string, headers: { authorization: string }, payload?: unknown) {
    return server.app.inject({ method: 'POST', url, headers, payload: payload as object });
  }

  async function requested(): Promise<string> {
    const res = await post(
      `/api/v1/notices/${noticeId}/holds`,
      server.as('incident_manager'),
      validBody(),
    );
    const hold: { id: string } = res.json();
    return hold.id;
  }

  it('answers 201 with the hold in state requested', async () => {
    const res = await post(
      `/api/v1/notices/${noticeId}/holds`,
      server.as('incident_manager'),
      validBody(),
    );

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ noticeId, state: 'requested', reviewDue: false });
  });

  it('makes a hold effective after legal and executive approval by two people', async () => {
    const holdId = await requested();

    const first = await post(`/api/v1/holds/${holdId}/approve`, bearer.legal);
    const second = await post(`/api/v1/holds/${holdId}/approve`, bearer.executive);

    expect([first.json().state, second.json().state]).toEqual(['partially_approved', 'effective']);
    expect(second.json()).toMatchObject({
      legalApprover: 'token:lea',
      executiveApprover: 'token:eve',
    });
  });

  it('refuses a second approval by the same person through another token', async () => {
    const holdId = await requested();
    await post(`/api/v1/holds/${holdId}/approve`, bearer.legal);
    const before = await fullSnapshot(store.db);

    const res = await post(`/api/v1/holds/${holdId}/approve`, bearer.leaExecutive);

    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_HOLD_FORBIDDEN');
    expect(await fullSnapshot(store.db)).toEqual(before);
  });

  it('refuses an approval by an incident manager', async () => {
    const holdId = await requested();

    const res = await post(`/api/v1/holds/${holdId}/approve`, server.as('incident_manager'));

    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_HOLD_FORBIDDEN');
  });

  it('refuses a request without a reason, naming the field, and stores nothing', async () => {
    const before = await fullSnapshot(store.db);
    const body = { ...validBody(), reason: undefined };

    const res = await post(
      `/api/v1/notices/${noticeId}/holds`,
      server.as('incident_manager'),
      body,
    );

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_HOLD_INVALID', field: 'reason' });
    expect(await fullSnapshot(store.db)).toEqual(before);
  });

  it('refuses an unknown ground and stores nothing', async () => {
    const before = await fullSnapshot(store.db);

    const res = await post(`/api/v1/notices/${noticeId}/holds`, server.as('incident_manager'), {
      ...validBody(),
      ground: 'reputational_damage',
    });

    expect(res.json().error).toMatchObject({ code: 'BD_HOLD_INVALID', field: 'ground' });
    expect(await fullSnapshot(store.db)).toEqual(before);
  });

  it('refuses a hold request from a responder', async () => {
    const res = await post(
      `/api/v1/notices/${noticeId}/holds`,
      server.as('responder'),
      validBody(),
    );

    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_HOLD_FORBIDDEN');
  });

  it('releases a hold with a reason', async () => {
    const holdId = await requested();

    const res = await post(`/api/v1/holds/${holdId}/release`, bearer.legal, {
      reason: 'law enforcement no longer objects',
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'released', releasedBy: 'token:lea (legal)' });
  });

  it('refuses a release without a reason', async () => {
    const holdId = await requested();

    const res = await post(`/api/v1/holds/${holdId}/release`, bearer.legal, {});

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_HOLD_INVALID', field: 'reason' });
  });

  it('refuses to release a hold twice', async () => {
    const holdId = await requested();
    await post(`/api/v1/holds/${holdId}/release`, bearer.legal, { reason: 'not needed' });

    const res = await post(`/api/v1/holds/${holdId}/release`, bearer.legal, { reason: 'again' });

    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('BD_HOLD_STATE');
  });

  it('answers 404 for an unknown hold', async () => {
    const res = await post('/api/v1/holds/no-such-hold/approve', bearer.legal);

    expect(res.statusCode).toBe(404);
  });

  it('lists a hold past its review date with reviewDue true', async () => {
    const then = new Date(Date.now() - 20 * DAY);
    const reviewAt = new Date(then.getTime() + 10 * DAY).toISOString();
    const manager = cliActor('incident_manager', 'ines');
    await requestHold(store.db, manager, noticeId, { ...validBody(), reviewAt }, then);

    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations/${investigationId}/holds`,
      headers: server.as('auditor'),
    });

    expect(res.json()).toMatchObject([{ noticeId, state: 'requested', reviewDue: true }]);
  });

  it("hides an investigation's holds from a tenant admin", async () => {
    await requested();

    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations/${investigationId}/holds`,
      headers: server.as('tenant_admin:acme'),
    });

    expect(res.statusCode).toBe(404);
  });
});

/**
 * Free text typed into the console is refused when it carries bidi embeddings, overrides or
 * isolates, or control characters: left unclosed, U+202E turns the system's own text that the
 * console draws after it around ("Legal: …; executive: not yet" read backwards). One-line
 * fields also refuse line breaks; fields of several lines keep them. A refusal is the
 * product's coded 400 naming the field, and nothing is stored or audited.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db, Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, openInvestigation, snapshot } from '../support/factories.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { declaredInvestigation, noticeOf } from '../notify/declared-investigation.ts';

const RLO = '\u202E';
const DAY = 86_400_000;

/** The shared snapshot plus the holds table, which it leaves out. */
async function fullSnapshot(db: Db) {
  const res: unknown = await db.execute(
    sql.raw(
      `SELECT count(*)::text || md5(coalesce(string_agg(x::text, '|'), '')) AS d FROM holds x`,
    ),
  );
  return { ...(await snapshot(db)), holds: (res as { rows: { d: string }[] }).rows[0]?.d };
}

describeEachBackend('console free text refuses bidi and control characters', (backend) => {
  let store: Store;
  let server: TestServer;
  let declared: string;
  let open: string;

  beforeEach(async () => {
    store = await backend.open();
    declared = await declaredInvestigation(store.db, { acme: {} });
    open = await openInvestigation(store.db, buildEveAlert({ sid: 9000777 }));
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const send = (method: 'POST' | 'PATCH', url: string, role: string, payload: object) =>
    server.app.inject({ method, url, headers: server.as(role), payload });

  async function expectRefused(
    request: () => ReturnType<typeof send>,
    code: string,
    field: string,
  ): Promise<void> {
    const before = await fullSnapshot(store.db);

    const res = await request();

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code, field });
    expect(res.json().error.message).toMatch(/U\+[0-9A-F]{4}/);
    expect(await fullSnapshot(store.db)).toEqual(before);
  }

  const holdBody = (reason: string) => ({
    ground: 'extreme_circumstance',
    reason,
    reviewAt: new Date(Date.now() + 3 * DAY).toISOString(),
  });

  it('refuses a hold reason ending in an unclosed right-to-left override', async () => {
    const notice = await noticeOf(store.db, declared, 'acme', 'tenant');
    const url = `/api/v1/notices/${notice.id}/holds`;

    for (const reason of [`police asked us to wait${RLO}`, 'wait \u2067here', 'bell\u0007']) {
      await expectRefused(
        () => send('POST', url, 'incident_manager', holdBody(reason)),
        'BD_HOLD_INVALID',
        'reason',
      );
    }
    // A reason of several lines is still a reason.
    const ok = await send('POST', url, 'incident_manager', holdBody('police asked\nfor 48 h'));
    expect(ok.statusCode, ok.body).toBe(201);

    await expectRefused(
      () =>
        send('POST', `/api/v1/holds/${ok.json().id}/release`, 'incident_manager', {
          reason: `over${RLO}`,
        }),
      'BD_HOLD_INVALID',
      'reason',
    );
  });

  it('refuses bidi controls and line breaks in a stage move reason', async () => {
    const url = `/api/v1/investigations/${open}/transitions`;
    for (const reason of [`paged${RLO}`, 'paged\u202A', 'paged\nSeverity: none', 'esc\u001b[2J']) {
      await expectRefused(
        () => send('POST', url, 'responder', { to: 'assess', reason }),
        'BD_REQUEST_INVALID',
        'reason',
      );
    }
  });

  it('refuses bidi controls in a rating reason', async () => {
    const rating = {
      functionalImpact: 'low',
      informationImpact: ['none'],
      recoverability: 'regular',
      customerDataRisk: 'none',
    };
    await expectRefused(
      () =>
        send('POST', `/api/v1/investigations/${open}/ratings`, 'responder', {
          ...rating,
          reason: `minor${RLO}`,
        }),
      'BD_RATING_INVALID',
      'reason',
    );
  });

  it('refuses bidi controls in a root cause and note, keeping line breaks', async () => {
    const url = `/api/v1/investigations/${open}/classification`;
    const body = { classification: 'false_positive', rootCause: 'backup job\nat night' };
    await expectRefused(
      () => send('POST', url, 'responder', { ...body, rootCause: `backup${RLO} job` }),
      'BD_CLASSIFICATION_INVALID',
      'rootCause',
    );
    await expectRefused(
      () => send('POST', url, 'responder', { ...body, note: 'see \u2068ticket' }),
      'BD_CLASSIFICATION_INVALID',
      'note',
    );

    const ok = await send('POST', url, 'responder', body);
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('refuses bidi controls in the declaration evidence and contact name', async () => {
    const url = `/api/v1/investigations/${open}/declaration`;
    for (const to of ['assess', 'diagnose']) {
      const moved = await send('POST', `/api/v1/investigations/${open}/transitions`, 'responder', {
        to,
        reason: 'customer data at risk',
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const body = {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by a stolen role',
      notice: { contactName: 'Security Desk', contactEmail: 'security@provider.example' },
    };

    await expectRefused(
      () => send('POST', url, 'incident_manager', { ...body, evidence: `${body.evidence}${RLO}` }),
      'BD_DECLARE_INVALID',
      'evidence',
    );
    await expectRefused(
      () =>
        send('POST', url, 'incident_manager', {
          ...body,
          notice: { ...body.notice, contactName: `Security Desk${RLO}` },
        }),
      'BD_DECLARE_INVALID',
      'notice.contactName',
    );
    await expectRefused(
      () =>
        send('POST', url, 'incident_manager', {
          ...body,
          notice: { ...body.notice, measures: `keys rotated\u2066` },
        }),
      'BD_DECLARE_INVALID',
      'notice.measures',
    );
  });

  it('refuses bidi controls in a post-mortem, keeping its line breaks', async () => {
    const pm = {
      summary: 'A stolen role read a bucket.\nIt was revoked.',
      rootCause: 'A key in a public repository',
      lessons: 'Scan repositories',
      actions: ['Rotate keys'],
    };
    const url = `/api/v1/investigations/${declared}/postmortem`;
    await expectRefused(
      () => send('POST', url, 'incident_manager', { ...pm, summary: `read a bucket${RLO}` }),
      'BD_REQUEST_INVALID',
      'summary',
    );
    await expectRefused(
      () => send('POST', url, 'incident_manager', { ...pm, actions: ['Rotate\u202B keys'] }),
      'BD_REQUEST_INVALID',
      'actions[0]',
    );

    const ok = await send('POST', url, 'incident_manager', pm);
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('refuses bidi controls in a breach contact name, added or changed', async () => {
    const url = '/api/v1/tenants/acme/contacts';
    const admin = 'tenant_admin:acme';
    await expectRefused(
      () => send('POST', url, admin, { name: `Eve${RLO}`, email: 'eve@acme.example' }),
      'BD_TENANT_INVALID',
      'name',
    );

    const added = await send('POST', url, admin, { name: 'Eve', email: 'eve@acme.example' });
    expect(added.statusCode, added.body).toBe(201);
    await expectRefused(
      () => send('PATCH', `${url}/${added.json().id}`, admin, { name: 'Eve\u2069 Adams' }),
      'BD_TENANT_INVALID',
      'name',
    );
  });

  it('refuses bidi controls in a report description, keeping its line breaks', async () => {
    const before = await snapshotWithRules(store.db);
    const res = await send('POST', '/api/v1/reports', 'tenant_admin:acme', {
      title: 'Odd logins',
      description: `from abroad${RLO}\nat night`,
    });

    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'description',
    });
    expect(await snapshotWithRules(store.db)).toEqual(before);
  });
});

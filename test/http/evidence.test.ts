/**
 * Evidence export over HTTP (app.inject): approvals by incident managers only, exports
 * refused with a coded error and nothing stored unless a valid approval covers them, a
 * package whose manifest hashes are those of its bytes, hostile file names made safe, and
 * the audit entries.
 */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { approveEvidenceExport } from '../../src/evidence/approvals.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog, evidenceExports } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  type EvidenceCase,
  evidenceAudit,
  evidenceSnapshot,
  HOSTILE_NAMES,
  seedEvidenceCase,
} from '../support/evidence-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DAY = 86_400_000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface PackageDoc {
  exportId: string;
  manifestSha256: string;
  manifest: {
    approval: { id: string; recipient: string; reason: string; approvedBy: string };
    entries: { path: string; size: number; sha256: string; itemId?: string; kind: string }[];
  };
  files: { path: string; size: number; sha256: string; contentBase64: string }[];
}

function approvalBody(over: Record<string, unknown> = {}) {
  return {
    scope: { kinds: ['files', 'signals', 'scoping'] },
    reason: 'the customer CERT needs the attachments to trace the intrusion',
    recipient: 'CERT of acme GmbH',
    ...over,
  };
}

describeEachBackend('HTTP evidence export', (backend) => {
  let store: Store;
  let server: TestServer;
  let ev: EvidenceCase;
  let url: string;

  beforeEach(async () => {
    store = await backend.open();
    ev = await seedEvidenceCase(store.db);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
    url = `/api/v1/investigations/${ev.investigationId}`;
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const post = (path: string, role: string, payload: Record<string, unknown>) =>
    server.app.inject({ method: 'POST', url: `${url}${path}`, headers: server.as(role), payload });

  async function approve(over: Record<string, unknown> = {}): Promise<string> {
    const res = await post('/evidence-approvals', 'incident_manager', approvalBody(over));
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }

  it('records an approval with who, when, what, why and for whom, audited', async () => {
    const res = await post('/evidence-approvals', 'incident_manager', approvalBody());

    const approval = res.json<Record<string, unknown>>();
    expect(res.statusCode).toBe(201);
    expect(approval).toMatchObject({
      approvedBy: 'token:incident_manager (incident_manager)',
      scope: { kinds: ['files', 'signals', 'scoping'] },
      recipient: 'CERT of acme GmbH',
      state: 'active',
    });
    const audit = await evidenceAudit(store.db);
    expect(audit.map((a) => [a.action, a.data.approvalId])).toEqual([
      ['evidence.export_approved', approval.id],
    ]);
  });

  it('refuses an approval by a responder with 403 and stores nothing', async () => {
    const before = await evidenceSnapshot(store.db);

    const res = await post('/evidence-approvals', 'responder', approvalBody());

    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_AUTH_FORBIDDEN');
    expect(await evidenceSnapshot(store.db)).toEqual(before);
  });

  it('refuses nonsense approvals naming the field, storing nothing', async () => {
    const before = await evidenceSnapshot(store.db);
    const cases: [Record<string, unknown>, string][] = [
      [{ scope: { kinds: ['files', 'emails'] } }, 'scope.kinds[1]'],
      [{ scope: { kinds: [] } }, 'scope.kinds'],
      [{ scope: { kinds: ['files'], itemIDs: [ev.files[0]?.id] } }, 'scope'],
      [{ scope: { kinds: ['files'], itemIds: [ev.files[0]?.id, 'nope'] } }, 'scope.itemIds[1]'],
      // A signal of this investigation is not a file.
      [{ scope: { kinds: ['files'], itemIds: [ev.signalId] } }, 'scope.itemIds[0]'],
      [{ scope: { kinds: ['files', 'signals'], itemIds: [ev.signalId] } }, 'scope.kinds[0]'],
      [{ reason: 'because' }, 'reason'],
      [{ reason: 'x'.repeat(2001) }, 'reason'],
      [{ recipient: '' }, 'recipient'],
      [{ recipient: 'CERT\nBcc: someone' }, 'recipient'],
      [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, 'expiresAt'],
      [{ expiresAt: new Date(Date.now() + 31 * DAY).toISOString() }, 'expiresAt'],
      [{ expiresAt: 'next week' }, 'expiresAt'],
    ];
    const answers = [];
    for (const [over, field] of cases) {
      const res = await post('/evidence-approvals', 'incident_manager', approvalBody(over));
      answers.push([res.statusCode, res.json().error?.code, res.json().error?.field, field]);
    }

    for (const [status, code, field, expected] of answers) {
      expect([status, code, field]).toEqual([400, 'BD_EVIDENCE_INVALID', expected]);
    }
    expect(await evidenceSnapshot(store.db)).toEqual(before);
  });

  it('refuses an item id of another investigation', async () => {
    const other = await approveEvidenceExport(
      store.db,
      cliActor('incident_manager'),
      ev.otherId,
      approvalBody({ scope: { kinds: ['signals'] } }),
    );
    const before = await evidenceSnapshot(store.db);

    const res = await post(
      '/evidence-approvals',
      'incident_manager',
      approvalBody({ scope: { kinds: ['scoping'], itemIds: [ev.scopingRunId, other.id] } }),
    );

    expect(res.json().error).toMatchObject({
      code: 'BD_EVIDENCE_INVALID',
      field: 'scope.itemIds[1]',
    });
    expect(await evidenceSnapshot(store.db)).toEqual(before);
  });

  it('refuses an export without an approval, storing nothing', async () => {
    const before = await evidenceSnapshot(store.db);

    const res = await post('/evidence-exports', 'responder', {});

    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'BD_EXPORT_NOT_APPROVED', field: 'approvalId' });
    expect(await evidenceSnapshot(store.db)).toEqual(before);
  });

  it('refuses exports under expired, revoked, unknown or other approvals', async () => {
    const expired = await approveEvidenceExport(
      store.db,
      cliActor('incident_manager'),
      ev.investigationId,
      approvalBody(),
      new Date(Date.now() - 10 * DAY),
    );
    const revoked = await approve();
    const revoke = await post(`/evidence-approvals/${revoked}/revoke`, 'incident_manager', {
      reason: 'recipient changed',
    });
    expect(revoke.json().state).toBe('revoked');
    const other = await approveEvidenceExport(
      store.db,
      cliActor('incident_manager'),
      ev.otherId,
      approvalBody(),
    );
    const before = await evidenceSnapshot(store.db);

    const messages = [];
    for (const approvalId of [expired.id, revoked, 'no-such-approval', other.id]) {
      const res = await post('/evidence-exports', 'responder', { approvalId });
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'BD_EXPORT_NOT_APPROVED']);
      messages.push(res.json().error.message as string);
    }

    expect(messages.map((m) => m.split(';')[0])).toEqual([
      expect.stringMatching(/expired at/),
      expect.stringMatching(/was revoked at .* by token:incident_manager/),
      'no approval no-such-approval',
      expect.stringMatching(/is for another investigation/),
    ]);
    expect(await evidenceSnapshot(store.db)).toEqual(before);
  });

  it('refuses an export of a kind the approval does not cover', async () => {
    const approvalId = await approve({ scope: { kinds: ['signals'] } });
    const before = await evidenceSnapshot(store.db);

    const res = await post('/evidence-exports', 'responder', { approvalId, kinds: ['files'] });

    expect(res.json().error).toMatchObject({ code: 'BD_EXPORT_NOT_APPROVED', field: 'kinds' });
    expect(await evidenceSnapshot(store.db)).toEqual(before);
  });

  it('exports a package whose manifest hashes are those of its bytes', async () => {
    const approvalId = await approve();

    const res = await post('/evidence-exports', 'responder', { approvalId });

    expect(res.statusCode).toBe(201);
    const doc = res.json<PackageDoc>();
    const bytes = new Map(doc.files.map((f) => [f.path, Buffer.from(f.contentBase64, 'base64')]));
    const manifestBytes = bytes.get('MANIFEST.json') ?? Buffer.alloc(0);
    expect(sha256(manifestBytes)).toBe(doc.manifestSha256);
    expect(JSON.parse(manifestBytes.toString('utf8'))).toEqual(doc.manifest);
    for (const entry of doc.manifest.entries) {
      const content = bytes.get(entry.path) ?? Buffer.alloc(0);
      expect([entry.path, content.length, sha256(content)]).toEqual([
        entry.path,
        entry.size,
        entry.sha256,
      ]);
    }
    const sums = (bytes.get('SHA256SUMS') ?? Buffer.alloc(0)).toString('utf8');
    const expected = [...doc.manifest.entries.map((e) => [e.sha256, e.path])];
    expected.push([doc.manifestSha256, 'MANIFEST.json']);
    expect(sums).toBe(expected.map(([h, p]) => `${h}  ${p}\n`).join(''));
    const [stored] = await store.db
      .select()
      .from(evidenceExports)
      .where(eq(evidenceExports.id, doc.exportId));
    expect(stored?.manifestSha256).toBe(doc.manifestSha256);
  });

  it('puts every file with its original bytes under a safe, unique name', async () => {
    const approvalId = await approve({ scope: { kinds: ['files'] } });

    const doc = (await post('/evidence-exports', 'responder', { approvalId })).json<PackageDoc>();

    const entries = doc.manifest.entries;
    const bytes = new Map(doc.files.map((f) => [f.path, f.contentBase64]));
    expect(entries.map((e) => bytes.get(e.path))).toEqual(
      ev.files.map((f) => f.content.toString('base64')),
    );
    const names = entries.map((e) => e.path.replace(/^files\//, ''));
    expect(names.slice(0, 4)).toEqual(['passwd', 'abs', '_CON', '_con.txt']);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(HOSTILE_NAMES.length);
    for (const path of entries.map((e) => e.path)) {
      expect(path).toMatch(/^files\/[^/\\\p{Cc}\p{Cf}.][^/\\\p{Cc}\p{Cf}]{0,149}$/u);
    }
  });

  it('audits the export with approval, actor and manifest hash, and lists it', async () => {
    const approvalId = await approve();

    const doc = (await post('/evidence-exports', 'responder', { approvalId })).json<PackageDoc>();

    const exported = (await evidenceAudit(store.db)).filter(
      (a) => a.action === 'evidence.exported',
    );
    expect(exported.map((a) => [a.actor, a.data.approvalId, a.data.manifestSha256])).toEqual([
      ['token:responder (responder)', approvalId, doc.manifestSha256],
    ]);
    const listed = await server.app.inject({
      method: 'GET',
      url: `${url}/evidence-exports`,
      headers: server.as('auditor'),
    });
    expect(listed.json()).toMatchObject([
      { id: doc.exportId, approvalId, manifestSha256: doc.manifestSha256 },
    ]);
  });

  it('exports only the items an approval names', async () => {
    const file = ev.files[5];
    const approvalId = await approve({
      scope: { kinds: ['files', 'scoping'], itemIds: [file?.id, ev.scopingRunId] },
    });

    const doc = (await post('/evidence-exports', 'responder', { approvalId })).json<PackageDoc>();

    expect(doc.manifest.entries.map((e) => [e.kind, e.path])).toEqual([
      ['files', 'files/report.pdf'],
      ['scoping', 'scoping.json'],
    ]);
  });

  it('answers a tenant admin 404 on every evidence route', async () => {
    const approvalId = await approve();
    const headers = server.as('tenant_admin:acme');
    const before = await evidenceSnapshot(store.db);
    const calls = [
      { method: 'GET', url: `${url}/evidence-approvals` },
      { method: 'GET', url: `${url}/evidence-exports` },
      { method: 'POST', url: `${url}/evidence-approvals`, payload: approvalBody() },
      { method: 'POST', url: `${url}/evidence-approvals/${approvalId}/revoke`, payload: {} },
      { method: 'POST', url: `${url}/evidence-exports`, payload: { approvalId } },
    ] as const;

    const statuses = [];
    for (const call of calls)
      statuses.push((await server.app.inject({ ...call, headers })).statusCode);

    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const after = await evidenceSnapshot(store.db);
    expect({ ...after, audit_log: null }).toEqual({ ...before, audit_log: null });
    const denied = await store.db
      .select({ actor: auditLog.actor })
      .from(auditLog)
      .where(eq(auditLog.action, 'access.denied'));
    expect(denied).toEqual(calls.map(() => ({ actor: 'token:ta-acme (tenant_admin)' })));
  });

  it('refuses revoking twice, and revoking by an investigator', async () => {
    const approvalId = await approve();
    const { token } = await createToken(store.db, {
      label: 'ivy',
      role: 'investigator',
      createdBy: 'test',
    });
    const asInvestigator = await server.app.inject({
      method: 'POST',
      url: `${url}/evidence-approvals/${approvalId}/revoke`,
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    await post(`/evidence-approvals/${approvalId}/revoke`, 'incident_manager', {});

    const again = await post(`/evidence-approvals/${approvalId}/revoke`, 'incident_manager', {});

    expect(asInvestigator.statusCode).toBe(403);
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'BD_EVIDENCE_STATE']);
  });
});

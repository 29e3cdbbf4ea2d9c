/**
 * The notices list of a tenant's portal: a tenant admin sees its own tenant's approved
 * tenant-audience notices with their delivery state, never drafts, account-team notices or
 * another tenant's list, and stops seeing them once re-scoping leaves its tenant out.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  noticeOf,
  scope,
} from '../notify/declared-investigation.ts';

interface Listed {
  id: string;
  audience: string;
  status: string;
  subject: string;
  sentAt: string | null;
  delivery: Record<string, number>;
}

describeEachBackend('tenant notices list', (backend) => {
  let store: Store;
  let server: TestServer;
  let investigation: string;

  beforeEach(async () => {
    store = await backend.open();
    investigation = await declaredInvestigation(store.db, { acme: {}, globex: {} });
    server = await startTestServer(store, { tenantAdmins: ['acme', 'globex'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const list = (tenantId: string, who: string) =>
    server.app.inject({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/notices`,
      headers: server.as(who),
    });

  it('shows a tenant admin its approved notices with delivery state, nothing else', async () => {
    expect((await list('acme', 'tenant_admin:acme')).json()).toEqual([]);
    const notice = await noticeOf(store.db, investigation, 'acme', 'tenant');
    await approveAndDeliver(store.db, notice.id);

    const res = await list('acme', 'tenant_admin:acme');
    expect(res.statusCode).toBe(200);
    const listed = res.json<Listed[]>();
    expect(listed).toEqual([
      expect.objectContaining({
        id: notice.id,
        audience: 'tenant',
        status: 'approved',
        subject: notice.subject,
        delivery: { sent: 1 },
      }),
    ]);
    expect(Date.parse(listed[0]?.sentAt ?? '')).not.toBeNaN();

    // Staff see every notice of the tenant, drafts included.
    const staff = (await list('acme', 'incident_manager')).json<Listed[]>();
    expect(staff.length).toBeGreaterThan(1);
    expect(staff.some((n) => n.status === 'draft')).toBe(true);
  });

  it("answers 404 for another tenant's list and hides notices once out of scope", async () => {
    const notice = await noticeOf(store.db, investigation, 'acme', 'tenant');
    await approveAndDeliver(store.db, notice.id);

    const other = await list('acme', 'tenant_admin:globex');
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toMatchObject({ code: 'BD_NOT_FOUND', field: 'tenantId' });
    expect((await list('nowhere', 'tenant_admin:acme')).statusCode).toBe(404);

    await scope(store.db, investigation, ['globex']);
    expect((await list('acme', 'tenant_admin:acme')).json()).toEqual([]);
  });
});

/**
 * GET /api/v1/investigations/:id/timeline and /signals over HTTP (app.inject): the timeline is
 * the audit log about the investigation and its notices, holds and signals, in order, paged;
 * another investigation's entries stay out; tenant users are refused; bad paging is a coded
 * 400 naming the field that writes nothing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { requestHold } from '../../src/notify/holds.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, openInvestigation, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  manager,
  noticeOf,
} from '../notify/declared-investigation.ts';

interface Entry {
  seq: number;
  action: string;
  about: string;
  entityId: string;
  data: Record<string, unknown>;
}
interface Page {
  investigationId: string;
  entries: Entry[];
  nextAfterSeq: number | null;
}

describeEachBackend('HTTP investigation timeline and signals', (backend) => {
  let store: Store;
  let server: TestServer;
  let id: string;
  let other: string;

  beforeEach(async () => {
    store = await backend.open();
    id = await declaredInvestigation(store.db, { acme: {}, globex: {} });
    // A second investigation from a different alert: none of its entries may show in id's.
    other = await openInvestigation(store.db, buildEveAlert({ sid: 9000777, src: '198.51.100.7' }));
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (url: string, role = 'responder') =>
    server.app.inject({ method: 'GET', url, headers: server.as(role) });

  it('shows what happened, in order, including notices, holds and deliveries', async () => {
    const acme = await noticeOf(store.db, id, 'acme', 'tenant');
    await approveAndDeliver(store.db, acme.id);
    const globex = await noticeOf(store.db, id, 'globex', 'tenant');
    await requestHold(store.db, manager, globex.id, {
      ground: 'extreme_circumstance',
      reason: 'law enforcement asked for two days',
      reviewAt: new Date(Date.now() + 86_400_000).toISOString(),
    });

    const res = await get(`/api/v1/investigations/${id}/timeline`);
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    const actions = page.entries.map((e) => e.action);

    expect(actions.slice(0, 4)).toEqual([
      'investigation.opened',
      'investigation.stage_changed',
      'investigation.stage_changed',
      'investigation.scoped',
    ]);
    for (const a of ['investigation.declared_crsi', 'notice.drafted', 'notice.approved']) {
      expect(actions).toContain(a);
    }
    expect(actions).toContain('notice.delivered');
    expect(actions.at(-1)).toBe('hold.requested');
    const seqs = page.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(page.entries.every((e) => e.entityId !== other)).toBe(true);
    expect(page.entries.find((e) => e.action === 'notice.approved')?.data).toMatchObject({
      noticeId: acme.id,
      tenantId: 'acme',
    });
    expect(page.nextAfterSeq).toBeNull();
  });

  it('pages with afterSeq and finds the investigation by its INV reference', async () => {
    const all = (await get(`/api/v1/investigations/${id}/timeline`)).json<Page>().entries;
    const first = (await get(`/api/v1/investigations/${id}/timeline?limit=2`)).json<Page>();
    expect(first.entries.map((e) => e.seq)).toEqual(all.slice(0, 2).map((e) => e.seq));
    expect(first.nextAfterSeq).toBe(all[1]?.seq);

    const ref = (await get(`/api/v1/investigations/${id}`)).json<{ ref: string }>().ref;
    const rest = await get(`/api/v1/investigations/${ref}/timeline?afterSeq=${first.nextAfterSeq}`);
    expect(rest.json<Page>().entries.map((e) => e.seq)).toEqual(all.slice(2).map((e) => e.seq));
    expect(rest.json<Page>().investigationId).toBe(id);
  });

  it('pages newest first with order=desc and beforeSeq, the latest entries first', async () => {
    const all = (await get(`/api/v1/investigations/${id}/timeline`)).json<Page>().entries;
    const newest = (await get(`/api/v1/investigations/${id}/timeline?order=desc&limit=2`)).json<
      Page & { nextBeforeSeq: number | null }
    >();
    const reversed = [...all].reverse().map((e) => e.seq);
    expect(newest.entries.map((e) => e.seq)).toEqual(reversed.slice(0, 2));
    expect(newest.nextBeforeSeq).toBe(reversed[1]);
    expect(newest.nextAfterSeq).toBeNull();

    const older = await get(
      `/api/v1/investigations/${id}/timeline?order=desc&beforeSeq=${newest.nextBeforeSeq}`,
    );
    expect(older.json<Page>().entries.map((e) => e.seq)).toEqual(reversed.slice(2));
  });

  it('refuses tenant users and unknown investigations', async () => {
    const tenant = await get(`/api/v1/investigations/${id}/timeline`, 'tenant_admin:acme');
    // A tenant user is not told whether the investigation exists (docs/permissions.md).
    expect(tenant.statusCode).toBe(404);
    expect(JSON.stringify(tenant.json())).not.toContain('investigation.opened');
    const signals = await get(`/api/v1/investigations/${id}/signals`, 'tenant_admin:acme');
    expect(signals.statusCode).toBe(404);

    const missing = await get('/api/v1/investigations/INV-999999/timeline');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'BD_NOT_FOUND', field: 'investigationId' });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['afterSeq=-1', 'afterSeq'],
    ['afterSeq=abc', 'afterSeq'],
    ['order=sideways', 'order'],
    ['beforeSeq=5', 'beforeSeq'],
    ['order=desc&afterSeq=5', 'afterSeq'],
  ])('answers %s with a coded 400 naming the field, changing nothing', async (q, field) => {
    const before = await snapshot(store.db);
    const res = await get(`/api/v1/investigations/${id}/timeline?${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID' });
    expect(res.json().error.field).toContain(field);
    expect(await snapshot(store.db)).toEqual(before);
  });

  it("lists the investigation's signals with the observables they name", async () => {
    const res = await get(`/api/v1/investigations/${id}/signals`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      total: number;
      signals: { title: string; sourceIp: string }[];
      observables: { kind: string; value: string; signals: number }[];
    }>();

    expect(body.total).toBe(1);
    expect(body.signals[0]).toMatchObject({
      title: 'TEST possible data exfiltration',
      sourceIp: '203.0.113.9',
    });
    expect(body.observables).toContainEqual(
      expect.objectContaining({ kind: 'ip', value: '203.0.113.9', signals: 1 }),
    );
    expect(JSON.stringify(body)).not.toContain('198.51.100.7');

    const bad = await get(`/api/v1/investigations/${id}/signals?limit=0`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toContain('limit');
  });
});

/**
 * GET /api/v1/queue over HTTP (app.inject): open investigations with their nearest open legal
 * deadline, filtered, sorted and paged by the server across all pages, and refused as the
 * policy says. What each page should hold is worked out from what was seeded.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { decideObligation } from '../../src/investigations/obligations.ts';
import { classifyInvestigation, moveStage } from '../../src/investigations/workflow.ts';
import type { Store } from '../../src/store/db.ts';
import { clocks } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants, snapshot } from '../support/factories.ts';
import {
  byDeadline,
  openWithSeverity,
  type SeededInvestigation,
  seedQueue,
} from '../support/queue-seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface QueueItem {
  id: string;
  ref: string;
  number: number;
  stage: string;
  severity: string;
  classification: string | null;
  exercise: boolean;
  openedAt: string;
  updatedAt: string;
  nearestDeadline: { due: string; regime: string; regimeName: string; filing: string } | null;
}
interface QueuePage {
  items: QueueItem[];
  total: number;
  page: number;
  pageSize: number;
}

describeEachBackend('HTTP queue', (backend) => {
  let store: Store;
  let server: TestServer;
  let seeded: SeededInvestigation[];
  let closedId: string;
  let undatedId: string;

  beforeAll(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    seeded = await seedQueue(store.db, 14);

    // One closed investigation, which no queue shows.
    const responder = cliActor('responder', 'test');
    closedId = await openWithSeverity(store.db, 9_399_001, 1);
    await moveStage(store.db, responder, closedId, { to: 'assess', reason: 'paged' });
    await classifyInvestigation(store.db, responder, closedId, {
      classification: 'false_positive',
      rootCause: 'the nightly backup job copying the bucket',
    });
    await moveStage(store.db, responder, closedId, { to: 'close', reason: 'nothing happened' });

    // A dated obligation decided "not required" is no longer a deadline.
    const first = seeded.find((s) => s.due !== null);
    if (!first) throw new Error('seed has no deadline');
    const [clock] = await store.db
      .select()
      .from(clocks)
      .where(eq(clocks.investigationId, first.id));
    await decideObligation(store.db, cliActor('legal', 'test'), clock?.id ?? '', {
      decision: 'not_required',
      rationale: 'no personal data of ours was involved',
    });
    first.due = null;
    undatedId = first.id;

    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  }, 120_000);
  afterAll(async () => {
    await server?.app.close();
    await store?.close();
  });

  async function page(query: string, role = 'responder'): Promise<QueuePage> {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/queue?${query}`,
      headers: server.as(role),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<QueuePage>();
  }

  /** Every page of a query, in order, checking that each page's total agrees. */
  async function allPages(
    query: string,
    pageSize = 4,
  ): Promise<{ items: QueueItem[]; total: number }> {
    const items: QueueItem[] = [];
    let total = -1;
    for (let n = 1; n < 20; n++) {
      const p = await page(`${query}&pageSize=${pageSize}&page=${n}`);
      if (total === -1) total = p.total;
      expect(p.total).toBe(total);
      expect(p.items.length).toBeLessThanOrEqual(pageSize);
      items.push(...p.items);
      if (p.items.length < pageSize) break;
    }
    return { items, total };
  }

  it('lists open investigations by nearest deadline across pages, none last', async () => {
    const { items, total } = await allPages('sort=deadline');

    expect(total).toBe(14);
    expect(items.map((i) => i.id)).toEqual(byDeadline(seeded).map((s) => s.id));
    expect(items.map((i) => i.id)).not.toContain(closedId);
    expect(items.at(-1)?.nearestDeadline).toBeNull();
    expect(items.find((i) => i.id === undatedId)?.nearestDeadline).toBeNull();

    const dated = items.find((i) => i.nearestDeadline !== null);
    const want = seeded.find((s) => s.id === dated?.id);
    expect(dated?.nearestDeadline).toEqual({
      due: want?.due,
      regime: 'gdpr-33-1',
      regimeName: 'GDPR controller to supervisory authority',
      filing: 'authority',
    });
    expect(dated?.ref).toBe(`INV-${dated?.number}`);
    expect(Object.keys(dated ?? {}).sort()).toEqual(
      [
        'classification',
        'exercise',
        'id',
        'nearestDeadline',
        'number',
        'openedAt',
        'ref',
        'severity',
        'stage',
        'title',
        'updatedAt',
      ].sort(),
    );
  });

  it('sorts by deadline descending with none still last', async () => {
    const { items } = await allPages('sort=deadline&order=desc', 5);
    const dues = items.map((i) => i.nearestDeadline?.due ?? null);
    const dated = dues.filter((d) => d !== null);

    expect(dated).toEqual([...dated].sort().reverse());
    expect(dues.slice(dated.length).every((d) => d === null)).toBe(true);
  });

  it('filters by stage and severity together, across pages', async () => {
    const { items, total } = await allPages(
      'stage=diagnose&stage=stabilize&severity=high&severity=low',
      3,
    );
    const want = byDeadline(
      seeded.filter((s) => ['diagnose', 'stabilize'].includes(s.stage) && s.severity !== 'medium'),
    );

    expect(want.length).toBeGreaterThan(3);
    expect(total).toBe(want.length);
    expect(items.map((i) => i.id)).toEqual(want.map((s) => s.id));
  });

  it('filters by classification, "unclassified" meaning none yet, comma lists too', async () => {
    const classified = await allPages('classification=security_incident', 3);
    const unclassified = await allPages('classification=unclassified', 3);
    const both = await page('classification=security_incident,unclassified&pageSize=100');

    const want = seeded.filter((s) => s.classification === 'security_incident');
    expect(want.length).toBeGreaterThan(3);
    expect(classified.items.map((i) => i.id).sort()).toEqual(want.map((s) => s.id).sort());
    expect(unclassified.total).toBe(14 - want.length);
    expect(unclassified.items.every((i) => i.classification === null)).toBe(true);
    expect(both.total).toBe(14);
  });

  it('sorts by severity, opening and update time', async () => {
    const rank = { high: 3, medium: 2, low: 1 } as Record<string, number>;
    const bySeverity = (await allPages('sort=severity', 5)).items.map((i) => rank[i.severity]);
    expect(bySeverity).toEqual([...bySeverity].sort((a = 0, b = 0) => b - a));
    expect(bySeverity.length).toBe(14);

    const opened = (await allPages('sort=opened&order=asc', 5)).items.map((i) => i.id);
    expect(opened).toEqual(seeded.map((s) => s.id));
    const newest = (await allPages('sort=opened', 5)).items.map((i) => i.id);
    expect(newest).toEqual(seeded.map((s) => s.id).reverse());

    const updated = (await allPages('sort=updated', 5)).items.map((i) => i.updatedAt);
    expect(updated).toEqual([...updated].sort().reverse());
  });

  it('pages past the end give no items but the same total', async () => {
    const p = await page('pageSize=10&page=3');
    expect(p).toMatchObject({ items: [], total: 14, page: 3, pageSize: 10 });
  });

  it.each([
    ['stage=close', 'stage'],
    ['stage=detect&stage=nowhere', 'stage'],
    ['severity=urgent', 'severity'],
    ['classification=maybe', 'classification'],
    ['sort=title', 'sort'],
    ['order=up', 'order'],
    ['page=0', 'page'],
    ['page=two', 'page'],
    ['pageSize=101', 'pageSize'],
    ['pageSize=-1', 'pageSize'],
    ['assignee=rita', 'assignee'],
  ])('refuses %s naming %s, changing nothing', async (query, field) => {
    const before = await snapshot(store.db);
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/queue?${query}`,
      headers: server.as('responder'),
    });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'BD_REQUEST_INVALID', field } });
    expect(res.json().error.message).toContain(field);
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses tenant admins and auditors, and callers without a token', async () => {
    for (const role of ['tenant_admin:acme', 'auditor']) {
      const res = await server.app.inject({
        method: 'GET',
        url: '/api/v1/queue',
        headers: server.as(role),
      });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().error.code).toBe('BD_AUTH_FORBIDDEN');
    }
    const anonymous = await server.app.inject({ method: 'GET', url: '/api/v1/queue' });
    expect(anonymous.statusCode).toBe(401);
  });
});

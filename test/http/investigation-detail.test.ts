/**
 * GET /api/v1/investigations/:id over HTTP (app.inject): the detail carries, per affected
 * tenant, whether its breach contacts have been reached (notificationState, reachability.ts).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  noticeOf,
} from '../notify/declared-investigation.ts';

describeEachBackend('HTTP investigation detail', (backend) => {
  let store: Store;
  let server: TestServer;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    // globex is affected but has no breach contact: it can never be notified as things stand.
    id = await declaredInvestigation(store.db, { acme: {}, globex: { breachContacts: [] } });
    server = await startTestServer(store);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  async function detail() {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/investigations/${id}`,
      headers: server.as('responder'),
    });
    expect(res.statusCode).toBe(200);
    return res.json<{ notificationState: { tenantId: string; state: string }[] }>();
  }

  it('shows a drafted tenant pending and a tenant without contacts not notified', async () => {
    const { notificationState } = await detail();
    expect(notificationState.map((t) => [t.tenantId, t.state])).toEqual([
      ['acme', 'pending'],
      ['globex', 'not_notified'],
    ]);
  });

  it('shows a tenant notified once its notice reached a breach contact', async () => {
    await approveAndDeliver(store.db, (await noticeOf(store.db, id, 'acme', 'tenant')).id);
    const [acme] = (await detail()).notificationState;
    expect(acme).toEqual({ tenantId: 'acme', state: 'notified', failedRecipients: [] });
  });
});

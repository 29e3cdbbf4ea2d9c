/**
 * A customer report comes only from a tenant user through POST /api/v1/reports. Regression:
 * staff could send `sourceKind: customer_report` to the generic alert intake and so file one
 * with no tenant and no tenant reporter.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';

import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ALERT = { time: '2026-11-30T08:00:00Z', title: 'Customer says invoices leak' };

describeEachBackend('customer reports on the alert intake', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store, {});
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const post = (format: string, lines: object[]) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${format}`,
      headers: { ...server.as('admin'), 'content-type': 'application/x-ndjson' },
      payload: lines.map((line) => JSON.stringify(line)).join('\n'),
    });

  it('refuses sourceKind customer_report, naming the field and the reports route', async () => {
    const before = await snapshot(store.db);

    const res = await post('generic', [{ ...ALERT, sourceKind: 'customer_report' }]);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'sourceKind',
      message: expect.stringContaining('POST /api/v1/reports'),
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses it too when the format is detected (auto)', async () => {
    const res = await post('auto', [{ ...ALERT, sourceKind: 'customer_report' }]);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'sourceKind' });
  });

  it('rejects only the customer_report line of a batch and stores the others', async () => {
    const res = await post('generic', [
      { ...ALERT, sourceKind: 'internal_report' },
      { ...ALERT, title: 'Second', sourceKind: 'customer_report' },
    ]);

    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1 });
    const kinds = (await store.db.select().from(signals)).map((s) => s.sourceKind);
    expect(kinds).toEqual(['internal_report']);
  });
});

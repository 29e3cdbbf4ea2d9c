/**
 * A report's title is one line that shows text. Regression: a title with a line break (or
 * only invisible characters) was stored and then split lists, notices and log lines.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';

import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('report titles over HTTP', (backend) => {
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

  const report = (role: string, title: string) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: server.as(role),
      payload: { title },
    });

  async function expectRefused(role: string, title: string, code: string) {
    const before = await snapshotWithRules(store.db);

    const res = await report(role, title);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, field: 'title' });
    expect(await snapshotWithRules(store.db)).toEqual(before);
  }

  it('refuses a title with a line break, naming title and storing nothing', async () => {
    await expectRefused(
      'responder',
      'Laptop stolen\nSeverity: none, ignore',
      'BD_INTAKE_FIELD_INVALID',
    );
  });

  it('refuses a line break in the title of a customer report too', async () => {
    await expectRefused(
      'tenant_admin:acme',
      'Odd logins\r\nfrom abroad',
      'BD_INTAKE_FIELD_INVALID',
    );
  });

  it('refuses other control characters: tab, escape, U+2028 and a bidi override', async () => {
    for (const title of ['a\tb', 'red \u001b[31malert', 'one\u2028two', 'invoice\u202Efdp.exe']) {
      await expectRefused('responder', title, 'BD_INTAKE_FIELD_INVALID');
    }
  });

  it('refuses a title of white space only', async () => {
    await expectRefused('responder', ' \u00a0\u3000 ', 'BD_INTAKE_FIELD_MISSING');
  });

  it('refuses a title of invisible characters only', async () => {
    await expectRefused('responder', '\u200b\u200d\ufeff\u2800\u3164', 'BD_INTAKE_FIELD_MISSING');
  });

  it('takes a one-line title with emoji and accents as written', async () => {
    const title = 'Café Wi-Fi portal leaks session ids 👩‍💻';

    const res = await report('responder', title);

    expect(res.statusCode).toBe(201);
    expect((await store.db.select().from(signals))[0]?.title).toBe(title);
  });
});

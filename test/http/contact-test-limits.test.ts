/**
 * The test e-mail allowance belongs to the address within its tenant, not to the contact row:
 * removing and re-adding a contact, or moving it away and back, does not renew it. A tenant
 * also has an hourly cap over all its addresses. Both refusals are coded 429s with Retry-After
 * and queue nothing.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { breachContacts, contactConfirmations } from '../../src/store/schema.ts';
import {
  TESTS_PER_TENANT_WINDOW,
  TESTS_PER_WINDOW,
} from '../../src/tenants/contact-confirmations.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('contact test e-mail limits', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme', 'globex']);
    server = await startTestServer(store, { tenantAdmins: ['acme', 'globex'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const as = (t: string) => server.as(`tenant_admin:${t}`);

  async function add(tenantId: string, email: string): Promise<string> {
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/contacts`,
      headers: as(tenantId),
      payload: { name: 'Contact', email },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  function testEmail(tenantId: string, contactId: string) {
    return server.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/contacts/${contactId}/test-email`,
      headers: as(tenantId),
    });
  }

  async function firstContact(tenantId: string): Promise<string> {
    const [c] = await store.db
      .select()
      .from(breachContacts)
      .where(eq(breachContacts.tenantId, tenantId));
    return c?.id ?? '';
  }

  async function useUp(tenantId: string, contactId: string): Promise<void> {
    for (let i = 0; i < TESTS_PER_WINDOW; i++) {
      expect((await testEmail(tenantId, contactId)).statusCode).toBe(202);
    }
  }

  function expectLimited(res: Awaited<ReturnType<typeof testEmail>>, field: string) {
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toMatchObject({ code: 'BD_RATE_LIMITED', field });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(3500);
  }

  it('does not renew an address’s allowance when its contact is removed and re-added', async () => {
    const first = await firstContact('acme');
    await useUp('acme', first);
    const removed = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/tenants/acme/contacts/${first}`,
      headers: as('acme'),
    });
    expect(removed.statusCode).toBe(204);

    const again = await add('acme', 'DPO@acme.example');
    expectLimited(await testEmail('acme', again), 'contactId');
    expect(await store.db.select().from(contactConfirmations)).toHaveLength(TESTS_PER_WINDOW);
    // The same address at another tenant is that tenant's own business.
    expect((await testEmail('globex', await add('globex', 'dpo@acme.example'))).statusCode).toBe(
      202,
    );
  });

  it('does not renew it when the contact moves to another address and back', async () => {
    const first = await firstContact('acme');
    await useUp('acme', first);
    const patch = (id: string, email: string) =>
      server.app.inject({
        method: 'PATCH',
        url: `/api/v1/tenants/acme/contacts/${id}`,
        headers: as('acme'),
        payload: { email },
      });

    const away = await patch(first, 'elsewhere@acme.example');
    expect(away.statusCode).toBe(200);
    // The new address has an allowance of its own.
    expect((await testEmail('acme', away.json().id)).statusCode).toBe(202);
    const back = await patch(away.json().id, 'dpo@acme.example');
    expect(back.statusCode).toBe(200);
    expectLimited(await testEmail('acme', back.json().id), 'contactId');
  });

  it('caps a tenant’s test e-mails per hour over all its addresses', async () => {
    const ids = [await firstContact('acme')];
    const needed = Math.ceil(TESTS_PER_TENANT_WINDOW / TESTS_PER_WINDOW) + 1;
    for (let i = 1; i < needed; i++) ids.push(await add('acme', `person${i}@acme.example`));

    let queued = 0;
    for (const id of ids) {
      for (let i = 0; i < TESTS_PER_WINDOW && queued < TESTS_PER_TENANT_WINDOW; i++) {
        expect((await testEmail('acme', id)).statusCode).toBe(202);
        queued += 1;
      }
    }
    const last = ids[ids.length - 1] ?? '';
    expectLimited(await testEmail('acme', last), 'tenantId');
    const rows = await store.db
      .select()
      .from(contactConfirmations)
      .where(eq(contactConfirmations.tenantId, 'acme'));
    expect(rows).toHaveLength(TESTS_PER_TENANT_WINDOW);
    // Another tenant is not held back by acme's.
    expect((await testEmail('globex', await firstContact('globex'))).statusCode).toBe(202);
  });
});

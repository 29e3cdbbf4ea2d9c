/**
 * One address is one breach contact of a tenant: adding it again (in any case, or with its
 * domain in Unicode instead of the A-label) or moving another contact onto it is refused with
 * a coded 409 naming `email`, and stored contacts stay as they were. A tenant import merges
 * an address the tenant already has and refuses a file that lists one twice.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { breachContacts } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildTenant, seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('breach contact duplicates', (backend) => {
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

  const contactsUrl = (t: string) => `/api/v1/tenants/${t}/contacts`;

  function add(tenantId: string, email: string, name = 'Another') {
    return server.app.inject({
      method: 'POST',
      url: contactsUrl(tenantId),
      headers: server.as(`tenant_admin:${tenantId}`),
      payload: { name, email },
    });
  }

  async function stored(tenantId: string) {
    const rows = await store.db
      .select()
      .from(breachContacts)
      .where(eq(breachContacts.tenantId, tenantId))
      .orderBy(asc(breachContacts.createdAt), asc(breachContacts.id));
    return rows.map((r) => ({ id: r.id, name: r.name, email: r.email }));
  }

  it('refuses an address the tenant already has, in any case, with a coded 409', async () => {
    expect((await add('acme', 'privacy@bücher.example')).statusCode).toBe(201);
    const before = await stored('acme');

    for (const email of [
      'dpo@acme.example',
      'DPO@ACME.example',
      ' Dpo@Acme.Example ',
      'privacy@BÜCHER.example',
      'privacy@xn--bcher-kva.example',
    ]) {
      const res = await add('acme', email);
      expect(res.statusCode, email).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'BD_CONTACT_DUPLICATE', field: 'email' });
    }
    expect(await stored('acme')).toEqual(before);
    // Another tenant may list the same person.
    expect((await add('globex', 'dpo@acme.example')).statusCode).toBe(201);
  });

  it('refuses a PATCH onto another contact’s address and changes nothing', async () => {
    const second = (await add('acme', 'second@acme.example')).json<{ id: string }>();
    const before = await stored('acme');

    const res = await server.app.inject({
      method: 'PATCH',
      url: `${contactsUrl('acme')}/${second.id}`,
      headers: server.as('tenant_admin:acme'),
      payload: { name: 'Copy', email: 'DPO@acme.example' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'BD_CONTACT_DUPLICATE', field: 'email' });
    expect(await stored('acme')).toEqual(before);

    // Its own address in another case is the same contact, changed in place.
    const own = await server.app.inject({
      method: 'PATCH',
      url: `${contactsUrl('acme')}/${second.id}`,
      headers: server.as('tenant_admin:acme'),
      payload: { email: 'Second@ACME.example' },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: second.id, email: 'Second@ACME.example' });
  });

  it('import merges an address already stored and refuses a file listing one twice', async () => {
    const importFile = (contacts: { name: string; email: string }[]) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/tenants/import',
        headers: server.as('admin'),
        payload: { tenants: [buildTenant('acme', { breachContacts: contacts })] },
      });
    expect((await add('acme', 'privacy@bücher.example')).statusCode).toBe(201);
    const before = await stored('acme');

    const merged = await importFile([
      { name: 'Same DPO', email: 'DPO@Acme.Example' },
      { name: 'Same privacy', email: 'privacy@xn--bcher-kva.example' },
    ]);
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ breachContacts: 0 });
    expect(await stored('acme')).toEqual(before);

    const twice = await importFile([
      { name: 'A', email: 'new@bücher.example' },
      { name: 'B', email: 'NEW@xn--bcher-kva.example' },
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toMatchObject({
      code: 'BD_TENANT_INVALID',
      field: 'tenants[0].breachContacts[1].email',
    });
    expect(await stored('acme')).toEqual(before);
  });
});

import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import type { Store } from '../../src/store/db.ts';
import { breachContacts } from '../../src/store/schema.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildTenant, seedTenants, snapshot } from '../support/factories.ts';

describeEachBackend('tenants import', (backend) => {
  let store: Store;
  const admin = cliActor('admin');

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme', 'globex']);
  });
  afterEach(() => store.close());

  it('adds new contacts on re-import and never removes those the tenant admin kept', async () => {
    const contacts = [{ name: 'Новый Контакт', email: 'new@acme.example', language: 'fr' }];
    await importTenants(
      store.db,
      { tenants: [buildTenant('acme', { breachContacts: contacts })] },
      admin,
    );

    const rows = await store.db.select().from(breachContacts);
    expect(
      rows
        .filter((r) => r.tenantId === 'acme')
        .map((r) => r.email)
        .sort(),
    ).toEqual(['dpo@acme.example', 'new@acme.example']);
    expect(rows.filter((r) => r.tenantId === 'globex')).toHaveLength(1);
  });

  const withContact = (email: string) =>
    buildTenant('x', { breachContacts: [{ name: 'B', email }] });

  it.each([
    ['a tenant id twice', [buildTenant('dup'), buildTenant('dup')], 'tenants[1].id'],
    [
      'a bucket prefix without a slash',
      [buildTenant('x', { resources: [{ kind: 'bucket_prefix', value: 'nobucket' }] })],
      'tenants[0].resources[0].value',
    ],
    [
      'an address with a NUL byte',
      [withContact('bo\u0000b@x.example')],
      'tenants[0].breachContacts[0].email',
    ],
    [
      'a group address',
      [withContact('group:evil@attacker.example')],
      'tenants[0].breachContacts[0].email',
    ],
    [
      'a contract window beyond 72 hours',
      [buildTenant('x', { contractHours: 96 })],
      'tenants[0].contractHours',
    ],
  ])('refuses %s, naming the field and storing nothing', async (_what, list, field) => {
    const before = await snapshot(store.db);
    await expect(importTenants(store.db, { tenants: list }, admin)).rejects.toMatchObject({
      code: 'BD_TENANT_INVALID',
      field,
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('names the bad field and stores nothing when one entry is invalid', async () => {
    const before = await snapshot(store.db);
    const bad = buildTenant('initech', {
      breachContacts: [{ name: 'X', email: 'not-an-address' }],
    });

    await expect(
      importTenants(store.db, { tenants: [buildTenant('acme'), bad] }, admin),
    ).rejects.toMatchObject({
      code: 'BD_TENANT_INVALID',
      field: 'tenants[1].breachContacts[0].email',
    });
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('refuses a resource that another tenant already owns and changes nothing', async () => {
    const before = await snapshot(store.db);
    const thief = buildTenant('initech', { resources: [{ kind: 'bucket', value: 'acme-data' }] });

    await expect(importTenants(store.db, { tenants: [thief] }, admin)).rejects.toMatchObject({
      code: 'BD_TENANT_INVALID',
    });
    expect(await snapshot(store.db)).toEqual(before);
  });
});

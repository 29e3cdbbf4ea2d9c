/**
 * The test suite hands a store a test has closed to the next test of the file (see
 * test/support/backends.ts). These tests hold that helper to its promise: the next test sees
 * an empty, migrated database, and a store whose schema a test changed is not handed on.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { auditLog, tenants } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedAudit } from '../support/audit-seed.ts';
import { seedTenants } from '../support/factories.ts';

async function one<T>(store: Store, query: ReturnType<typeof sql>): Promise<T> {
  const result: unknown = await store.db.execute(query);
  return (result as { rows: T[] }).rows[0] as T;
}

const CHANGES: [string, string][] = [
  ['row security on a table', 'ALTER TABLE tenants ENABLE ROW LEVEL SECURITY'],
  ['a trigger', `CREATE FUNCTION t_noop() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RETURN NEW; END $$;
    CREATE TRIGGER t_noop BEFORE INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION t_noop()`],
  ['an enum type', `CREATE TYPE t_mood AS ENUM ('calm')`],
  ['an index', 'CREATE INDEX t_by_name ON tenants (name)'],
  ['a column default', `ALTER TABLE tenants ALTER COLUMN language SET DEFAULT 'fr'`],
  ['a grant', 'GRANT SELECT ON tenants TO PUBLIC'],
];

describeEachBackend('a store handed to the next test', (backend) => {
  it('is empty, with its sequences restarted and its zone UTC', async () => {
    const first = await backend.open();
    await seedTenants(first.db, ['acme', 'globex']);
    await seedAudit(first.db, 3);
    await first.db.execute(sql`SET TIME ZONE 'Pacific/Auckland'`);
    await first.close();

    const next = await backend.open();
    try {
      expect(await next.db.select().from(tenants)).toEqual([]);
      expect(await next.db.select().from(auditLog)).toEqual([]);
      const zone = await one<{ TimeZone: string }>(next, sql`SHOW TIME ZONE`);
      expect(zone.TimeZone).toBe('UTC');
      await seedTenants(next.db, ['initech']);
      expect((await next.db.select().from(tenants)).map((t) => t.id)).toEqual(['initech']);
      await seedAudit(next.db, 1);
      const seqs = (await next.db.select().from(auditLog)).map((e) => e.seq).sort((x, y) => x - y);
      expect(seqs[0]).toBe(1);
    } finally {
      await next.close();
    }
  });

  it.each(CHANGES)('is not handed on after a test adds %s', async (_what, ddl) => {
    const changed = await backend.open();
    for (const statement of ddl.split(/;\n/)) await changed.db.execute(sql.raw(statement));
    await changed.close();

    const next = await backend.open();
    try {
      const shape = await one<{ rls: boolean; triggers: number; types: number; indexes: number }>(
        next,
        sql`SELECT
          (SELECT relrowsecurity FROM pg_class WHERE relname = 'tenants') AS rls,
          (SELECT count(*)::int FROM pg_trigger WHERE tgname = 't_noop') AS triggers,
          (SELECT count(*)::int FROM pg_type WHERE typname = 't_mood') AS types,
          (SELECT count(*)::int FROM pg_indexes WHERE indexname = 't_by_name') AS indexes`,
      );
      expect(shape).toEqual({ rls: false, triggers: 0, types: 0, indexes: 0 });
      await seedTenants(next.db, ['acme']);
      const [row] = await next.db.select().from(tenants);
      expect(row?.language).toBe('en');
      const grants = await one<{ n: number }>(
        next,
        sql`SELECT count(*)::int AS n FROM information_schema.role_table_grants
            WHERE table_name = 'tenants' AND grantee = 'PUBLIC'`,
      );
      expect(grants.n).toBe(0);
    } finally {
      await next.close();
    }
  });

  it('keeps every store it is given back, two at a time', async () => {
    const a = await backend.open();
    const b = await backend.open();
    await seedTenants(a.db, ['acme']);
    await seedTenants(b.db, ['globex']);
    await a.close();
    await b.close();

    const c = await backend.open();
    const d = await backend.open();
    try {
      // Both closed stores come back (none is dropped on the way), emptied.
      expect(new Set([c.db, d.db])).toEqual(new Set([a.db, b.db]));
      expect(await c.db.select().from(tenants)).toEqual([]);
      expect(await d.db.select().from(tenants)).toEqual([]);
    } finally {
      await c.close();
      await d.close();
    }
  });
});

/**
 * A fresh, migrated database for one benchmark round: PGlite in memory, or — when DATABASE_URL
 * is set — a new database on that PostgreSQL server, dropped when the round closes it.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { openStore, type Store } from '../src/store/db.ts';

export async function freshStore(label: string): Promise<Store & { url: string | null }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { ...(await openStore({ dataDir: `memory://${label}` })), url: null };

  const name = `bd_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(base);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  return {
    ...store,
    url: url.toString(),
    close: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

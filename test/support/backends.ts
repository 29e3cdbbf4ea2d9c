/**
 * Runs a database-backed suite on every backend: PGlite always, and a real PostgreSQL server
 * when DATABASE_URL is set (each test file gets a database of its own, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';

export type BackendName = 'pglite' | 'postgres';

let pgliteTemplate: Promise<Blob> | null = null;

/** A fresh, migrated PGlite in memory, started from a dump so initdb runs once per file. */
async function freshPglite(): Promise<Store> {
  pgliteTemplate ??= (async () => {
    const store = await openStore({ dataDir: 'memory://template' });
    const client = (store.db as unknown as { $client: { dumpDataDir(): Promise<Blob> } }).$client;
    const dump = await client.dumpDataDir();
    await store.close();
    return dump;
  })();
  return openStore({ dataDir: 'memory://test', loadDataDir: await pgliteTemplate });
}

/** A fresh database on the PostgreSQL server named by DATABASE_URL. */
async function freshPostgres(): Promise<{ store: Store; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL ?? '';
  const name = `bd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(base);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });

  const drop = async () => {
    await store.close();
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  return { store, drop };
}

export interface Backend {
  name: BackendName;
  /** Opens a fresh, empty, migrated store; call close() (or drop) when done. */
  open(): Promise<Store>;
}

const pgliteBackend: Backend = { name: 'pglite', open: freshPglite };

const postgresBackend: Backend = {
  name: 'postgres',
  async open() {
    const { store, drop } = await freshPostgres();
    return { ...store, close: drop };
  },
};

const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres && !process.env.BREACHDESK_QUIET_SKIP) {
  process.stderr.write('DATABASE_URL not set: PostgreSQL suites are skipped (PGlite runs).\n');
}

/** describe() once per backend; the PostgreSQL one is skipped without DATABASE_URL. */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  describe(`${title} [pglite]`, () => body(pgliteBackend));
  describe.skipIf(!hasPostgres)(`${title} [postgres]`, () => body(postgresBackend));
}

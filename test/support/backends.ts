/**
 * Runs a database-backed suite on every backend: PGlite always, and a real PostgreSQL server
 * when DATABASE_URL is set (databases of its own, dropped when the test file ends).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';

export type BackendName = 'pglite' | 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's scratch folder (global setup): the migrated PGlite dump, screenshots. */
    runDir: string;
  }
}

let pgliteTemplate: Promise<Blob> | null = null;

/**
 * The migrated, empty database every PGlite test starts from. initdb and the migrations take
 * seconds, so the first test file of a run dumps the result and the others load that dump.
 */
function templateDump(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const dir = inject('runDir');
    const file = dir ? join(dir, 'migrated.tar.gz') : null;
    if (file) {
      const saved = await readFile(file).catch(() => null);
      if (saved) return new Blob([saved]);
    }

    const store = await openStore({ dataDir: 'memory://template' });
    const dump = await pgliteClient(store).dumpDataDir();
    await store.close();

    // Written aside and renamed, so that a file reading it at the same time never sees half.
    if (file) {
      const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(aside, Buffer.from(await dump.arrayBuffer()));
      await rename(aside, file);
    }
    return dump;
  })();
  return pgliteTemplate;
}

interface PgliteClient {
  dumpDataDir(): Promise<Blob>;
}

function pgliteClient(store: Store): PgliteClient {
  return (store.db as unknown as { $client: PgliteClient }).$client;
}

/**
 * Opening a store costs a tenth of a second on the server and half a second on PGlite, times
 * some three thousand tests. So a store a test has closed is kept and handed to the next test
 * of the same file emptied: every table truncated, every sequence restarted and the session's
 * settings reset. A store whose schema a test changed (a trigger added, say) is not reused.
 */
interface Kept {
  store: Store;
  /** The schema's fingerprint when the store was new. */
  shape: string;
  discard: () => Promise<void>;
}

// Everything of the schema a test could change: relations with their row security and grants,
// columns and defaults, constraints, indexes, views, sequences, types, triggers, functions
// with their bodies, policies, rules, and settings tied to the database or a role.
const SHAPE = sql`
  SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) AS shape FROM (
    SELECT 'rel:' || n.nspname || '.' || c.relname || ':' || c.relkind::text || ':'
        || c.relrowsecurity::text || c.relforcerowsecurity::text || ':'
        || coalesce(c.relacl::text, '') AS item
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL
    SELECT 'col:' || c.relname || '.' || a.attname || ':' || a.atttypid::text || ':'
        || a.attnotnull::text || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'con:' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'idx:' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'view:' || viewname || ':' || definition FROM pg_views WHERE schemaname = 'public'
    UNION ALL
    SELECT 'seq:' || sequencename || ':' || concat_ws(':', start_value, min_value, max_value,
        increment_by, cycle, cache_size)
      FROM pg_sequences WHERE schemaname = 'public'
    UNION ALL
    SELECT 'type:' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'trg:' || tgname || ':' || tgenabled::text FROM pg_trigger
    UNION ALL
    SELECT 'fn:' || proname || ':' || md5(coalesce(prosrc, '')) FROM pg_proc
      WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'pol:' || tablename || '.' || policyname || ':' || coalesce(qual, '')
      FROM pg_policies WHERE schemaname = 'public'
    UNION ALL
    SELECT 'rule:' || rulename FROM pg_rules WHERE schemaname = 'public'
    UNION ALL
    SELECT 'set:' || setdatabase::text || ':' || setrole::text || ':' || setconfig::text
      FROM pg_db_role_setting
      WHERE setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
  ) items`;

async function rowsOf<T>(store: Store, query: SQL): Promise<T[]> {
  const result: unknown = await store.db.execute(query);
  return (result as { rows: T[] }).rows;
}

async function shapeOf(store: Store): Promise<string> {
  const [row] = await rowsOf<{ shape: string }>(store, SHAPE);
  return row?.shape ?? '';
}

/** Empties a used store; false when its schema is no longer the one it was opened with. */
async function reset(kept: Kept): Promise<boolean> {
  const { store } = kept;
  if ((await shapeOf(store)) !== kept.shape) return false;

  const tables = await rowsOf<{ name: string }>(
    store,
    sql`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`,
  );
  const list = tables.map((t) => t.name).join(', ');
  await store.db.execute(sql.raw(`TRUNCATE ${list} RESTART IDENTITY CASCADE`));
  // PGlite has one session, so this resets all of it; on a server it reaches one connection of
  // the pool. Neither the product nor a test keeps state in a session (locks are taken for one
  // transaction), so this is a guard, not something a test relies on.
  await store.db.execute(sql`SELECT pg_advisory_unlock_all()`);
  await store.db.execute(sql`RESET ALL`);
  await store.db.execute(sql`SET TIME ZONE 'UTC'`);
  return true;
}

/** The store with a close() that does `onClose` the first time and nothing after. */
function closingOnce(store: Store, onClose: () => Promise<void>): Store {
  let closed = false;
  return {
    ...store,
    close: async () => {
      if (closed) return;
      closed = true;
      await onClose();
    },
  };
}

/** Stores of one backend that tests have closed, waiting for the next test of the file. */
function keeper(open: () => Promise<{ store: Store; discard: () => Promise<void> }>) {
  const idle: Kept[] = [];

  return {
    open: async (): Promise<Store> => {
      let kept: Kept | undefined;
      while (!kept && idle.length > 0) {
        const used = idle.pop() as Kept;
        if (await reset(used).catch(() => false)) kept = used;
        else await used.discard();
      }
      if (!kept) {
        const fresh = await open();
        kept = { ...fresh, shape: await shapeOf(fresh.store) };
      }

      const lent = kept;
      return closingOnce(lent.store, () => {
        idle.push(lent);
        return Promise.resolve();
      });
    },
    /** A store of the test's own, never reused: close() really closes it (and drops it). */
    own: async (): Promise<Store> => {
      const { store, discard } = await open();
      return closingOnce(store, discard);
    },
    /** Closes (and on a server drops) every kept store; the file's last hook. */
    drain: async (): Promise<void> => {
      const left = idle.splice(0);
      const failed = (await Promise.allSettled(left.map((k) => k.discard()))).filter(
        (r) => r.status === 'rejected',
      );
      if (failed.length > 0) throw new Error(`${failed.length} kept store(s) failed to close`);
    },
  };
}

const pglites = keeper(async () => {
  const store = await openStore({ dataDir: 'memory://test', loadDataDir: await templateDump() });
  return { store, discard: () => store.close() };
});

/** A fresh database on the PostgreSQL server named by DATABASE_URL. */
async function freshPostgres(): Promise<{ store: Store; discard: () => Promise<void> }> {
  const base = process.env.DATABASE_URL ?? '';
  const name = `bd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(base);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });

  const discard = async () => {
    await store.close();
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  return { store, discard };
}

const postgreses = keeper(freshPostgres);

export interface Backend {
  name: BackendName;
  /** Opens a fresh, empty, migrated store; call close() when done. */
  open(): Promise<Store>;
  /** The same, for a test that needs close() to cut the store off (a lost database). */
  openOwn(): Promise<Store>;
}

const pgliteBackend: Backend = { name: 'pglite', open: pglites.open, openOwn: pglites.own };
const postgresBackend: Backend = {
  name: 'postgres',
  open: postgreses.open,
  openOwn: postgreses.own,
};

const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres && !process.env.BREACHDESK_QUIET_SKIP) {
  process.stderr.write('DATABASE_URL not set: PostgreSQL suites are skipped (PGlite runs).\n');
}

/** describe() once per backend; the PostgreSQL one is skipped without DATABASE_URL. */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  describe(`${title} [pglite]`, () => {
    afterAll(pglites.drain);
    body(pgliteBackend);
  });
  describe.skipIf(!hasPostgres)(`${title} [postgres]`, () => {
    afterAll(postgreses.drain);
    body(postgresBackend);
  });
}

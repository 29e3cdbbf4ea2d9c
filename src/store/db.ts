/**
 * Opens the one database Breachdesk uses: PGlite in a data folder by default, or a real
 * PostgreSQL server when DATABASE_URL is set. Both get the same schema and migrations.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { fail } from '../domain/errors.ts';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything queries can run on: the database itself or an open transaction. */
export type Conn = Db | Tx;

export interface Store {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Where the embedded database keeps its files; null on a server. */
  readonly dataDir: string | null;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant works; it only has to be the same in every Breachdesk process.
const MIGRATION_LOCK = 727_001;

export interface OpenOptions {
  /** PGlite folder; ignored when databaseUrl is set. `memory://` keeps it in memory. */
  dataDir?: string;
  databaseUrl?: string | null;
  /** A dumped PGlite data folder to start from (tests use it to skip initdb). */
  loadDataDir?: Blob | File;
}

/** Opens PGlite or PostgreSQL and brings the schema up to date. Idempotent. */
export async function openStore(opts: OpenOptions): Promise<Store> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);

  return openPglite(opts.dataDir ?? './.breachdesk', opts.loadDataDir);
}

async function openPglite(dataDir: string, loadDataDir?: Blob | File): Promise<Store> {
  const inMemory = dataDir.startsWith('memory://');
  const dbDir = inMemory ? dataDir : `${dataDir}/db`;
  if (!inMemory) await mkdir(dbDir, { recursive: true });

  // Loaded only when used: PGlite is a large module, and a process on a PostgreSQL server
  // should not carry it (intake's memory ceiling counts it).
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');

  const unlock = inMemory ? async () => {} : await lockDataDir(dataDir);
  const client = await PGlite.create(dbDir, loadDataDir ? { loadDataDir } : {}).catch(
    async (err: unknown) => {
      await unlock();
      throw err;
    },
  );
  // Every instant is read and written in UTC, whatever the host's zone.
  await client.exec(`SET TIME ZONE 'UTC'`);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS });

  return {
    db,
    kind: 'pglite',
    dataDir: inMemory ? null : dataDir,
    close: async () => {
      await client.close();
      await unlock();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same folder would work on
 * its own copy and silently lose the other's commits. A lock file with the owner's pid keeps
 * the folder to one process; a lock left by a process that no longer runs is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}/lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }

    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      fail(
        'BD_CONFIG_INVALID',
        `data folder ${dataDir} is in use by process ${owner} (a running breachdesk serve?); ` +
          'stop it first, or use DATABASE_URL to share one PostgreSQL between processes',
        'dataDir',
      );
    }
    await rm(path, { force: true });
  }
  fail('BD_CONFIG_INVALID', `could not lock data folder ${dataDir}`, 'dataDir');
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, options: '-c TimeZone=UTC', max: 10 });
  // An idle connection dropped by the server must not crash the process; the next query
  // simply opens a new one.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Db;

  // Two processes starting at once must not both run the same migration.
  const lockClient = await pool.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS });
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    lockClient.release();
  }

  return { db, kind: 'postgres', dataDir: null, close: () => pool.end() };
}

/**
 * Turns what PostgreSQL returns for a timestamptz (text in the session's UTC zone, or a Date)
 * into ISO 8601 with a Z and milliseconds.
 */
export function iso(value: string | Date): string;
export function iso(value: string | Date | null): string | null;
export function iso(value: string | Date | null): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();

  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(
    value,
  );
  if (!m) return new Date(value).toISOString();

  const [, date, time, frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone;
  const ms = (frac + '000').slice(1, 4);
  return new Date(`${date}T${time}.${ms}${offset}`).toISOString();
}

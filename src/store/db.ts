/**
 * Opens the one database Breachdesk uses: PGlite in a data folder by default, or a real
 * PostgreSQL server when DATABASE_URL is set. Both get the same schema and migrations.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
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

  const client = await PGlite.create(dbDir, loadDataDir ? { loadDataDir } : {});
  // Every instant is read and written in UTC, whatever the host's zone.
  await client.exec(`SET TIME ZONE 'UTC'`);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS });

  return {
    db,
    kind: 'pglite',
    dataDir: inMemory ? null : dataDir,
    close: () => client.close(),
  };
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

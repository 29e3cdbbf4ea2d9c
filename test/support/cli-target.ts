/**
 * The real `breachdesk` command line run in process against either backend: a PGlite data
 * folder of its own, or a fresh PostgreSQL database (when DATABASE_URL is set) that the
 * commands reach through DATABASE_URL. Stdout lines and stderr text are captured.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import type { CliRun } from './cli-run.ts';

const BASE_URL = process.env.DATABASE_URL ?? '';

export interface CliTarget {
  /** Runs one command against the target. */
  run(...args: string[]): Promise<CliRun>;
  /** Opens the target's store (to seed or inspect it) and always closes it. */
  withStore<T>(use: (store: Store) => Promise<T>): Promise<T>;
  /** Removes the folder or drops the database, and puts DATABASE_URL back. */
  dispose(): Promise<void>;
}

interface Place {
  args: string[];
  databaseUrl: string | null;
  remove(): Promise<void>;
}

async function pglitePlace(): Promise<Place> {
  const dir = await mkdtemp(join(tmpdir(), 'bd-cli-'));
  return {
    args: ['--data-dir', join(dir, 'data')],
    databaseUrl: null,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgresPlace(): Promise<Place> {
  const name = `bd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;

  return {
    args: [],
    databaseUrl: url.toString(),
    remove: async () => {
      const c = new pg.Client({ connectionString: BASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function targetAt(place: Place): CliTarget {
  return {
    async run(...args) {
      if (place.databaseUrl) process.env.DATABASE_URL = place.databaseUrl;
      else delete process.env.DATABASE_URL;
      const out: string[] = [];
      let err = '';
      const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
        out.push(String(line));
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        err += String(chunk);
        return true;
      });
      try {
        const code = await main(['node', 'breachdesk', ...place.args, ...args]);
        return { code, out, err };
      } finally {
        log.mockRestore();
        stderr.mockRestore();
      }
    },
    async withStore(use) {
      const store = await openStore(
        place.databaseUrl ? { databaseUrl: place.databaseUrl } : { dataDir: place.args[1] ?? '' },
      );
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    },
    async dispose() {
      await place.remove();
      if (BASE_URL) process.env.DATABASE_URL = BASE_URL;
      else delete process.env.DATABASE_URL;
    },
  };
}

/** The two backends, the PostgreSQL one skipped without DATABASE_URL. */
export const CLI_TARGETS = [
  { name: 'pglite', skip: false, make: async () => targetAt(await pglitePlace()) },
  { name: 'postgres', skip: !BASE_URL, make: async () => targetAt(await postgresPlace()) },
] as const;

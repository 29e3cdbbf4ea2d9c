/**
 * Settings shared by every command. Each flag can also come from a BREACHDESK_* variable
 * (DATABASE_URL and SMTP_URL keep their conventional names).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { fail } from '../domain/errors.ts';
import { openStore, type Store } from '../store/db.ts';

export interface StoreFlags {
  dataDir?: string;
}

export function dataDirOf(flags: StoreFlags): string {
  return resolve(flags.dataDir ?? process.env.BREACHDESK_DATA_DIR ?? './.breachdesk');
}

/** Opens the configured store: PostgreSQL when DATABASE_URL is set, else PGlite in the folder. */
export function openConfiguredStore(flags: StoreFlags): Promise<Store> {
  return openStore({ dataDir: dataDirOf(flags), databaseUrl: process.env.DATABASE_URL || null });
}

/**
 * Opens the configured store only if it already exists: commands that check or export what is
 * stored must not answer "intact, 0 entries" from an empty database they just created because
 * the folder name was mistyped.
 */
export function openExistingStore(flags: StoreFlags): Promise<Store> {
  const dir = dataDirOf(flags);
  // PGlite keeps its cluster in `<data dir>/db` (src/store/db.ts).
  if (!process.env.DATABASE_URL && !existsSync(join(dir, 'db', 'PG_VERSION'))) {
    fail(
      'BD_CONFIG_INVALID',
      `no Breachdesk database in ${dir}; pass --data-dir (or BREACHDESK_DATA_DIR) naming the ` +
        'folder that holds it, or set DATABASE_URL',
      'dataDir',
    );
  }
  return openConfiguredStore(flags);
}

/** Where `.eml` files go when no SMTP server is configured. */
export function outboxDirOf(flags: StoreFlags): string {
  return resolve(dataDirOf(flags), 'outbox');
}

export function smtpUrl(): string | null {
  return process.env.SMTP_URL || null;
}

/**
 * Settings shared by every command. Each flag can also come from a BREACHDESK_* variable
 * (DATABASE_URL and SMTP_URL keep their conventional names).
 */
import { resolve } from 'node:path';
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

/** Where `.eml` files go when no SMTP server is configured. */
export function outboxDirOf(flags: StoreFlags): string {
  return resolve(dataDirOf(flags), 'outbox');
}

export function smtpUrl(): string | null {
  return process.env.SMTP_URL || null;
}

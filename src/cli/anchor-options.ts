/**
 * Where chain anchors are kept and how often `serve` takes one (docs/audit.md). The anchor
 * file must live outside the database; the default puts it in the data folder, beside the
 * embedded database rather than in it. Loads no database module: `audit verify --bundle`
 * uses these options and must run without one.
 */
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { fail } from '../domain/errors.ts';

export interface AnchorFlags {
  anchorFile?: string;
  anchorInterval?: string;
}

export function anchorFileOption(): Option {
  return new Option(
    '--anchor-file <file>',
    'append-only file of chain anchors (default: in the data folder)',
  ).env('BREACHDESK_AUDIT_ANCHORS');
}

/** Adds the anchor options of `serve`. */
export function addAnchorOptions(command: Command): Command {
  return command
    .addOption(anchorFileOption())
    .addOption(
      new Option('--anchor-interval <minutes>', 'minutes between chain anchors; 0 takes none')
        .env('BREACHDESK_AUDIT_ANCHOR_INTERVAL')
        .default('15'),
    );
}

/**
 * The anchor file: the option, else `<data-dir>/audit-anchors.ndjson` for the embedded
 * database, else `<data-dir>/audit-anchors-<database>.ndjson` on a PostgreSQL server (one
 * file per database, so that pointing DATABASE_URL elsewhere does not mix two chains).
 */
export function anchorFileOf(dataDir: string, anchorFile: string | undefined): string {
  if (anchorFile) return resolve(anchorFile);

  const url = process.env.DATABASE_URL;
  if (!url) return resolve(dataDir, 'audit-anchors.ndjson');
  let name = '';
  try {
    name = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  } catch {
    fail(
      'BD_CONFIG_INVALID',
      'DATABASE_URL is not a URL (postgres://host/database)',
      'databaseUrl',
    );
  }
  return resolve(dataDir, `audit-anchors-${name.replace(/[^\w.-]/g, '_')}.ndjson`);
}

/** Milliseconds between anchors, checked before anything is opened; 0 turns them off. */
export function anchorIntervalOf(text: string | undefined): number {
  const minutes = Number(text ?? '15');
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > 24 * 60) {
    fail(
      'BD_CONFIG_INVALID',
      '--anchor-interval must be a number of minutes from 0 (off) to 1440',
      'anchorInterval',
    );
  }
  return Math.round(minutes * 60_000);
}

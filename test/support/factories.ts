/**
 * Test data builders: each test states only what matters to it.
 */
import { sql } from 'drizzle-orm';
import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import type { Db } from '../../src/store/db.ts';
import { importTenants } from '../../src/tenants/import.ts';

export function buildTenant(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    name: `${id} GmbH`,
    language: 'en',
    contractHours: null,
    jurisdictions: ['EU'],
    resources: [
      { kind: 'bucket', value: `${id}-data`, dataCategories: ['customer contact details'] },
    ],
    breachContacts: [{ name: `Privacy Officer ${id}`, email: `dpo@${id}.example`, language: 'en' }],
    accountTeam: [
      { role: 'account_manager', name: `AM ${id}`, email: `am-${id}@provider.example` },
    ],
    ...over,
  };
}

export async function seedTenants(db: Db, ids: string[]): Promise<void> {
  await importTenants(db, { tenants: ids.map((id) => buildTenant(id)) }, cliActor('admin'));
}

/** One Suricata EVE alert line; vary signature or addresses to get distinct fingerprints. */
export function buildEveAlert(
  over: { sid?: number; src?: string; dest?: string; ts?: string } = {},
) {
  return {
    timestamp: over.ts ?? '2026-11-30T08:15:02.123456+0000',
    flow_id: 1234567,
    event_type: 'alert',
    src_ip: over.src ?? '203.0.113.9',
    src_port: 44321,
    dest_ip: over.dest ?? '10.0.0.5',
    dest_port: 443,
    proto: 'TCP',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: over.sid ?? 9000001,
      rev: 1,
      signature: 'TEST possible data exfiltration',
      category: 'Potential Corporate Privacy Violation',
      severity: 1,
    },
  };
}

/** Ingests alerts and returns the id of the investigation the first one opened. */
export async function openInvestigation(db: Db, alert = buildEveAlert()): Promise<string> {
  const summary = await ingestRecords(db, adapterFor('suricata'), [{ line: 1, record: alert }], {
    actor: cliActor('admin'),
    keepAllResults: true,
  });
  const first = summary.results[0];
  if (!first || !('investigationId' in first) || first.investigationId === null)
    throw new Error('alert did not open an investigation');
  return first.investigationId;
}

const TABLES = [
  'tenants',
  'tenant_resources',
  'breach_contacts',
  'account_team',
  'investigations',
  'signals',
  'ratings',
  'transitions',
  'scoping_runs',
  'scoped_tenants',
  'clocks',
  'notices',
  'outbox',
  'audit_log',
];

/** Row counts and a digest of every table, to prove that a refused request changed nothing. */
export async function snapshot(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text AS n, ` +
          `md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${t} x`,
      ),
    );
    const row = (res as { rows: { n: string; d: string }[] }).rows[0];
    out[t] = `${row?.n}:${row?.d}`;
  }
  return out;
}

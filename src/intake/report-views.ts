/**
 * Reading reports back. A tenant user sees the customer reports of its own tenant and nothing
 * else: another tenant's report, or any internal one, is "not found", never "forbidden", so
 * that its existence is not revealed. Staff see any report with where triage took it; other
 * roles see the reports they filed themselves.
 */
import { and, desc, eq, type SQL } from 'drizzle-orm';

import type { Actor } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import type { Role } from '../domain/types.ts';
import { type Db, iso } from '../store/db.ts';
import { signals } from '../store/schema.ts';
import { REPORT_SOURCE } from './reports.ts';

const STAFF_READERS: ReadonlySet<Role> = new Set([
  'admin',
  'incident_manager',
  'executive_incident_manager',
  'responder',
  'investigator',
  'legal',
  'auditor',
]);

/** Most reports one listing returns, newest first. */
export const REPORT_LIST_MAX = 500;

type SignalRow = typeof signals.$inferSelect;

/** What the reporter sent, as they may see it again. */
export function reportView(row: SignalRow) {
  const raw = (row.raw ?? {}) as { description?: unknown };
  return {
    id: row.id,
    kind: row.sourceKind,
    title: row.title,
    description: typeof raw.description === 'string' ? raw.description : null,
    severity: row.severity,
    host: row.host,
    principal: row.principal,
    occurredAt: iso(row.occurredAt),
    receivedAt: iso(row.receivedAt),
    reporter: row.reporter,
  };
}

/** The reporter's view plus where triage took the report, for staff. */
export function staffReportView(row: SignalRow) {
  return {
    ...reportView(row),
    tenantId: row.tenantId,
    exerciseId: row.exerciseId,
    investigationId: row.investigationId,
    duplicate: row.duplicate,
    suppressedBy: row.suppressedBy,
  };
}

/** Which reports `actor` may see: all for staff, the tenant's own, or the actor's own. */
function visibleTo(actor: Actor): SQL | undefined {
  if (actor.role === 'tenant_admin') {
    // A tenant token without a tenant would see nothing; tokens.ts never issues one.
    return and(
      eq(signals.tenantId, actor.tenantId ?? ''),
      eq(signals.sourceKind, 'customer_report'),
    );
  }
  return STAFF_READERS.has(actor.role) ? undefined : eq(signals.reporter, actor.id);
}

/** One report by id, or BD_NOT_FOUND when there is none the actor may see. */
export async function getReport(db: Db, actor: Actor, id: string) {
  const [row] = await db
    .select()
    .from(signals)
    .where(and(eq(signals.id, id), eq(signals.source, REPORT_SOURCE), visibleTo(actor)));
  if (!row) fail('BD_NOT_FOUND', `report ${id} not found`, 'reportId');

  return STAFF_READERS.has(actor.role) ? staffReportView(row) : reportView(row);
}

/**
 * The reports of the actor's tenant (tenant users) or filed by the actor (anyone else),
 * newest first, at most REPORT_LIST_MAX.
 */
export async function listMyReports(db: Db, actor: Actor, limit = REPORT_LIST_MAX) {
  const mine = actor.role === 'tenant_admin' ? visibleTo(actor) : eq(signals.reporter, actor.id);
  const rows = await db
    .select()
    .from(signals)
    .where(and(eq(signals.source, REPORT_SOURCE), mine))
    .orderBy(desc(signals.receivedAt), desc(signals.id))
    .limit(Math.min(limit, REPORT_LIST_MAX));

  return rows.map((r) => (STAFF_READERS.has(actor.role) ? staffReportView(r) : reportView(r)));
}

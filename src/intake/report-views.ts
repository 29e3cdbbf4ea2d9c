/**
 * Reading reports back (`report.read` in src/auth/policy.ts). A tenant user sees the customer
 * reports of its own tenant and nothing else: another tenant's report, or any internal one, is
 * "not found", never "forbidden", so that its existence is not revealed (and the attempt is
 * audited). Staff who read investigations see any report with where triage took it; the
 * account team and reporters see the reports they filed themselves.
 */
import { and, desc, eq, type SQL } from 'drizzle-orm';

import type { Actor } from '../auth/actor.ts';
import { assertCan, type Ownership, scopeOf } from '../auth/policy.ts';
import { assertObjectAccess } from '../auth/tenant-access.ts';
import { fail } from '../domain/errors.ts';
import { type Db, iso } from '../store/db.ts';
import { signals } from '../store/schema.ts';
import { REPORT_SOURCE } from './reports.ts';

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

// Only those who read every report see where triage took one.
function seesTriage(actor: Actor): boolean {
  return scopeOf(actor, 'report.read') === 'all';
}

/** Whose a report is: a customer report its tenant's, any report its reporter's. */
function ownerOf(row: SignalRow): Ownership {
  const customer = row.sourceKind === 'customer_report' && row.tenantId !== null;
  return { tenantIds: customer && row.tenantId ? [row.tenantId] : [], actorId: row.reporter };
}

/** One report by id, or BD_NOT_FOUND when there is none the actor may see. */
export async function getReport(db: Db, actor: Actor, id: string) {
  const [row] = await db
    .select()
    .from(signals)
    .where(and(eq(signals.id, id), eq(signals.source, REPORT_SOURCE)));
  if (!row) fail('BD_NOT_FOUND', `report ${id} not found`, 'reportId');
  await assertObjectAccess(db, actor, 'report.read', { kind: 'report', id }, ownerOf(row));

  return seesTriage(actor) ? staffReportView(row) : reportView(row);
}

/** The reports `actor` calls its own: its tenant's customer reports, or those it filed. */
function mineFor(actor: Actor): SQL | undefined {
  if (scopeOf(actor, 'report.read') !== 'own_tenant') return eq(signals.reporter, actor.id);

  // A tenant token without a tenant would see nothing; tokens.ts never issues one.
  return and(eq(signals.tenantId, actor.tenantId ?? ''), eq(signals.sourceKind, 'customer_report'));
}

/**
 * The reports of the actor's tenant (tenant users) or filed by the actor (anyone else),
 * newest first, at most REPORT_LIST_MAX.
 */
export async function listMyReports(db: Db, actor: Actor, limit = REPORT_LIST_MAX) {
  assertCan(actor, 'report.read');

  const rows = await db
    .select()
    .from(signals)
    .where(and(eq(signals.source, REPORT_SOURCE), mineFor(actor)))
    .orderBy(desc(signals.receivedAt), desc(signals.id))
    .limit(Math.min(limit, REPORT_LIST_MAX));

  return rows.map((r) => (seesTriage(actor) ? staffReportView(r) : reportView(r)));
}

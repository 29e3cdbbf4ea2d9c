/**
 * Reading stored scoping results: which tenants the latest run found affected, and how.
 * Notices and clocks follow the latest run, so re-running scoping changes who is notified.
 */
import { desc, eq } from 'drizzle-orm';
import type { Conn } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { scopedTenants, scopingRuns, tenants } from '../store/schema.ts';
import type { ScopeActivity } from './types.ts';

export interface AffectedTenant {
  tenantId: string;
  tenantName: string;
  language: string;
  contractHours: number | null;
  events: number;
  resources: number;
  objects: number;
  subjects: number | null;
  firstAccess: string;
  lastAccess: string;
  actions: string[];
  sampleObjects: string[];
  touchedResources: string[];
  /** Events over time; null for runs stored before it was recorded. */
  activity: ScopeActivity | null;
}

/** The affected tenants of the investigation's latest scoping run (empty if never scoped). */
export async function latestAffectedTenants(
  conn: Conn,
  investigationId: string,
): Promise<{ runId: string | null; tenants: AffectedTenant[] }> {
  const [run] = await conn
    .select({ id: scopingRuns.id })
    .from(scopingRuns)
    .where(eq(scopingRuns.investigationId, investigationId))
    .orderBy(desc(scopingRuns.at), desc(scopingRuns.id))
    .limit(1);
  if (!run) return { runId: null, tenants: [] };

  const rows = await conn
    .select({ scope: scopedTenants, tenant: tenants })
    .from(scopedTenants)
    .innerJoin(tenants, eq(tenants.id, scopedTenants.tenantId))
    .where(eq(scopedTenants.scopingRunId, run.id))
    .orderBy(tenants.id);

  return {
    runId: run.id,
    tenants: rows.map(({ scope, tenant }) => ({
      tenantId: tenant.id,
      tenantName: tenant.name,
      language: tenant.language,
      contractHours: tenant.contractHours,
      events: scope.events,
      resources: scope.resources,
      objects: scope.objects,
      subjects: scope.subjects,
      firstAccess: iso(scope.firstAccess),
      lastAccess: iso(scope.lastAccess),
      actions: scope.actions,
      sampleObjects: scope.sampleObjects,
      touchedResources: scope.touchedResources,
      activity: scope.activity ?? null,
    })),
  };
}

/**
 * Scoping an investigation: run the engine over the logs with the tenants' resources, store
 * the per-tenant result on the investigation, and, once declared, bring its clocks and
 * notice drafts in line with who is now known to be affected.
 */
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { ensureClocks } from '../investigations/clocks.ts';
import { lockInvestigation } from '../investigations/workflow.ts';
import { fail } from '../domain/errors.ts';
import { syncDrafts } from '../notify/drafts.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { scopedTenants, scopingRuns, tenantResources } from '../store/schema.ts';
import { runScope } from './engine.ts';
import { parseIndicators } from './indicators.ts';
import { checkPathText } from './path-text.ts';
import type { ScopeResult, TenantResource } from './types.ts';

export interface ScopeRequest {
  paths: string[];
  format: 'cloudtrail' | 'ndjson';
  indicators: unknown;
}

/** Scopes one investigation and stores the result as its latest scoping run. */
export async function scopeInvestigation(
  db: Db,
  actor: Actor,
  investigationId: string,
  req: ScopeRequest,
): Promise<{ runId: string; result: ScopeResult }> {
  assertCan(actor, 'scoping.run');
  checkPathText(req.paths);
  const indicators = parseIndicators(req.indicators);

  const rows = await db.select().from(tenantResources);
  const resources: TenantResource[] = rows.map((r) => ({
    tenantId: r.tenantId,
    kind: r.kind as TenantResource['kind'],
    value: r.value,
  }));
  // The logs are read before the transaction opens: scoping can take a while.
  const result = await runScope({ paths: req.paths, format: req.format, indicators, resources });

  const runId = newId();
  await db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, investigationId);
    if (inv.stage === 'close')
      fail('BD_STAGE_PRECONDITION', 'the investigation is closed', 'stage');

    await tx.insert(scopingRuns).values({
      id: runId,
      investigationId,
      format: req.format,
      paths: req.paths,
      indicators,
      summary: {
        files: result.files.length,
        eventsScanned: result.eventsScanned,
        eventsMatched: result.eventsMatched,
        unmapped: result.unmapped,
      },
      actor: actorLabel(actor),
      at: new Date().toISOString(),
    });
    if (result.tenants.length > 0) {
      await tx.insert(scopedTenants).values(
        result.tenants.map((t) => ({
          scopingRunId: runId,
          tenantId: t.tenantId,
          events: t.events,
          resources: t.resources,
          objects: t.objects,
          subjects: t.subjects ?? null,
          firstAccess: t.firstAccess,
          lastAccess: t.lastAccess,
          actions: t.actions,
          sampleObjects: t.sampleObjects,
          touchedResources: t.touchedResources,
          activity: t.activity,
        })),
      );
    }
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.scoped',
      entityType: 'investigation',
      entityId: investigationId,
      data: {
        runId,
        files: result.files.length,
        eventsMatched: result.eventsMatched,
        tenants: result.tenants.map((t) => ({
          tenantId: t.tenantId,
          events: t.events,
          objects: t.objects,
        })),
      },
    });

    await ensureClocks(tx, investigationId, actor);
    await syncDrafts(tx, investigationId, actor);
  });

  return { runId, result };
}

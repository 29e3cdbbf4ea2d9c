/**
 * Keeps an investigation's notification clocks in step with what is known: one clock per
 * (investigation, regime, filing, tenant), created once and never duplicated by a re-run.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { gdprClocks } from '../domain/deadlines.ts';
import type { Conn, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { clocks, investigations } from '../store/schema.ts';
import { latestAffectedTenants } from '../scoping/results.ts';

export interface StoredClock {
  id: string;
  regime: string;
  filing: string;
  tenantId: string | null;
  startsAt: string | null;
  /** Null for a duty "without undue delay", which has no date. */
  due: string | null;
  source: string;
  status: string;
  metAt: string | null;
  lateSince: string | null;
}

/** Creates the clocks a declared investigation owes and does not have yet. */
export async function ensureClocks(tx: Tx, investigationId: string, actor: Actor): Promise<void> {
  const [inv] = await tx
    .select({ awareAt: investigations.awareAt })
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!inv?.awareAt) return;

  const affected = await latestAffectedTenants(tx, investigationId);
  const wanted = gdprClocks({
    awareAt: iso(inv.awareAt),
    tenants: affected.tenants.map((t) => ({
      tenantId: t.tenantId,
      contractHours: t.contractHours,
    })),
  });

  for (const c of wanted) {
    const inserted = await tx
      .insert(clocks)
      .values({
        id: newId(),
        investigationId,
        regime: c.regime,
        filing: c.filing,
        tenantKey: c.tenantId ?? '',
        startsAt: c.startsAt,
        due: c.due,
        source: c.source,
      })
      .onConflictDoNothing()
      .returning({ id: clocks.id });
    if (inserted.length === 0) continue;

    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'clock.started',
      entityType: 'investigation',
      entityId: investigationId,
      data: { regime: c.regime, filing: c.filing, tenantId: c.tenantId, due: c.due },
    });
  }
}

/** The investigation's clocks, nearest deadline first. */
export async function listClocks(conn: Conn, investigationId: string): Promise<StoredClock[]> {
  const rows = await conn
    .select()
    .from(clocks)
    .where(eq(clocks.investigationId, investigationId))
    .orderBy(asc(clocks.due), asc(clocks.tenantKey));

  return rows.map((r) => ({
    id: r.id,
    regime: r.regime,
    filing: r.filing,
    tenantId: r.tenantKey === '' ? null : r.tenantKey,
    startsAt: iso(r.startsAt),
    due: iso(r.due),
    source: r.source,
    status: r.status,
    metAt: iso(r.metAt),
    lateSince: iso(r.lateSince),
  }));
}

/** Marks a tenant's controller clock met, the first time its notice reached a contact. */
export async function markControllerClockMet(
  tx: Tx,
  investigationId: string,
  tenantId: string,
  at: string,
): Promise<boolean> {
  const updated = await tx
    .update(clocks)
    .set({ metAt: at })
    .where(
      and(
        eq(clocks.investigationId, investigationId),
        eq(clocks.regime, 'gdpr-33-2'),
        eq(clocks.tenantKey, tenantId),
        // Only the first delivery meets the clock; later ones must not move it.
        isNull(clocks.metAt),
      ),
    )
    .returning({ id: clocks.id });
  return updated.length > 0;
}

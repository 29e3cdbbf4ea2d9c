/**
 * The notices sent to one tenant, for its portal: each with its first delivery time and the
 * state of its messages. The same rules as reading one notice apply (auth/notice-access.ts):
 * a tenant admin sees only its own tenant's approved tenant-audience notices, and only while
 * the tenant is in the investigation's latest scoping run. Another tenant answers 404.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { noticeOwnership } from '../auth/notice-access.ts';
import { scopeOf } from '../auth/policy.ts';
import { assertObjectAccess } from '../auth/tenant-access.ts';
import { fail } from '../domain/errors.ts';
import { latestAffectedTenants } from '../scoping/results.ts';
import { type Db, iso } from '../store/db.ts';
import { notices, outbox, tenants } from '../store/schema.ts';

export interface TenantNotice {
  id: string;
  investigationId: string;
  audience: string;
  phase: number;
  status: string;
  subject: string;
  approvedAt: string | null;
  /** When the first message of the notice was delivered; null while none has been. */
  sentAt: string | null;
  /** Messages by state (sent, queued, sending, failed, uncertain, withdrawn). */
  delivery: Record<string, number>;
}

export async function listTenantNotices(
  db: Db,
  actor: Actor,
  tenantId: string,
): Promise<TenantNotice[]> {
  const [tenant] = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  await assertObjectAccess(
    db,
    actor,
    'notice.read',
    { kind: 'tenant', id: tenantId },
    { tenantIds: tenant ? [tenant.id] : [] },
  );
  if (!tenant) fail('BD_NOT_FOUND', `tenant ${tenantId} not found`, 'tenantId');

  const rows = await db
    .select()
    .from(notices)
    .where(eq(notices.tenantId, tenantId))
    .orderBy(desc(notices.createdAt), desc(notices.id));
  const shown = await visibleTo(db, actor, rows);
  if (shown.length === 0) return [];

  const messages = await db
    .select({ noticeId: outbox.noticeId, status: outbox.status, sentAt: outbox.sentAt })
    .from(outbox)
    .where(
      and(
        eq(outbox.tenantId, tenantId),
        inArray(
          outbox.noticeId,
          shown.map((n) => n.id),
        ),
      ),
    );

  return shown.map((n) => {
    const mine = messages.filter((m) => m.noticeId === n.id);
    const delivery: Record<string, number> = {};
    for (const m of mine) delivery[m.status] = (delivery[m.status] ?? 0) + 1;
    const sent = mine
      .map((m) => iso(m.sentAt))
      .filter((s): s is string => s !== null)
      .sort();
    return {
      id: n.id,
      investigationId: n.investigationId,
      audience: n.audience,
      phase: n.phase,
      status: n.status,
      subject: n.subject,
      approvedAt: iso(n.approvedAt),
      sentAt: sent[0] ?? null,
      delivery,
    };
  });
}

type NoticeRow = typeof notices.$inferSelect;

// Staff read every notice; outside roles only those noticeOwnership shows them.
async function visibleTo(db: Db, actor: Actor, rows: NoticeRow[]): Promise<NoticeRow[]> {
  if (scopeOf(actor, 'notice.read') === 'all') return rows;

  const scoped = new Map<string, Set<string>>();
  const out: NoticeRow[] = [];
  for (const n of rows) {
    let tenantsInScope = scoped.get(n.investigationId);
    if (!tenantsInScope) {
      const latest = await latestAffectedTenants(db, n.investigationId);
      tenantsInScope = new Set(latest.tenants.map((t) => t.tenantId));
      scoped.set(n.investigationId, tenantsInScope);
    }
    const owner = noticeOwnership(n, actor.role, tenantsInScope.has(n.tenantId));
    if (owner.tenantIds.includes(n.tenantId)) out.push(n);
  }
  return out;
}

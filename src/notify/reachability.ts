/**
 * Whether each affected tenant has actually been reached (DESIGN.md §1.6: "a failed contact
 * is visible, never silently dropped"). A tenant none of whose breach contacts could be
 * reached, or that has no breach contact at all, is "not notified": the incident manager is
 * alerted, and its GDPR Art. 33(2) clock stays open, so the miss counts against its deadline.
 */
import { and, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import type { Conn, Db, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { breachContacts, clocks, notices, outbox, staffAlerts } from '../store/schema.ts';
import { raiseStaffAlert } from './staff-alerts.ts';

const ACTOR = 'system:outbox-worker';

export type NotificationStateName = 'notified' | 'pending' | 'not_notified';

/** A breach contact that could not be reached, with what the mail system answered. */
export interface FailedRecipient {
  outboxId: string;
  noticeId: string;
  name: string;
  email: string;
  response: string | null;
  /** Set when the failure arrived later as a delivery status notification. */
  bouncedAt: string | null;
}

/** Where one tenant of an investigation stands. */
export interface TenantNotificationState {
  tenantId: string;
  state: NotificationStateName;
  failedRecipients: FailedRecipient[];
}

/**
 * Per affected tenant (one with a tenant notice in the investigation; red-team exercise
 * notices are never sent and are left out): 'notified' once a message reached one of its
 * breach contacts and did not bounce; 'pending' while a message or an unapproved notice is
 * still on its way; 'not_notified' when every message to its breach contacts failed or
 * bounced, or when it has no breach contact at all.
 */
export async function notificationState(
  conn: Conn,
  investigationId: string,
): Promise<TenantNotificationState[]> {
  const tenantNotices = await conn
    .select({ id: notices.id, tenantId: notices.tenantId })
    .from(notices)
    .where(
      and(
        eq(notices.investigationId, investigationId),
        eq(notices.audience, 'tenant'),
        eq(notices.exercise, false),
      ),
    );
  if (tenantNotices.length === 0) return [];

  const rows = await conn
    .select({
      id: outbox.id,
      noticeId: outbox.noticeId,
      tenantId: outbox.tenantId,
      name: outbox.recipientName,
      email: outbox.recipientEmail,
      status: outbox.status,
      response: outbox.lastResponse,
      bouncedAt: outbox.bouncedAt,
    })
    .from(outbox)
    .innerJoin(notices, eq(notices.id, outbox.noticeId))
    .where(
      and(
        eq(notices.investigationId, investigationId),
        eq(notices.audience, 'tenant'),
        eq(outbox.recipientKind, 'breach_contact'),
        // A message withdrawn before sending (its contact was removed) addressed nobody.
        ne(outbox.status, 'withdrawn'),
      ),
    )
    .orderBy(outbox.recipientEmail);
  const contactCounts = await conn
    .select({ tenantId: breachContacts.tenantId, n: sql<number>`count(*)::int` })
    .from(breachContacts)
    .where(
      sql`${breachContacts.tenantId} IN (SELECT tenant_id FROM notices WHERE investigation_id = ${investigationId})`,
    )
    .groupBy(breachContacts.tenantId);
  const contacts = new Map(contactCounts.map((c) => [c.tenantId, Number(c.n)]));

  const tenantIds = [...new Set(tenantNotices.map((n) => n.tenantId))].sort();
  return tenantIds.map((tenantId) => {
    const mine = rows.filter((r) => r.tenantId === tenantId);
    const failedRecipients = mine
      .filter((r) => r.status === 'failed')
      .map((r) => ({
        outboxId: r.id,
        noticeId: r.noticeId,
        name: r.name,
        email: r.email,
        response: r.response,
        bouncedAt: iso(r.bouncedAt),
      }));
    return {
      tenantId,
      state: stateOf(mine, contacts.get(tenantId) ?? 0),
      failedRecipients,
    };
  });
}

function stateOf(
  rows: { status: string; bouncedAt: string | null }[],
  contactCount: number,
): NotificationStateName {
  if (rows.some((r) => r.status === 'sent' && r.bouncedAt === null)) return 'notified';
  if (rows.some((r) => r.status === 'queued' || r.status === 'sending')) return 'pending';
  if (rows.length > 0) return 'not_notified';

  // Nothing queued yet: a draft waiting for approval, unless there is nobody to send it to.
  return contactCount === 0 ? 'not_notified' : 'pending';
}

/**
 * Called after a breach-contact message of `noticeId` failed for good (a 5xx, retries
 * exhausted, or a bounce). The tenant's controller clock is settled on the deliveries that
 * still stand (reopened when none does, so that the miss counts against its deadline), and
 * when every breach-contact message of the notice has failed, the incident manager is alerted
 * (once per notice).
 */
export async function checkNoticeReached(tx: Tx, noticeId: string, at: Date): Promise<void> {
  const [notice] = await tx
    .select({
      investigationId: notices.investigationId,
      tenantId: notices.tenantId,
      audience: notices.audience,
      phase: notices.phase,
    })
    .from(notices)
    .where(eq(notices.id, noticeId));
  if (!notice || notice.audience !== 'tenant') return;

  const statuses = await tx
    .select({ status: outbox.status, email: outbox.recipientEmail })
    .from(outbox)
    .where(
      and(
        eq(outbox.noticeId, noticeId),
        eq(outbox.recipientKind, 'breach_contact'),
        ne(outbox.status, 'withdrawn'),
      ),
    );
  // Whatever the other messages are doing (a follow-up may still be queued or held), the
  // controller clock stands only on a delivery that reached someone.
  await settleControllerClock(tx, notice.investigationId, notice.tenantId, noticeId, at);
  if (statuses.length === 0 || statuses.some((s) => s.status !== 'failed')) return;

  await raiseStaffAlert(tx, {
    kind: 'not_notified',
    investigationId: notice.investigationId,
    dedupKey: `not-notified:${noticeId}`,
    subject: `Tenant ${notice.tenantId} NOT notified: no breach contact could be reached`,
    body:
      `Every breach contact of tenant ${notice.tenantId} failed for notice ${noticeId} ` +
      `(phase ${notice.phase}): ${statuses.map((s) => s.email).join(', ')}.\n\n` +
      'The notification deadline keeps running. Obtain a working contact from the tenant and ' +
      `have it added (tenant admin: POST /api/v1/tenants/${notice.tenantId}/contacts): the ` +
      'notice then goes to it, and to no address that already failed. A failed address that ' +
      'has since been fixed is tried again once it is removed and added again.',
    at,
  });
}

/**
 * GDPR Art. 33(2): a delivery that bounced did not notify the controller, so a clock met by
 * deliveries rests on the first one to a breach contact of the tenant that still stands
 * (sent, never bounced). When there is none, however many messages (a follow-up) are still on
 * their way, the clock is open again ('required'); when it is a later one, met_at moves to
 * it, and a due instant it missed is recorded as lateness. The due moment and any recorded
 * lateness are never erased, and the audit entry keeps when the clock had been met. A clock
 * met by a filing recorded by hand (obligations.ts recordFiling: the controller was told
 * another way) is left met: a bounced e-mail does not undo a notification made by other means.
 */
async function settleControllerClock(
  tx: Tx,
  investigationId: string,
  tenantId: string,
  noticeId: string,
  at: Date,
): Promise<void> {
  const met = await tx
    .select({ id: clocks.id, metAt: clocks.metAt })
    .from(clocks)
    .where(
      and(
        eq(clocks.investigationId, investigationId),
        eq(clocks.regime, 'gdpr-33-2'),
        eq(clocks.tenantKey, tenantId),
        isNotNull(clocks.metAt),
        sql`${clocks.decision} -> 'filing' IS NULL`,
      ),
    )
    .for('update');
  if (met.length === 0) return;

  const reached = await firstStandingDelivery(tx, investigationId, tenantId);
  if (reached !== null) {
    await moveMetAt(tx, investigationId, met, reached, noticeId, at);
    return;
  }

  await tx
    .update(clocks)
    .set({
      metAt: null,
      status: sql`CASE WHEN ${clocks.status} = 'met' THEN 'required' ELSE ${clocks.status} END`,
      updatedAt: at.toISOString(),
    })
    .where(
      inArray(
        clocks.id,
        met.map((c) => c.id),
      ),
    );
  await appendAudit(tx, {
    actor: ACTOR,
    action: 'clock.reopened',
    entityType: 'investigation',
    entityId: investigationId,
    data: {
      clockIds: met.map((c) => c.id),
      previouslyMetAt: met.map((c) => ({ clockId: c.id, metAt: iso(c.metAt) })),
      tenantId,
      noticeId,
      reason: 'every delivery to a breach contact of the tenant so far failed or bounced',
    },
    at,
  });
}

/** When a message first reached a breach contact of the tenant and did not bounce, or null. */
async function firstStandingDelivery(
  tx: Tx,
  investigationId: string,
  tenantId: string,
): Promise<string | null> {
  const [row] = await tx
    .select({ at: sql<string | Date | null>`min(${outbox.sentAt})` })
    .from(outbox)
    .innerJoin(notices, eq(notices.id, outbox.noticeId))
    .where(
      and(
        eq(notices.investigationId, investigationId),
        eq(notices.audience, 'tenant'),
        eq(outbox.tenantId, tenantId),
        eq(outbox.recipientKind, 'breach_contact'),
        eq(outbox.status, 'sent'),
        isNull(outbox.bouncedAt),
      ),
    );
  return row?.at ? iso(row.at) : null;
}

async function moveMetAt(
  tx: Tx,
  investigationId: string,
  met: { id: string; metAt: string | null }[],
  reached: string,
  noticeId: string,
  at: Date,
): Promise<void> {
  const moved = met.filter((c) => iso(c.metAt) !== reached);
  if (moved.length === 0) return;

  await tx
    .update(clocks)
    .set({
      metAt: reached,
      lateSince: sql`COALESCE(${clocks.lateSince},
        CASE WHEN ${reached}::timestamptz > ${clocks.due} THEN ${clocks.due} END)`,
      updatedAt: at.toISOString(),
    })
    .where(
      inArray(
        clocks.id,
        moved.map((c) => c.id),
      ),
    );
  await appendAudit(tx, {
    actor: ACTOR,
    action: 'clock.met_moved',
    entityType: 'investigation',
    entityId: investigationId,
    data: {
      moved: moved.map((c) => ({ clockId: c.id, from: iso(c.metAt), to: reached })),
      noticeId,
      reason: 'the delivery that met it bounced; the first one still standing met it',
    },
    at,
  });
}

/**
 * Alerts, once per notice, about tenant notices that can never be sent because the tenant
 * has no breach contact at all (approval refuses them with BD_NOTICE_NO_RECIPIENTS). Returns
 * how many alerts it raised. Run by the worker on every pass; cheap when there are none.
 */
export async function alertTenantsWithoutContacts(db: Db, at = new Date()): Promise<number> {
  const result: unknown = await db.execute(sql`
    SELECT n.id, n.investigation_id AS "investigationId", n.tenant_id AS "tenantId"
    FROM ${notices} n
    WHERE n.audience = 'tenant' AND NOT n.exercise
      AND NOT EXISTS (SELECT 1 FROM ${breachContacts} c WHERE c.tenant_id = n.tenant_id)
      AND NOT EXISTS (SELECT 1 FROM ${outbox} o WHERE o.notice_id = n.id)
      AND NOT EXISTS (
        SELECT 1 FROM ${staffAlerts} a WHERE a.dedup_key = 'not-notified:' || n.id)`);
  const found = (result as { rows: { id: string; investigationId: string; tenantId: string }[] })
    .rows;

  let raised = 0;
  for (const n of found) {
    const created = await db.transaction((tx) =>
      raiseStaffAlert(tx, {
        kind: 'not_notified',
        investigationId: n.investigationId,
        dedupKey: `not-notified:${n.id}`,
        subject: `Tenant ${n.tenantId} NOT notified: it has no breach contact`,
        body:
          `Tenant ${n.tenantId} is affected but has no breach contact, so notice ${n.id} ` +
          'cannot be sent. The notification deadline keeps running. Obtain a contact from ' +
          'the tenant, add it, and approve the notice.',
        at,
      }),
    );
    if (created) raised += 1;
  }
  return raised;
}

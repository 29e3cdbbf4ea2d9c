/**
 * Who a notice is sent to. Approval writes one outbox row per recipient (approve.ts), but a
 * tenant's breach contacts can change while its notice waits: under a hold, between retries,
 * or after every message failed. The contacts that count are those at the time of sending,
 * so each change of a tenant's contacts re-resolves its notices in the same transaction: a
 * message still waiting for a removed contact is withdrawn, and a contact added gets a message
 * of its own while the notice has messages waiting or has reached nobody yet. Releasing a hold
 * re-resolves too. An incident manager can also resend a notice to the current contacts it
 * has not reached (resendNotice). docs/delivery.md, "Recipients", says what this promises.
 */
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import type { NoticeFacts } from '../domain/notice-content.ts';
import type { Db, Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { accountTeam, breachContacts, notices, outbox, tenants } from '../store/schema.ts';
import { contactAddressKey } from '../tenants/contact-address.ts';
import { buildMessageId, mailDomain } from './message.ts';
import { checkNoticeReached } from './reachability.ts';
import { raiseStaffAlert } from './staff-alerts.ts';

type NoticeRow = typeof notices.$inferSelect;
type OutboxRow = typeof outbox.$inferSelect;

/** One addressee of a notice, as the outbox stores it. */
export interface Recipient {
  kind: 'breach_contact' | 'account_team' | 'authority';
  id: string;
  name: string;
  email: string;
}

/** What changed the contacts, for the audit entry and the withdrawn message's last answer. */
export interface RecipientChange {
  actor: string;
  reason: string;
  at: Date;
}

// Messages not yet at a final outcome: a worker may still send them.
const WAITING = ['queued', 'sending'];

/** Who the notice is addressed to now. */
export async function recipientsFor(tx: Tx, notice: NoticeRow): Promise<Recipient[]> {
  const { tenantId, audience } = notice;
  // The operator named the authority's mailbox when drafting (authority-notice.ts).
  if (audience === 'authority') {
    const to = (notice.facts as Pick<NoticeFacts, 'addressee'> | null)?.addressee;
    return to ? [{ kind: 'authority', id: 'authority', name: to.name, email: to.email }] : [];
  }
  if (audience === 'tenant') {
    const rows = await tx
      .select()
      .from(breachContacts)
      .where(eq(breachContacts.tenantId, tenantId))
      .orderBy(asc(breachContacts.createdAt), asc(breachContacts.id));
    return oncePerAddress(
      rows.map((c) => ({ kind: 'breach_contact', id: c.id, name: c.name, email: c.email })),
    );
  }

  if (audience !== 'account_team') return [];
  const rows = await tx.select().from(accountTeam).where(eq(accountTeam.tenantId, tenantId));
  return oncePerAddress(
    rows.map((m) => ({ kind: 'account_team', id: m.id, name: m.name, email: m.email })),
  );
}

// Contacts stored before duplicates were refused (tenants/contacts.ts) may name one mailbox
// twice: it gets one message, addressed to the first of them.
function oncePerAddress(list: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const key = contactAddressKey(r.email);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The queued outbox row of one message. Its Message-ID is fixed by (notice, recipient), so a
 * row added later has an id of its own and every attempt of it carries the same one.
 */
export function outboxRowFor(notice: Pick<NoticeRow, 'id' | 'tenantId'>, r: Recipient, at: string) {
  return {
    id: newId(),
    noticeId: notice.id,
    tenantId: notice.tenantId,
    recipientKind: r.kind,
    recipientId: r.id,
    recipientName: r.name,
    recipientEmail: r.email,
    messageId: buildMessageId(notice.id, r.id, mailDomain()),
    status: 'queued',
    nextAttemptAt: at,
    createdAt: at,
  };
}

/**
 * Orders work on a tenant's recipients: 'share' for approving or resending (reads the
 * contacts), 'no key update' for changing them. Taken before the contacts are read, so an
 * approval and a contact change never each miss the other's rows.
 */
export async function lockTenantRecipients(
  tx: Tx,
  tenantId: string,
  mode: 'share' | 'no key update',
): Promise<void> {
  await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).for(mode);
}

// An address has the notice when a message to it is on its way or was delivered (a bounce
// turns 'sent' into 'failed'); a failed or withdrawn one does not count, so an address that
// was fixed and added again is tried afresh. The unique (notice, recipient) index forbids a
// second row for the same contact in any case.
function notYetAddressed(recipients: Recipient[], rows: OutboxRow[]): Recipient[] {
  const ids = new Set(rows.map((r) => r.recipientId));
  const emails = new Set(
    rows
      .filter((r) => [...WAITING, 'sent'].includes(r.status))
      .map((r) => contactAddressKey(r.recipientEmail)),
  );

  const out: Recipient[] = [];
  for (const r of recipients) {
    const email = contactAddressKey(r.email);
    if (ids.has(r.id) || emails.has(email)) continue;
    emails.add(email);
    out.push(r);
  }
  return out;
}

/**
 * Re-resolves the tenant's notices against its breach contacts now, in the caller's
 * transaction: withdraws every message still waiting for a contact that no longer exists,
 * and gives each contact without one a message of the notices that still follow the
 * contacts (see followingNotices). One audit entry `notice.recipients_updated` per notice
 * changed. Returns how many messages were withdrawn and added.
 */
export async function reresolveRecipients(
  tx: Tx,
  tenantId: string,
  change: RecipientChange,
): Promise<{ withdrawn: number; added: number }> {
  await lockTenantRecipients(tx, tenantId, 'no key update');
  const contacts = await tx
    .select()
    .from(breachContacts)
    .where(eq(breachContacts.tenantId, tenantId));
  const current: Recipient[] = contacts.map((c) => ({
    kind: 'breach_contact',
    id: c.id,
    name: c.name,
    email: c.email,
  }));

  const withdrawn = await withdrawStale(tx, tenantId, current, change);
  const following = await followingNotices(tx, tenantId);
  const noticeIds = [...new Set([...withdrawn.keys(), ...following])];

  let added = 0;
  for (const noticeId of noticeIds) {
    const gone = withdrawn.get(noticeId) ?? [];
    const rows = await tx
      .select()
      .from(outbox)
      .where(and(eq(outbox.noticeId, noticeId), eq(outbox.recipientKind, 'breach_contact')));
    const missing = following.includes(noticeId) ? notYetAddressed(current, rows) : [];
    const inserted = await addRows(tx, { id: noticeId, tenantId }, missing, change.at);
    added += inserted.length;
    if (gone.length === 0 && inserted.length === 0) continue;

    await auditChange(tx, noticeId, tenantId, change, gone, inserted);
    if (gone.length > 0) await alertIfUnreached(tx, noticeId, tenantId, rows, inserted, change);
  }

  return { withdrawn: [...withdrawn.values()].flat().length, added };
}

/** Withdrawn messages by notice. */
async function withdrawStale(
  tx: Tx,
  tenantId: string,
  current: Recipient[],
  change: RecipientChange,
): Promise<Map<string, OutboxRow[]>> {
  const ids = current.map((c) => c.id);
  const stale = await tx
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.tenantId, tenantId),
        eq(outbox.recipientKind, 'breach_contact'),
        inArray(outbox.status, WAITING),
        ids.length > 0 ? notInArray(outbox.recipientId, ids) : undefined,
      ),
    )
    .for('update');
  const byNotice = new Map<string, OutboxRow[]>();
  if (stale.length === 0) return byNotice;

  // A message a live worker is sending now cannot be recalled; if it is delivered the worker
  // still records it 'sent'. One whose worker died is never sent again.
  await tx
    .update(outbox)
    .set({ status: 'withdrawn', leaseUntil: null, lastResponse: `withdrawn: ${change.reason}` })
    .where(
      inArray(
        outbox.id,
        stale.map((r) => r.id),
      ),
    );
  for (const r of stale) byNotice.set(r.noticeId, [...(byNotice.get(r.noticeId) ?? []), r]);
  return byNotice;
}

/**
 * The tenant's approved notices that still follow its contacts: those with messages waiting,
 * and, while the investigation is open, those that reached nobody yet (every message failed,
 * bounced or was withdrawn), so that a contact added after a total failure gets the notice.
 * A notice that reached the tenant is done; sending it to a later contact is resendNotice.
 */
async function followingNotices(tx: Tx, tenantId: string): Promise<string[]> {
  const result: unknown = await tx.execute(sql`
    SELECT n.id FROM notices n JOIN investigations i ON i.id = n.investigation_id
    WHERE n.tenant_id = ${tenantId} AND n.audience = 'tenant' AND n.status = 'approved'
      AND NOT n.exercise
      AND (
        EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id
          AND o.recipient_kind = 'breach_contact' AND o.status IN ('queued', 'sending'))
        OR (i.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id
          AND o.recipient_kind = 'breach_contact' AND o.status = 'sent')))
    ORDER BY n.created_at, n.id`);
  return (result as { rows: { id: string }[] }).rows.map((r) => r.id);
}

async function addRows(
  tx: Tx,
  notice: Pick<NoticeRow, 'id' | 'tenantId'>,
  recipients: Recipient[],
  at: Date,
): Promise<OutboxRow[]> {
  if (recipients.length === 0) return [];
  const values = recipients.map((r) => outboxRowFor(notice, r, at.toISOString()));
  // The unique (notice, recipient) index makes a repeated resolution add nothing.
  return tx.insert(outbox).values(values).onConflictDoNothing().returning();
}

async function auditChange(
  tx: Tx,
  noticeId: string,
  tenantId: string,
  change: RecipientChange,
  gone: OutboxRow[],
  added: OutboxRow[],
): Promise<void> {
  const [notice] = await tx
    .select({ investigationId: notices.investigationId })
    .from(notices)
    .where(eq(notices.id, noticeId));
  if (!notice) return;

  await appendAudit(tx, {
    actor: change.actor,
    action: 'notice.recipients_updated',
    entityType: 'investigation',
    entityId: notice.investigationId,
    data: {
      noticeId,
      tenantId,
      reason: change.reason,
      withdrawn: gone.map((r) => ({
        outboxId: r.id,
        email: r.recipientEmail,
        messageId: r.messageId,
        wasSending: r.status === 'sending',
      })),
      added: added.map((r) => ({
        outboxId: r.id,
        email: r.recipientEmail,
        messageId: r.messageId,
      })),
    },
    at: change.at,
  });
}

// After a withdrawal the notice may be left with nobody to reach: alert as for a total failure.
async function alertIfUnreached(
  tx: Tx,
  noticeId: string,
  tenantId: string,
  before: OutboxRow[],
  added: OutboxRow[],
  change: RecipientChange,
): Promise<void> {
  const left = before.filter((r) => r.status !== 'withdrawn');
  if (added.length > 0 || left.some((r) => r.status !== 'failed')) return;
  if (left.length > 0) return checkNoticeReached(tx, noticeId, change.at);

  const [notice] = await tx.select().from(notices).where(eq(notices.id, noticeId));
  if (!notice) return;
  await raiseStaffAlert(tx, {
    kind: 'not_notified',
    investigationId: notice.investigationId,
    dedupKey: `not-notified:${noticeId}`,
    subject: `Tenant ${tenantId} NOT notified: its breach contacts were removed before sending`,
    body:
      `Notice ${noticeId} (phase ${notice.phase}) had reached nobody when the last of its ` +
      `recipients was removed (${change.reason}). The notification deadline keeps running. ` +
      `Obtain a contact from the tenant and have it added (tenant admin: POST ` +
      `/api/v1/tenants/${tenantId}/contacts): the notice then goes to it.`,
    at: change.at,
  });
}

/**
 * Sends an approved notice to the recipients it currently has and has not yet addressed
 * (no message on its way or delivered to that contact or address), on an incident manager's
 * decision. Throws BD_NOTICE_NO_RECIPIENTS when there is nobody new, BD_NOTICE_INVALID_STATE
 * for a draft. Audited as `notice.resent`. Returns the number of messages queued.
 */
export async function resendNotice(db: Db, actor: Actor, noticeId: string): Promise<number> {
  assertCan(actor, 'notice.resend');

  return db.transaction(async (tx) => {
    const [notice] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
    if (!notice) fail('BD_NOT_FOUND', `notice ${noticeId} not found`, 'noticeId');
    if (notice.status !== 'approved') {
      fail(
        'BD_NOTICE_INVALID_STATE',
        `notice ${noticeId} is a ${notice.status}; approving it sends it to every recipient`,
        'status',
      );
    }

    await lockTenantRecipients(tx, notice.tenantId, 'share');
    const rows = await tx.select().from(outbox).where(eq(outbox.noticeId, noticeId));
    const missing = notYetAddressed(await recipientsFor(tx, notice), rows);
    if (missing.length === 0) {
      fail(
        'BD_NOTICE_NO_RECIPIENTS',
        `every current recipient of notice ${noticeId} already has it (delivered or on its ` +
          'way) or failed for good; add a contact (a failed address that was fixed: remove ' +
          'it and add it again)',
        'noticeId',
      );
    }

    const at = new Date();
    const added = await addRows(tx, notice, missing, at);
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'notice.resent',
      entityType: 'investigation',
      entityId: notice.investigationId,
      data: {
        noticeId,
        tenantId: notice.tenantId,
        audience: notice.audience,
        added: added.map((r) => ({
          outboxId: r.id,
          email: r.recipientEmail,
          messageId: r.messageId,
        })),
      },
      at,
    });
    return added.length;
  });
}

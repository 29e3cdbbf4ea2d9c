/**
 * Alerts to the response team itself: raised once per dedup key (inside the transaction of
 * the change that caused them, with an audit entry), shown on the investigation, and mailed
 * to the incident manager's address (BREACHDESK_IM_EMAIL) when one is configured. Without an
 * address an alert is marked 'none': visible on the investigation, mailed to nobody.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { appendAudit } from '../audit/log.ts';
import type { Db, Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { staffAlerts } from '../store/schema.ts';
import { buildMessageId, mailDomain, type OutgoingMessage } from './message.ts';
import type { Transport } from './transport.ts';

const ALERT_ACTOR = 'system:staff-alerts';

/** Header naming the alert's kind, so that mail filters can route it. */
export const ALERT_HEADER = 'X-Breachdesk-Alert';

/** One alert to raise. `dedupKey` makes raising it again a no-op. */
export interface StaffAlertInput {
  kind: 'delivery_failed' | 'not_notified' | 'reminder' | 'escalation' | (string & {});
  investigationId: string;
  dedupKey: string;
  subject: string;
  body: string;
  outboxId?: string | null;
  clockId?: string | null;
  at?: Date;
}

/**
 * Raises the alert unless one with the same dedup key exists, with its audit entry, in the
 * caller's transaction. Returns true when this call created it.
 */
export async function raiseStaffAlert(
  tx: Tx,
  alert: StaffAlertInput,
  actor = ALERT_ACTOR,
): Promise<boolean> {
  const at = alert.at ?? new Date();
  const inserted = await tx
    .insert(staffAlerts)
    .values({
      id: newId(),
      kind: alert.kind,
      investigationId: alert.investigationId,
      outboxId: alert.outboxId ?? null,
      clockId: alert.clockId ?? null,
      dedupKey: alert.dedupKey,
      subject: alert.subject,
      body: alert.body,
      createdAt: at.toISOString(),
      status: 'queued',
    })
    .onConflictDoNothing()
    .returning({ id: staffAlerts.id });
  const row = inserted[0];
  if (!row) return false;

  await appendAudit(tx, {
    actor,
    action: 'staff_alert.raised',
    entityType: 'investigation',
    entityId: alert.investigationId,
    data: { alertId: row.id, kind: alert.kind, dedupKey: alert.dedupKey, outboxId: alert.outboxId },
    at,
  });
  return true;
}

export interface StaffAlertTally {
  sent: number;
  failed: number;
  retrying: number;
  /** Marked 'none' because no incident manager address is configured. */
  unaddressed: number;
}

export interface StaffAlertOptions {
  /** The incident manager's address; defaults to BREACHDESK_IM_EMAIL. */
  to?: string | null;
  log?: Logger;
}

/**
 * Mails every queued alert to the incident manager, one at a time. A temporary failure
 * leaves the alert queued for the next pass; a permanent one marks it failed. An alert is
 * claimed ('sending', with the claim time in sent_at) in one short statement before it is
 * sent, so two workers never mail the same one and no transaction stays open during SMTP
 * (with PGlite that would stall every other query of the process); a claim older than
 * CLAIM_MS, left by a worker that died, is taken over.
 */
export async function deliverStaffAlerts(
  db: Db,
  transport: Transport,
  opts: StaffAlertOptions = {},
): Promise<StaffAlertTally> {
  const tally: StaffAlertTally = { sent: 0, failed: 0, retrying: 0, unaddressed: 0 };
  const to = (opts.to === undefined ? process.env.BREACHDESK_IM_EMAIL : opts.to)?.trim() ?? '';
  if (to === '') {
    tally.unaddressed = await markUnaddressed(db);
    return tally;
  }

  // Alerts left queued by a temporary failure are tried once per pass, not in a tight loop.
  const tried: string[] = [];
  for (;;) {
    const alert = await claimAlert(db, tried);
    if (!alert) return tally;
    tried.push(alert.id);

    const result = await transport.send(alertMessage(alert, to));
    // An uncertain outcome is retried: a second copy of an internal alert is harmless, a
    // lost one is not.
    const status =
      result.status === 'sent'
        ? 'sent'
        : result.status === 'failed' && result.permanent
          ? 'failed'
          : 'queued';
    await db.transaction(async (tx) => {
      const now = new Date().toISOString();
      await tx
        .update(staffAlerts)
        .set({ status, sentAt: status === 'sent' ? now : null, lastResponse: result.response })
        .where(and(eq(staffAlerts.id, alert.id), eq(staffAlerts.status, 'sending')));
      await appendAudit(tx, {
        actor: ALERT_ACTOR,
        action: status === 'sent' ? 'staff_alert.sent' : 'staff_alert.delivery_failed',
        entityType: 'investigation',
        entityId: alert.investigationId,
        data: { alertId: alert.id, kind: alert.kind, status, response: result.response },
      });
    });

    opts.log?.info({ category: 'staff-alert', status }, 'staff alert attempt');
    if (status === 'sent') tally.sent += 1;
    else if (status === 'failed') tally.failed += 1;
    else tally.retrying += 1;
  }
}

// Longer than any one SMTP attempt (nodemailer gives up on a silent socket after 120 s).
const CLAIM_MS = 10 * 60_000;

type ClaimedAlert = Pick<
  typeof staffAlerts.$inferSelect,
  'id' | 'kind' | 'investigationId' | 'subject' | 'body'
>;

/** Takes the oldest queued alert (or one whose claim has gone stale) not in `skip`. */
async function claimAlert(db: Db, skip: string[]): Promise<ClaimedAlert | null> {
  const now = new Date();
  const stale = new Date(now.getTime() - CLAIM_MS).toISOString();
  const skipped = skip.length === 0 ? sql`` : sql`AND id <> ALL(${sql.param(skip)}::text[])`;

  const result: unknown = await db.execute(sql`
    UPDATE ${staffAlerts} SET status = 'sending', sent_at = ${now.toISOString()}
    WHERE id = (
      SELECT id FROM ${staffAlerts}
      WHERE (status = 'queued' OR (status = 'sending' AND sent_at < ${stale})) ${skipped}
      ORDER BY created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, investigation_id AS "investigationId", subject, body`);
  const [row] = (result as { rows: ClaimedAlert[] }).rows;
  return row ?? null;
}

async function markUnaddressed(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(staffAlerts)
      .set({ status: 'none', lastResponse: 'no incident manager address (BREACHDESK_IM_EMAIL)' })
      .where(eq(staffAlerts.status, 'queued'))
      .returning({ id: staffAlerts.id, investigationId: staffAlerts.investigationId });
    if (rows.length === 0) return 0;

    const byInvestigation = new Map<string, string[]>();
    for (const r of rows) {
      byInvestigation.set(r.investigationId, [
        ...(byInvestigation.get(r.investigationId) ?? []),
        r.id,
      ]);
    }
    for (const [investigationId, alertIds] of byInvestigation) {
      await appendAudit(tx, {
        actor: ALERT_ACTOR,
        action: 'staff_alert.unaddressed',
        entityType: 'investigation',
        entityId: investigationId,
        data: { alertIds },
      });
    }
    return rows.length;
  });
}

function alertMessage(alert: ClaimedAlert, to: string): OutgoingMessage {
  const domain = mailDomain();
  const msg: OutgoingMessage = {
    // Stable per alert: a re-sent alert carries the same id and can be recognised.
    messageId: buildMessageId(alert.id, 'staff-alert', domain),
    from: {
      name: 'Breachdesk alerts',
      address: process.env.BREACHDESK_MAIL_FROM ?? `breachdesk@${domain}`,
    },
    to: { name: 'Incident manager', address: to },
    subject: alert.subject,
    text: alert.body,
    headers: { [ALERT_HEADER]: alert.kind },
  };
  // A malformed address comes back from the transport as a permanent failure (message.ts).
  return msg;
}

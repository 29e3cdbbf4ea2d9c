/**
 * The outbox worker. It claims due messages with FOR UPDATE SKIP LOCKED, so several workers
 * on one PostgreSQL never take the same message, marks them 'sending' under a lease, sends,
 * and records the outcome per recipient. A worker that dies mid-send leaves its rows
 * 'sending'; once the lease runs out another worker retries them with the same Message-ID.
 */
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { appendAudit } from '../audit/log.ts';
import { markControllerClockMet } from '../investigations/clocks.ts';
import type { Db } from '../store/db.ts';
import { notices, outbox } from '../store/schema.ts';
import { mailDomain } from './approve.ts';
import { NOTICE_HEADER, type OutgoingMessage } from './message.ts';
import type { DeliveryResult, Transport } from './transport.ts';

const WORKER_ACTOR = 'system:outbox-worker';
const MAX_ATTEMPTS = 6;
const LEASE_MS = 5 * 60_000;

export interface DeliveryTally {
  sent: number;
  failed: number;
  retrying: number;
}

interface Claimed {
  id: string;
  noticeId: string;
  investigationId: string;
  tenantId: string;
  recipientKind: string;
  recipientName: string;
  recipientEmail: string;
  messageId: string;
  attempts: number;
  subject: string;
  body: string;
}

/** Claims up to `limit` due messages for this worker. */
async function claim(db: Db, limit: number, now: Date): Promise<Claimed[]> {
  const at = now.toISOString();
  const lease = new Date(now.getTime() + LEASE_MS).toISOString();

  // Both drivers answer with { rows }.
  const result: unknown = await db.execute(sql`
    WITH due AS (
      SELECT id FROM ${outbox}
      WHERE ((status = 'queued' AND next_attempt_at <= ${at})
         OR (status = 'sending' AND lease_until < ${at}))
        -- A notice under an effective hold (legal and executive approval, not released) waits.
        AND NOT EXISTS (
          SELECT 1 FROM holds h
          WHERE h.notice_id = ${outbox}.notice_id AND h.released_at IS NULL
            AND h.legal_approved_at IS NOT NULL AND h.executive_approved_at IS NOT NULL)
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE ${outbox} o
    SET status = 'sending', attempts = o.attempts + 1, lease_until = ${lease}
    FROM due, ${notices} n
    WHERE o.id = due.id AND n.id = o.notice_id
    RETURNING o.id, o.notice_id AS "noticeId", n.investigation_id AS "investigationId",
      o.tenant_id AS "tenantId", o.recipient_kind AS "recipientKind",
      o.recipient_name AS "recipientName", o.recipient_email AS "recipientEmail",
      o.message_id AS "messageId", o.attempts, n.subject, n.body`);

  return (result as { rows: Claimed[] }).rows;
}

function toMessage(c: Claimed): OutgoingMessage {
  const address = process.env.BREACHDESK_MAIL_FROM ?? `breachdesk@${mailDomain()}`;
  return {
    messageId: c.messageId,
    from: { name: 'Breachdesk security response', address },
    to: { name: c.recipientName, address: c.recipientEmail },
    subject: c.subject,
    text: c.body,
    headers: { [NOTICE_HEADER]: c.noticeId },
  };
}

// Exponential backoff with jitter, so a recovering server is not hit by every retry at once.
function retryAt(now: Date, attempts: number): string {
  const ceiling = Math.min(60 * 60_000, 30_000 * 2 ** (attempts - 1));
  return new Date(now.getTime() + ceiling / 2 + (Math.random() * ceiling) / 2).toISOString();
}

async function record(db: Db, c: Claimed, result: DeliveryResult, tally: DeliveryTally) {
  const now = new Date();
  const at = now.toISOString();
  const gaveUp = result.status === 'failed' && (result.permanent || c.attempts >= MAX_ATTEMPTS);

  await db.transaction(async (tx) => {
    if (result.status === 'sent') {
      await tx
        .update(outbox)
        .set({ status: 'sent', sentAt: at, lastResponse: result.response, leaseUntil: null })
        .where(eq(outbox.id, c.id));
      if (c.recipientKind === 'breach_contact') {
        await markControllerClockMet(tx, c.investigationId, c.tenantId, at);
      }
    } else {
      await tx
        .update(outbox)
        .set({
          status: gaveUp ? 'failed' : 'queued',
          nextAttemptAt: gaveUp ? at : retryAt(now, c.attempts),
          lastResponse: result.response,
          leaseUntil: null,
        })
        .where(eq(outbox.id, c.id));
    }

    const action =
      result.status === 'sent'
        ? 'notice.delivered'
        : gaveUp
          ? 'notice.delivery_failed'
          : 'notice.delivery_deferred';
    await appendAudit(tx, {
      actor: WORKER_ACTOR,
      action,
      entityType: 'investigation',
      entityId: c.investigationId,
      data: {
        noticeId: c.noticeId,
        outboxId: c.id,
        tenantId: c.tenantId,
        messageId: c.messageId,
        attempt: c.attempts,
        response: result.response,
      },
    });
  });

  if (result.status === 'sent') tally.sent += 1;
  else if (gaveUp) tally.failed += 1;
  else tally.retrying += 1;
}

export interface DeliverOptions {
  batch?: number;
  log?: Logger;
}

/** Delivers every message that is due now, batch by batch, and returns the tally. */
export async function deliverDue(
  db: Db,
  transport: Transport,
  opts: DeliverOptions = {},
): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, failed: 0, retrying: 0 };
  const batch = opts.batch ?? 20;

  for (;;) {
    const claimed = await claim(db, batch, new Date());
    if (claimed.length === 0) return tally;

    await Promise.all(
      claimed.map(async (c) => {
        const result = await transport.send(toMessage(c));
        opts.log?.info(
          { outboxId: c.id, noticeId: c.noticeId, tenantId: c.tenantId, status: result.status },
          'delivery attempt',
        );
        await record(db, c, result, tally);
      }),
    );
  }
}

/** Per-recipient delivery state of an investigation's notices, for people and tests. */
export async function deliveryStatus(db: Db, investigationId: string) {
  return db
    .select({
      noticeId: outbox.noticeId,
      tenantId: outbox.tenantId,
      audience: notices.audience,
      recipientKind: outbox.recipientKind,
      recipientEmail: outbox.recipientEmail,
      status: outbox.status,
      attempts: outbox.attempts,
      lastResponse: outbox.lastResponse,
      messageId: outbox.messageId,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .innerJoin(notices, eq(notices.id, outbox.noticeId))
    .where(eq(notices.investigationId, investigationId))
    .orderBy(outbox.tenantId, outbox.recipientEmail);
}

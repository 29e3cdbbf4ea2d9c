/**
 * Asynchronous bounces. A receiving server that accepted a message and later fails to
 * deliver it answers with a delivery status notification (DSN, RFC 3464) to the envelope
 * sender. This module listens for those on an inbound SMTP address, finds the original
 * Message-ID, marks that recipient failed and alerts the incident manager. A message that is
 * not a DSN, or a DSN about mail we did not send, is logged and counted, never fatal.
 */
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { appendAudit } from '../audit/log.ts';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';
import { notices, outbox } from '../store/schema.ts';
import { checkNoticeReached } from './reachability.ts';
import { raiseStaffAlert } from './staff-alerts.ts';

const BOUNCE_ACTOR = 'system:bounces';
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** What one recipient block of a DSN says (RFC 3464 §2.3). */
export interface DsnRecipient {
  finalRecipient: string | null;
  /** failed | delayed | delivered | relayed | expanded (RFC 3464 §2.3.3), lower case. */
  action: string | null;
  /** The enhanced status code, e.g. 5.1.1 (RFC 3463). */
  status: string | null;
  diagnosticCode: string | null;
}

/** A parsed delivery status notification. */
export interface DsnReport {
  /** The Message-ID of the message the report is about, `<…>`, or null if none was found. */
  originalMessageId: string | null;
  reportingMta: string | null;
  recipients: DsnRecipient[];
}

/**
 * Reads a DSN: a multipart/report with report-type=delivery-status (RFC 6522, RFC 3464).
 * The original Message-ID comes from the returned message (message/rfc822), or its headers
 * (text/rfc822-headers), or failing those the DSN's own In-Reply-To and References. Returns
 * null for mail that is not a DSN.
 */
export async function parseDsn(raw: Buffer | string): Promise<DsnReport | null> {
  // keepDeliveryStatus keeps the machine-readable part apart instead of folding it into text.
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true });
  const report = mail.attachments.find((a) => STATUS_TYPES.has(a.contentType.toLowerCase()));
  if (!isReport(mail) || !report) return null;

  const blocks = fieldBlocks(report.content.toString('utf8'));
  const perMessage = blocks[0] ?? new Map<string, string>();
  const recipients = blocks.slice(1).map((b) => ({
    finalRecipient: stripAddressType(b.get('final-recipient')),
    action: b.get('action')?.toLowerCase() ?? null,
    status: b.get('status') ?? null,
    diagnosticCode: b.get('diagnostic-code') ?? null,
  }));

  return {
    originalMessageId: originalMessageId(mail),
    reportingMta: perMessage.get('reporting-mta') ?? null,
    recipients,
  };
}

// RFC 6533 adds the message/global-* types for internationalised mail.
const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);

function isReport(mail: ParsedMail): boolean {
  const type = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  return (
    type?.value?.toLowerCase() === 'multipart/report' &&
    type.params?.['report-type']?.toLowerCase() === 'delivery-status'
  );
}

function originalMessageId(mail: ParsedMail): string | null {
  for (const part of mail.attachments) {
    if (!RETURNED_TYPES.has(part.contentType.toLowerCase())) continue;
    const headers = fieldBlocks(part.content.toString('utf8'))[0];
    const id = firstMessageId(headers?.get('message-id'));
    if (id) return id;
  }

  // Some servers return no copy but thread the DSN to the original instead.
  const refs = [mail.inReplyTo, ...[mail.references ?? []].flat()];
  for (const ref of refs) {
    const id = firstMessageId(ref);
    if (id) return id;
  }
  return null;
}

function firstMessageId(value: string | undefined): string | null {
  const m = value === undefined ? null : /<[^<>\s]+@[^<>\s]+>/.exec(value);
  return m ? m[0] : null;
}

/**
 * Header-style field blocks separated by blank lines (RFC 3464 §2.1: the per-message fields,
 * then one block per recipient), with folded lines joined (RFC 5322 §2.2.3). Names are lower
 * case; a repeated field keeps its first value.
 */
function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | null = null;

  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line) && last !== null) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!current.has(name)) current.set(name, line.slice(colon + 1).trim());
    last = name;
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

// "rfc822; dpo@tenant.example" → "dpo@tenant.example" (RFC 3464 §2.3.2: address-type ; address).
function stripAddressType(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semi = value.indexOf(';');
  return (semi >= 0 ? value.slice(semi + 1) : value).trim() || null;
}

/** What became of one inbound message. */
export type BounceOutcome =
  | { kind: 'bounced'; outboxId: string; messageId: string; firstReport: boolean }
  | { kind: 'not_failed'; outboxId: string; action: string | null }
  | { kind: 'unmatched'; reason: string };

/**
 * Applies one inbound message: a DSN whose Action is "failed" marks the matched outbox row
 * failed (bounced_at, last_response = the DSN's Status and Diagnostic-Code), alerts the
 * incident manager, and checks whether the tenant is still reachable, in one transaction.
 * Repeating the same DSN changes nothing more. Throws only when the database fails.
 */
export async function applyBounce(
  db: Db,
  raw: Buffer | string,
  at = new Date(),
): Promise<BounceOutcome> {
  let report: DsnReport | null;
  try {
    report = await parseDsn(raw);
  } catch (err) {
    return { kind: 'unmatched', reason: `unreadable message: ${String(err)}` };
  }
  if (!report) return { kind: 'unmatched', reason: 'not a delivery status notification' };
  const messageId = report.originalMessageId?.toLowerCase() ?? null;
  if (!messageId) return { kind: 'unmatched', reason: 'no original Message-ID in the report' };

  const [row] = await db
    .select({
      id: outbox.id,
      noticeId: outbox.noticeId,
      tenantId: outbox.tenantId,
      recipientKind: outbox.recipientKind,
      recipientName: outbox.recipientName,
      recipientEmail: outbox.recipientEmail,
      investigationId: notices.investigationId,
    })
    .from(outbox)
    .innerJoin(notices, eq(notices.id, outbox.noticeId))
    .where(eq(outbox.messageId, messageId));
  if (!row) return { kind: 'unmatched', reason: `no outbox message ${messageId}` };

  // One recipient per message: the failed block if there is one, else the first.
  const rcpt = report.recipients.find((r) => r.action === 'failed') ?? report.recipients[0] ?? null;
  if (rcpt?.action !== 'failed') {
    return { kind: 'not_failed', outboxId: row.id, action: rcpt?.action ?? null };
  }

  const response = [
    `DSN from ${report.reportingMta ?? 'unknown MTA'}`,
    `Status: ${rcpt.status ?? 'none'}`,
    rcpt.diagnosticCode ? `Diagnostic-Code: ${rcpt.diagnosticCode}` : null,
  ]
    .filter((s) => s !== null)
    .join('; ');

  const firstReport = await db.transaction(async (tx) => {
    const updated = await tx
      .update(outbox)
      .set({
        status: 'failed',
        bouncedAt: at.toISOString(),
        lastResponse: response,
        leaseUntil: null,
      })
      .where(sql`${outbox.id} = ${row.id} AND ${outbox.bouncedAt} IS NULL`)
      .returning({ id: outbox.id });
    if (updated.length === 0) return false;

    await appendAudit(tx, {
      actor: BOUNCE_ACTOR,
      action: 'notice.bounced',
      entityType: 'investigation',
      entityId: row.investigationId,
      data: {
        noticeId: row.noticeId,
        outboxId: row.id,
        tenantId: row.tenantId,
        messageId,
        status: rcpt.status,
        diagnosticCode: rcpt.diagnosticCode,
        finalRecipient: rcpt.finalRecipient,
        reportingMta: report.reportingMta,
      },
      at,
    });
    await raiseStaffAlert(
      tx,
      {
        kind: 'delivery_failed',
        investigationId: row.investigationId,
        outboxId: row.id,
        dedupKey: `delivery-failed:${row.id}`,
        subject: `Notice to ${row.tenantId} bounced from ${row.recipientEmail}`,
        body:
          `The ${row.recipientKind.replace('_', ' ')} ${row.recipientName} <${row.recipientEmail}> ` +
          `of tenant ${row.tenantId} did not receive notice ${row.noticeId}: the receiving ` +
          `system reported the delivery failed after accepting it.\n${response}\n` +
          `Message-ID ${messageId}.`,
        at,
      },
      BOUNCE_ACTOR,
    );
    if (row.recipientKind === 'breach_contact') await checkNoticeReached(tx, row.noticeId, at);
    return true;
  });

  return { kind: 'bounced', outboxId: row.id, messageId, firstReport };
}

export interface BounceListenerOptions {
  db: Db;
  /** The address DSNs are sent to (the transport's envelope sender). */
  address: string;
  port: number;
  /** Defaults to 127.0.0.1: put the listener behind your MX rather than on the internet. */
  host?: string;
  maxBytes?: number;
  log?: Logger;
}

/** Counts since the listener started. */
export interface BounceStats {
  received: number;
  bounced: number;
  notFailed: number;
  unmatched: number;
  /** Messages answered 451 because the database failed; the sender will try again. */
  deferred: number;
}

export interface BounceListener {
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  stats: BounceStats;
  close(): Promise<void>;
}

/** Starts the inbound SMTP listener that takes DSNs for `address`. */
export async function startBounceListener(opts: BounceListenerOptions): Promise<BounceListener> {
  const address = opts.address.trim().toLowerCase();
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(address)) {
    fail(
      'BD_CONFIG_INVALID',
      'bounce address must be one plain address, like bounces@example.org',
      'bounceAddress',
    );
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const stats: BounceStats = { received: 0, bounced: 0, notFailed: 0, unmatched: 0, deferred: 0 };
  const log = opts.log?.child({ category: 'bounces' });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    banner: 'Breachdesk bounce listener',
    onRcptTo(rcpt, _session, callback) {
      if (rcpt.address.toLowerCase() === address) return callback();
      // RFC 5321 §4.2.2: 550 for a mailbox that does not exist here.
      callback(
        Object.assign(new Error('5.1.1 only the bounce address is served here'), {
          responseCode: 550,
        }),
      );
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(),
        (err: Error) => callback(err),
      );
    },
  });
  server.on('error', (err) => log?.error({ err }, 'bounce listener error'));

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) {
      throw Object.assign(new Error('5.3.4 message too big for the bounce listener'), {
        responseCode: 552,
      });
    }
    stats.received += 1;

    let outcome: BounceOutcome;
    try {
      outcome = await applyBounce(opts.db, Buffer.concat(chunks));
    } catch (err) {
      // The report is not lost: a temporary reply makes the sending server try again later.
      stats.deferred += 1;
      log?.error({ err, session: session.id }, 'bounce not recorded; deferred');
      throw Object.assign(new Error('4.3.0 cannot record the report now, try again later'), {
        responseCode: 451,
      });
    }

    if (outcome.kind === 'bounced') stats.bounced += 1;
    else if (outcome.kind === 'not_failed') stats.notFailed += 1;
    else stats.unmatched += 1;
    log?.info({ session: session.id, ...outcome }, 'inbound report');
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });

  return {
    port,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

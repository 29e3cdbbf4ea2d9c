/**
 * Mails queued contact test e-mails (tenants/contact-confirmations.ts) in the outbox worker's
 * pass, like staff alerts: each is claimed in one short statement, sent with no transaction
 * open, and its outcome recorded with an audit entry. The one-time token leaves the database
 * once the message is handed over (or given up); only its hash stays.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { appendAudit } from '../audit/log.ts';
import { type Db, iso } from '../store/db.ts';
import { contactConfirmations, breachContacts } from '../store/schema.ts';
import { buildMessageId, mailDomain, type OutgoingMessage } from './message.ts';
import type { DeliveryResult, Transport } from './transport.ts';

const WORKER_ACTOR = 'system:outbox-worker';
/** Header marking a contact test, so that mail filters can route it. */
export const CONTACT_TEST_HEADER = 'X-Breachdesk-Contact-Test';
// Longer than any one SMTP attempt; a claim older than this was left by a dead worker.
const CLAIM_MS = 10 * 60_000;

export interface ContactTestOptions {
  /** Where the console is reached, for the link; default consoleUrlFromEnv(). */
  consoleUrl?: string;
  log?: Logger;
}

export interface ContactTestTally {
  sent: number;
  failed: number;
  retrying: number;
  /** Not mailed: the contact was removed or its address changed since the request. */
  withdrawn: number;
}

interface Claimed {
  id: string;
  tenantId: string;
  contactId: string;
  email: string;
  pendingToken: string;
  expiresAt: string | Date;
}

/**
 * The console's address for links in mail from a worker without a server of its own
 * (BREACHDESK_CONSOLE_URL, else the serve default).
 */
export function consoleUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.BREACHDESK_CONSOLE_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  return `http://${env.BREACHDESK_HOST ?? '127.0.0.1'}:${env.BREACHDESK_PORT ?? '8080'}`;
}

/**
 * The console's address for links mailed by `serve`: BREACHDESK_CONSOLE_URL when set (the
 * address people reach, e.g. behind a proxy), else the one the server listens on, which
 * follows --port rather than BREACHDESK_PORT.
 */
export function consoleUrlFor(listeningAt: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.BREACHDESK_CONSOLE_URL?.trim();
  return (configured || listeningAt).replace(/\/+$/, '');
}

export async function deliverContactTests(
  db: Db,
  transport: Transport,
  opts: ContactTestOptions = {},
): Promise<ContactTestTally> {
  const tally: ContactTestTally = { sent: 0, failed: 0, retrying: 0, withdrawn: 0 };
  const consoleUrl = (opts.consoleUrl ?? consoleUrlFromEnv()).replace(/\/+$/, '');

  // A test left queued by a temporary failure is tried once per pass, not in a tight loop.
  const tried: string[] = [];
  for (;;) {
    const test = await claim(db, tried);
    if (!test) return tally;
    tried.push(test.id);

    const [contact] = await db
      .select({ name: breachContacts.name, email: breachContacts.email })
      .from(breachContacts)
      .where(eq(breachContacts.id, test.contactId));
    // A contact removed or readdressed since the request is not mailed at its old address.
    const stale = !contact || contact.email !== test.email;
    const result = stale ? null : await transport.send(messageOf(test, contact.name, consoleUrl));
    const status = statusOf(result);

    await db.transaction(async (tx) => {
      const now = new Date().toISOString();
      await tx
        .update(contactConfirmations)
        .set({
          status,
          sentAt: status === 'sent' ? now : null,
          claimedAt: null,
          lastResponse: result?.response ?? 'withdrawn: the contact was removed or readdressed',
          ...(status === 'queued' ? {} : { pendingToken: null }),
        })
        .where(
          and(eq(contactConfirmations.id, test.id), eq(contactConfirmations.status, 'sending')),
        );
      await appendAudit(tx, {
        actor: WORKER_ACTOR,
        action: `contact.test_email_${status === 'queued' ? 'deferred' : status}`,
        entityType: 'tenant',
        entityId: test.tenantId,
        data: { contactId: test.contactId, confirmationId: test.id, status },
      });
    });

    opts.log?.info({ category: 'contact-test', status }, 'contact test e-mail attempt');
    if (status === 'queued') tally.retrying += 1;
    else tally[status] += 1;
  }
}

// A second copy of a test is harmless, a lost one is not: uncertain outcomes are retried.
function statusOf(result: DeliveryResult | null): 'sent' | 'failed' | 'queued' | 'withdrawn' {
  if (result === null) return 'withdrawn';
  if (result.status === 'sent') return 'sent';
  return result.status === 'failed' && result.permanent ? 'failed' : 'queued';
}

/** Takes the oldest queued test (or one whose claim has gone stale) not in `skip`. */
async function claim(db: Db, skip: string[]): Promise<Claimed | null> {
  const now = new Date();
  const stale = new Date(now.getTime() - CLAIM_MS).toISOString();
  const skipped = skip.length === 0 ? sql`` : sql`AND id <> ALL(${sql.param(skip)}::text[])`;

  const result: unknown = await db.execute(sql`
    UPDATE ${contactConfirmations} SET status = 'sending', claimed_at = ${now.toISOString()}
    WHERE id = (
      SELECT id FROM ${contactConfirmations}
      WHERE pending_token IS NOT NULL
        AND (status = 'queued' OR (status = 'sending' AND claimed_at < ${stale})) ${skipped}
      ORDER BY created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id, tenant_id AS "tenantId", contact_id AS "contactId", email,
      pending_token AS "pendingToken", expires_at AS "expiresAt"`);
  const [row] = (result as { rows: Claimed[] }).rows;
  return row ?? null;
}

function messageOf(test: Claimed, name: string, consoleUrl: string): OutgoingMessage {
  const domain = mailDomain();
  // The token travels in the fragment, which browsers never send to the server or its logs.
  const link = `${consoleUrl}/confirm-contact#token=${test.pendingToken}`;
  const expires = `${iso(test.expiresAt).slice(0, 16).replace('T', ' ')} UTC`;

  return {
    messageId: buildMessageId(test.id, 'contact-test', domain),
    from: {
      name: 'Breachdesk security response',
      address: process.env.BREACHDESK_MAIL_FROM ?? `breachdesk@${domain}`,
    },
    to: { name, address: test.email },
    subject: 'Breachdesk test e-mail: please confirm this address',
    text: [
      'This address is listed as a breach contact: if your provider has to notify you of a',
      'personal-data breach, the notice will come to this address.',
      '',
      'Please confirm that it reaches you by opening this link once:',
      link,
      '',
      `The link works once, until ${expires}. If you did not expect this message,`,
      'tell your organisation; nothing else is needed.',
    ].join('\n'),
    headers: { [CONTACT_TEST_HEADER]: test.id },
  };
}

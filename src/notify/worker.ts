/**
 * The outbox worker. It claims due messages with FOR UPDATE SKIP LOCKED, so several workers
 * on one PostgreSQL never take the same message, marks them 'sending' under a lease, sends
 * them concurrently (as many at once as the transport's pool takes), and records outcomes
 * in small batched transactions, one audit entry per message.
 *
 * Idempotency (docs/delivery.md): a row found 'sending' with an expired lease was possibly
 * delivered (its worker died, or the connection broke after the message was handed over).
 * Before it is sent again the worker records that in the audit log, and the new copy carries
 * the same Message-ID plus a header saying it may be a duplicate.
 */
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { appendAuditBatch, type AuditEvent } from '../audit/log.ts';
import { markControllerClocksMet } from '../investigations/clocks.ts';
import type { Db, Tx } from '../store/db.ts';
import { notices, outbox } from '../store/schema.ts';
import { mailDomain, NOTICE_HEADER, type OutgoingMessage } from './message.ts';
import { checkNoticeReached } from './reachability.ts';
import { raiseStaffAlert } from './staff-alerts.ts';
import type { DeliveryResult, Transport } from './transport.ts';

const WORKER_ACTOR = 'system:outbox-worker';
/** Attempts after which a message that still fails is given up and the manager alerted. */
export const MAX_ATTEMPTS = 6;
const DEFAULT_LEASE_MS = 5 * 60_000;
// Outcomes committed in one transaction at most (keeps statements well under 65,535 params).
const MAX_GROUP = 500;

/** Marks a copy sent again after an attempt whose outcome is unknown. */
export const POSSIBLE_DUPLICATE_HEADER = 'X-Breachdesk-Possible-Duplicate';

export interface DeliveryTally {
  sent: number;
  failed: number;
  retrying: number;
  /** Attempts that may have been delivered; each is retried with the same Message-ID. */
  uncertain: number;
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
  /** The row was found 'sending' with an expired lease: the last attempt's fate is unknown. */
  possiblySent: boolean;
}

// Referenced from the two branches of the claim query. DESIGN.md §1.6: a notice under an
// effective hold (legal and executive approval, not released) waits; holds.ts relies on it.
// A hold covers every phase of its notice (same investigation, tenant and audience): a
// follow-up must not carry what the held notice would have said.
// Written as an uncorrelated NOT IN so that PostgreSQL computes the (small) set of held
// notices once per claim and probes a hash; a correlated NOT EXISTS with these joins made
// the planner filter and sort every due row on each claim (10x slower at 20,000 rows).
const notHeld = sql`${outbox}.notice_id NOT IN (
          SELECT mine.id FROM holds h
          JOIN notices held ON held.id = h.notice_id
          JOIN notices mine ON mine.investigation_id = held.investigation_id
            AND mine.tenant_id = held.tenant_id AND mine.audience = held.audience
          WHERE h.released_at IS NULL
            AND h.legal_approved_at IS NOT NULL AND h.executive_approved_at IS NOT NULL)`;

/**
 * Claims up to `limit` due messages of each kind for this worker: expired leases first (rare:
 * after a crash or an uncertain attempt), then queued rows. Each branch walks the
 * (status, next_attempt_at) index in order and stops at its limit, so a claim costs the same
 * with ten or with a hundred thousand rows waiting.
 */
async function claim(db: Db, limit: number, now: Date, leaseMs: number): Promise<Claimed[]> {
  const at = now.toISOString();
  const lease = new Date(now.getTime() + leaseMs).toISOString();

  // Both drivers answer with { rows }.
  const result: unknown = await db.execute(sql`
    WITH expired AS (
      SELECT id, true AS possibly_sent FROM ${outbox}
      WHERE status = 'sending' AND lease_until < ${at}
        AND ${notHeld}
      ORDER BY lease_until
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), queued AS (
      SELECT id, false AS possibly_sent FROM ${outbox}
      WHERE status = 'queued' AND next_attempt_at <= ${at}
        AND ${notHeld}
      ORDER BY next_attempt_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), due AS (
      SELECT * FROM expired UNION ALL SELECT * FROM queued
    )
    UPDATE ${outbox} o
    SET status = 'sending', attempts = o.attempts + 1, lease_until = ${lease}
    FROM due, ${notices} n
    WHERE o.id = due.id AND n.id = o.notice_id
    RETURNING o.id, o.notice_id AS "noticeId", n.investigation_id AS "investigationId",
      o.tenant_id AS "tenantId", o.recipient_kind AS "recipientKind",
      o.recipient_name AS "recipientName", o.recipient_email AS "recipientEmail",
      o.message_id AS "messageId", o.attempts, n.subject, n.body,
      due.possibly_sent AS "possiblySent"`);

  return (result as { rows: Claimed[] }).rows;
}

/**
 * Records, before anything is sent again, that the previous attempt of each row may have
 * been delivered. A crash after this commit and before the send repeats the record, never
 * the other way round, so no copy goes out without its check written down first.
 */
async function recordRedeliveries(db: Db, rows: Claimed[]): Promise<void> {
  await db.transaction(async (tx) => {
    const events = rows.map((c) => ({
      actor: WORKER_ACTOR,
      action: 'notice.redelivery',
      entityType: 'investigation',
      entityId: c.investigationId,
      data: {
        noticeId: c.noticeId,
        outboxId: c.id,
        tenantId: c.tenantId,
        messageId: c.messageId,
        attempt: c.attempts,
        reason: `attempt ${c.attempts - 1} may have been delivered; its outcome is unknown`,
      },
    }));
    await appendAuditBatch(tx, events);
  });
}

function toMessage(c: Claimed): OutgoingMessage {
  const address = process.env.BREACHDESK_MAIL_FROM ?? `breachdesk@${mailDomain()}`;
  const headers: Record<string, string> = { [NOTICE_HEADER]: c.noticeId };
  if (c.possiblySent) {
    headers[POSSIBLE_DUPLICATE_HEADER] =
      `attempt ${c.attempts}; an earlier attempt with this Message-ID may have arrived`;
  }

  return {
    messageId: c.messageId,
    from: { name: 'Breachdesk security response', address },
    to: { name: c.recipientName, address: c.recipientEmail },
    subject: c.subject,
    text: c.body,
    headers,
  };
}

/** Exponential backoff with full-range jitter over the upper half, capped at one hour. */
export function retryDelayMs(attempts: number, random = Math.random()): number {
  // Jitter keeps a recovering server from being hit by every deferred message at once.
  const ceiling = Math.min(60 * 60_000, 30_000 * 2 ** (attempts - 1));
  return ceiling / 2 + (random * ceiling) / 2;
}

interface Outcome {
  claimed: Claimed;
  result: DeliveryResult;
  at: Date;
}

type Verdict = 'sent' | 'retry' | 'uncertain' | 'gave_up';

function verdictOf(o: Outcome): Verdict {
  if (o.result.status === 'sent') return 'sent';

  const exhausted = o.claimed.attempts >= MAX_ATTEMPTS;
  if (o.result.status === 'uncertain') return exhausted ? 'gave_up' : 'uncertain';
  return o.result.permanent || exhausted ? 'gave_up' : 'retry';
}

const ACTIONS: Record<Verdict, string> = {
  sent: 'notice.delivered',
  retry: 'notice.delivery_deferred',
  uncertain: 'notice.delivery_uncertain',
  gave_up: 'notice.delivery_failed',
};

/**
 * Writes a batch of outcomes in one transaction: row updates, the controller clocks met by
 * the deliveries, alerts for messages given up, and one audit entry per message.
 */
async function recordOutcomes(db: Db, batch: Outcome[], tally: DeliveryTally): Promise<void> {
  const verdicts = batch.map(verdictOf);

  await db.transaction(async (tx) => {
    const sent = batch.filter((_, i) => verdicts[i] === 'sent');
    if (sent.length > 0) {
      // A delivery is a fact whoever holds the lease now; only the first one sets sent_at,
      // and a bounce that arrived meanwhile (bounces.ts) is not overwritten.
      // Arrays as single parameters keep this one indexed statement at any batch size.
      const ids = sql.param(sent.map((o) => o.claimed.id));
      const responses = sql.param(sent.map((o) => o.result.response));
      const ats = sql.param(sent.map((o) => o.at.toISOString()));
      await tx.execute(sql`
        UPDATE ${outbox} o
        SET status = 'sent',
          sent_at = COALESCE(o.sent_at, (${ats}::timestamptz[])[array_position(${ids}::text[], o.id)]),
          last_response = (${responses}::text[])[array_position(${ids}::text[], o.id)],
          lease_until = NULL
        WHERE o.id = ANY(${ids}::text[]) AND o.status <> 'sent' AND o.bounced_at IS NULL`);
    }

    for (const [i, o] of batch.entries()) {
      const verdict = verdicts[i];
      if (verdict === 'sent' || verdict === undefined) continue;
      await recordUnsent(tx, o, verdict);
    }

    // GDPR Art. 33(2): the controller is notified once a message reaches a breach contact.
    await markControllerClocksMet(
      tx,
      sent
        .filter((o) => o.claimed.recipientKind === 'breach_contact')
        .map((o) => ({
          investigationId: o.claimed.investigationId,
          tenantId: o.claimed.tenantId,
          at: o.at.toISOString(),
        })),
    );

    const events: AuditEvent[] = batch.map((o, i) => ({
      actor: WORKER_ACTOR,
      action: ACTIONS[verdicts[i] ?? 'retry'],
      entityType: 'investigation',
      entityId: o.claimed.investigationId,
      data: {
        noticeId: o.claimed.noticeId,
        outboxId: o.claimed.id,
        tenantId: o.claimed.tenantId,
        messageId: o.claimed.messageId,
        attempt: o.claimed.attempts,
        response: o.result.response,
      },
      at: o.at,
    }));
    await appendAuditBatch(tx, events);
  });

  for (const v of verdicts) {
    if (v === 'sent') tally.sent += 1;
    else if (v === 'gave_up') tally.failed += 1;
    else if (v === 'uncertain') tally.uncertain += 1;
    else tally.retrying += 1;
  }
}

async function recordUnsent(tx: Tx, o: Outcome, verdict: Exclude<Verdict, 'sent'>): Promise<void> {
  const c = o.claimed;
  const at = o.at.toISOString();
  const retry = new Date(o.at.getTime() + retryDelayMs(c.attempts)).toISOString();
  const response =
    o.result.status === 'uncertain' ? `uncertain: ${o.result.response}` : o.result.response;

  // Only the attempt that holds the row may move it; a later attempt may have taken over.
  const mine = sql`${outbox.id} = ${c.id} AND ${outbox.status} = 'sending'
    AND ${outbox.attempts} = ${c.attempts}`;
  const set =
    verdict === 'retry'
      ? { status: 'queued', nextAttemptAt: retry, leaseUntil: null, lastResponse: response }
      : verdict === 'uncertain'
        ? // Left 'sending' with the lease ending at the retry time, exactly like a crashed
          // attempt, so that it is picked up as possibly delivered.
          { nextAttemptAt: retry, leaseUntil: retry, lastResponse: response }
        : { status: 'failed', nextAttemptAt: at, leaseUntil: null, lastResponse: response };
  const updated = await tx.update(outbox).set(set).where(mine).returning({ id: outbox.id });
  if (verdict !== 'gave_up' || updated.length === 0) return;

  await raiseStaffAlert(
    tx,
    {
      kind: 'delivery_failed',
      investigationId: c.investigationId,
      outboxId: c.id,
      dedupKey: `delivery-failed:${c.id}`,
      subject: `Notice to ${c.tenantId} could not be delivered to ${c.recipientEmail}`,
      body:
        `The ${c.recipientKind.replace('_', ' ')} ${c.recipientName} <${c.recipientEmail}> of ` +
        `tenant ${c.tenantId} was not reached after ${c.attempts} attempt(s).\n` +
        `Last answer: ${response}\nNotice ${c.noticeId}, Message-ID ${c.messageId}.`,
      at: o.at,
    },
    WORKER_ACTOR,
  );
  if (c.recipientKind === 'breach_contact') await checkNoticeReached(tx, c.noticeId, o.at);
}

export interface DeliverOptions {
  /** Rows claimed per query; default ten times the number of sends in flight. */
  batch?: number;
  /** Sends in flight at once; default the transport's concurrency (its pool size) times two. */
  concurrency?: number;
  /** How long a claim is held before another worker may take the row over. */
  leaseMs?: number;
  /**
   * How long an outcome may wait to be committed with others (group commit); default 100 ms.
   * Longer means fewer transactions and, after a crash, more sent-but-unrecorded messages
   * that go out again (detectably, with the same Message-ID).
   */
  commitDelayMs?: number;
  log?: Logger;
}

/**
 * Delivers every message that is due now and returns the tally. Sends overlap with the
 * writing of earlier outcomes: while one batch of outcomes is being committed, the next
 * accumulates (group commit), so the pool stays busy and each transaction carries many
 * messages. Returns once nothing more is due and every outcome is committed.
 */
export async function deliverDue(
  db: Db,
  transport: Transport,
  opts: DeliverOptions = {},
): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, failed: 0, retrying: 0, uncertain: 0 };
  const window = opts.concurrency ?? Math.max(1, (transport.concurrency ?? 1) * 2);
  const batch = opts.batch ?? window * 10;
  const leaseMs = opts.leaseMs ?? leaseFromEnv();

  const writer = new OutcomeWriter(db, tally, opts.commitDelayMs ?? 100, opts.log);
  const inFlight = new Set<Promise<void>>();
  let queue: Claimed[] = [];
  let exhausted = false;

  for (;;) {
    while (!exhausted && inFlight.size < window) {
      if (queue.length === 0) {
        queue = await claim(db, batch, new Date(), leaseMs);
        if (queue.length === 0) {
          exhausted = true;
          break;
        }
        const resent = queue.filter((c) => c.possiblySent);
        if (resent.length > 0) await recordRedeliveries(db, resent);
      }

      const c = queue.shift();
      if (!c) break;
      const sending: Promise<void> = transport
        .send(toMessage(c))
        // A transport must not throw; if one does, nobody knows what reached the server.
        .catch((err: unknown) => ({ status: 'uncertain' as const, response: String(err) }))
        .then((result) => writer.add({ claimed: c, result, at: new Date() }))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }

    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
    writer.throwIfFailed();
  }

  await writer.drain();
  return tally;
}

/**
 * Commits outcomes in the background, one transaction at a time (group commit): an outcome
 * waits up to `delayMs` for others, or until MAX_GROUP have gathered, and whatever arrives
 * while a transaction runs goes into the next one.
 */
class OutcomeWriter {
  private pending: Outcome[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly db: Db,
    private readonly tally: DeliveryTally,
    private readonly delayMs: number,
    private readonly log: Logger | undefined,
  ) {}

  add(outcome: Outcome): void {
    this.pending.push(outcome);
    this.log?.debug(
      {
        category: 'delivery',
        outboxId: outcome.claimed.id,
        noticeId: outcome.claimed.noticeId,
        status: outcome.result.status,
      },
      'delivery attempt',
    );
    if (this.running) return;
    if (this.pending.length >= MAX_GROUP) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.delayMs);
  }

  /** Rethrows a failed commit, so that a broken database stops the worker. */
  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Commits everything still pending, now. */
  async drain(): Promise<void> {
    for (;;) {
      this.start();
      if (!this.running) break;
      await this.running;
    }
    this.throwIfFailed();
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.pending.length === 0) return;

    // Cleared in a later tick, after the assignment, however quickly run() finishes.
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.pending.length > 0) this.timer ??= setTimeout(() => this.start(), this.delayMs);
    });
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0 && this.failure === null) {
      const batch = this.pending.splice(0, MAX_GROUP);
      // Uncommitted outcomes stay 'sending' and come back after their lease as possibly
      // delivered, so a failed commit loses nothing.
      await recordOutcomes(this.db, batch, this.tally).catch((err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
      });
    }
  }
}

function leaseFromEnv(): number {
  const seconds = Number(process.env.BREACHDESK_LEASE_SECONDS ?? '');
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_LEASE_MS;
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

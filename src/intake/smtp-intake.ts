/**
 * The inbound SMTP listener for vulnerability reports: a public report address, so no
 * authentication, but per-connection limits, a size limit (SIZE, RFC 1870) and STARTTLS
 * (RFC 3207) when a certificate is configured. Each accepted message is parsed, stored as a
 * signal with its files as evidence, and answered with a tracking reference: in the 250 reply,
 * and by mail to the envelope sender (email-ack.ts says when).
 */
import type { AddressInfo } from 'node:net';

import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

import type { Actor } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import type { Mailbox } from '../notify/message.ts';
import type { Transport } from '../notify/transport.ts';
import type { Db } from '../store/db.ts';
import type { CorrelationConfig } from './correlation-config.ts';
import { acknowledgementTarget, buildAcknowledgement } from './email-ack.ts';
import { type EmailStored, storeEmailEvidence } from './email-evidence.ts';
import { type EmailRecord, toEmailRecord } from './email-record.ts';
import { ingestEmailRecords } from './email-ingest.ts';
import { EMAIL_MAX_BYTES, emailAdapter } from './email.ts';
import type { LineResult } from './ingest.ts';
import type { IntakeAdapter } from './outcome.ts';

export interface EmailIntakeOptions {
  db: Db;
  /** The report addresses; mail for any other is refused at RCPT TO with 550. */
  addresses: readonly string[];
  /** 0 picks a free port (tests). */
  port: number;
  /** Defaults to 127.0.0.1: expose it on purpose, or put it behind your MX. */
  host?: string;
  /** PEM key and certificate; STARTTLS is offered only when they are given. */
  tls?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Largest message taken, in bytes (default EMAIL_MAX_BYTES); larger ones get 552. */
  maxBytes?: number;
  /** Connections open at once (default 20). */
  maxClients?: number;
  /** Messages one connection may send before it must reconnect (default 10). */
  maxMessagesPerConnection?: number;
  /** RCPT TO per message (default 5). */
  maxRecipients?: number;
  /** Idle time before a connection is dropped (default 60 s). */
  socketTimeoutMs?: number;
  /** How reporters are answered; without it no acknowledgement mail is sent. */
  acknowledge?: { transport: Transport; from: Mailbox } | null;
  /** Recorded in the audit log as the one who stored the signals. */
  actor?: Actor;
  dedupWindowHours?: number;
  correlation?: CorrelationConfig;
  log?: Logger;
}

/** Counts since the listener started. */
export interface EmailIntakeStats {
  /** Stored as signals (new reports, follow-ups and suppressed ones). */
  stored: number;
  /** Answered 250 but not stored: repeats of a stored message, automatic replies. */
  notStored: number;
  /** Refused after DATA: unreadable, unusable or too large. */
  refused: number;
  /** Answered 451 because the database failed; the sender will try again. */
  deferred: number;
  acknowledged: number;
  acknowledgementsFailed: number;
}

export interface EmailIntake {
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  stats: EmailIntakeStats;
  /** Stops listening, then waits for acknowledgements still being sent. */
  close(): Promise<void>;
}

const INTAKE_ACTOR: Actor = { id: 'system:email-intake', role: 'reporter', tenantId: null };
const MAILBOX = /^[^\s@<>()[\]\\,;:"]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

/** Starts the listener; resolves once it is bound. Bad options are BD_CONFIG_INVALID. */
export async function startEmailIntake(opts: EmailIntakeOptions): Promise<EmailIntake> {
  const addresses = new Set(opts.addresses.map((a) => a.trim().toLowerCase()));
  const maxBytes = opts.maxBytes ?? EMAIL_MAX_BYTES;
  const maxMessages = opts.maxMessagesPerConnection ?? 10;
  checkOptions(opts, addresses, maxBytes);

  const log = opts.log?.child({ category: 'email-intake' });
  const stats: EmailIntakeStats = {
    stored: 0,
    notStored: 0,
    refused: 0,
    deferred: 0,
    acknowledged: 0,
    acknowledgementsFailed: 0,
  };
  const acksInFlight = new Set<Promise<void>>();
  const reportAddress = [...addresses][0] ?? '';

  const server = new SMTPServer({
    banner: 'Breachdesk vulnerability report intake',
    authOptional: true,
    // Without a certificate STARTTLS is not offered at all, rather than with a stand-in one.
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    size: maxBytes,
    maxClients: opts.maxClients ?? 20,
    maxRecipients: opts.maxRecipients ?? 5,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    closeTimeout: 5_000,
    // No DNS lookups for who connects: the reply would only be decoration, and slow.
    disableReverseLookup: true,
    logger: false,
    onMailFrom(_address, session, callback) {
      if (session.transaction <= maxMessages) return callback();
      callback(smtpError(421, `4.7.0 at most ${maxMessages} messages per connection`));
    },
    onRcptTo(rcpt, _session, callback) {
      if (addresses.has(rcpt.address.trim().toLowerCase())) return callback();
      // RFC 5321 §4.2.2: 550, no such mailbox; the report address is public, so say it.
      callback(
        smtpError(
          550,
          `5.1.1 <${rcpt.address}> is not a report address here; ` +
            `send vulnerability reports to <${reportAddress}>`,
        ),
      );
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (reply) => callback(null, reply),
        (err: Error) => callback(err),
      );
    },
  });
  server.on('error', (err) => log?.error({ err }, 'email intake listener error'));

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession) {
    const raw = await collect(stream, maxBytes);
    if (raw === null) {
      stats.refused += 1;
      log?.info({ session: session.id, bytes: stream.byteLength }, 'message refused: too large');
      throw smtpError(552, `5.3.4 message is larger than the ${maxBytes}-byte limit`);
    }

    let record: EmailRecord;
    try {
      record = await toEmailRecord(raw, envelopeOf(session));
    } catch (err) {
      stats.refused += 1;
      log?.info({ session: session.id, err }, 'message refused: not readable');
      throw smtpError(554, '5.6.0 the message cannot be read as MIME');
    }

    const { result, stored } = await fileReport(record, session);
    return answer(result, stored, record, session);
  }

  /**
   * Stores the report through the common intake path, with the report it follows up if any
   * (email-thread.ts), capturing what the hook kept.
   */
  async function fileReport(record: EmailRecord, session: SMTPServerSession) {
    let stored: EmailStored | null = null;
    const adapter: IntakeAdapter = {
      ...emailAdapter,
      afterStore: async (tx, ids, signal) => {
        stored = await storeEmailEvidence(tx, ids, signal.raw);
      },
    };

    try {
      const summary = await ingestEmailRecords(opts.db, adapter, [{ line: 1, record }], {
        actor: opts.actor ?? INTAKE_ACTOR,
        source: 'email',
        keepAllResults: true,
        ...(opts.dedupWindowHours === undefined ? {} : { dedupWindowHours: opts.dedupWindowHours }),
        ...(opts.correlation === undefined ? {} : { correlation: opts.correlation }),
        ...(log === undefined ? {} : { log }),
      });
      const result = summary.results[0];
      if (result === undefined) throw new Error('intake returned no result for the message');
      return { result, stored: stored as EmailStored | null };
    } catch (err) {
      // Nothing is lost: a temporary reply makes the sending server try again later.
      stats.deferred += 1;
      log?.error({ err, session: session.id }, 'report not stored; deferred');
      throw smtpError(451, '4.3.0 the report cannot be stored now, try again later');
    }
  }

  function answer(
    result: LineResult,
    stored: EmailStored | null,
    record: EmailRecord,
    session: SMTPServerSession,
  ): string {
    const fields = { session: session.id, status: result.status };
    if (result.status === 'rejected') {
      stats.refused += 1;
      log?.info({ ...fields, code: result.code, field: result.field }, 'message refused');
      throw smtpError(554, `5.6.0 report not accepted: ${result.reason}`.slice(0, 400));
    }
    if (stored === null) {
      stats.notStored += 1;
      log?.info(fields, 'message not stored');
      return result.status === 'skipped'
        ? `message received, not filed: ${result.reason}`
        : 'message received before; nothing new stored';
    }

    stats.stored += 1;
    log?.info(
      {
        ...fields,
        signalId: stored.signalId,
        investigationId: stored.investigationId,
        reference: stored.reportReference,
        files: stored.evidence.length,
      },
      'report stored',
    );
    if (result.status === 'accepted' || result.status === 'duplicate') {
      acknowledge(record, stored, session);
    }
    return `report received, reference ${stored.reportReference}`;
  }

  function acknowledge(record: EmailRecord, stored: EmailStored, session: SMTPServerSession) {
    const ack = opts.acknowledge;
    const target = acknowledgementTarget(record);
    if (!ack || 'skip' in target) {
      const reason = 'skip' in target ? target.skip : 'no acknowledgement transport';
      log?.info({ session: session.id, reason }, 'no acknowledgement sent');
      return;
    }

    const message = buildAcknowledgement({
      from: ack.from,
      to: target.to,
      reference: stored.reportReference,
      signalId: stored.signalId,
      subject: record.subject,
      receivedAt: new Date(),
      evidence: stored.evidence,
    });
    const sending = ack.transport.send(message).then((delivery) => {
      const fields = { session: session.id, reference: stored.reportReference };
      if (delivery.status === 'sent') {
        stats.acknowledged += 1;
        log?.info(fields, 'acknowledgement sent');
      } else {
        stats.acknowledgementsFailed += 1;
        log?.warn({ ...fields, delivery }, 'acknowledgement not sent');
      }
    });
    acksInFlight.add(sending);
    void sending.finally(() => acksInFlight.delete(sending));
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
  log?.info({ port, host: opts.host ?? '127.0.0.1', tls: Boolean(opts.tls) }, 'listening');

  return {
    port,
    stats,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...acksInFlight]);
    },
  };
}

function checkOptions(opts: EmailIntakeOptions, addresses: Set<string>, maxBytes: number): void {
  if (addresses.size === 0) {
    fail('BD_CONFIG_INVALID', 'at least one report address is needed', 'addresses');
  }
  for (const address of addresses) {
    if (!MAILBOX.test(address)) {
      fail(
        'BD_CONFIG_INVALID',
        `report address ${JSON.stringify(address.slice(0, 80))} must be one plain address, ` +
          'like security@example.org',
        'addresses',
      );
    }
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024) {
    fail(
      'BD_CONFIG_INVALID',
      'maxBytes must be a whole number of bytes, at least 1024',
      'maxBytes',
    );
  }
  const from = opts.acknowledge?.from.address.trim().toLowerCase();
  if (from !== undefined && !MAILBOX.test(from)) {
    fail(
      'BD_CONFIG_INVALID',
      'the acknowledgement sender must be one plain address, like security@example.org',
      'acknowledge.from',
    );
  }
}

/**
 * The message bytes, or null once they pass `maxBytes`; the rest is read and dropped so the
 * client gets its reply, and memory never holds more than the limit.
 */
async function collect(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | null> {
  let chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
    else chunks = [];
  }
  return size > maxBytes || stream.sizeExceeded ? null : Buffer.concat(chunks);
}

function envelopeOf(session: SMTPServerSession): EmailRecord['envelope'] {
  return {
    mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    clientAddress: session.remoteAddress || null,
  };
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * Asynchronous bounces: delivery status notifications (RFC 3464) sent over real SMTP to the
 * bounce listener, matched to the outbox by the original Message-ID.
 */
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEntriesFor, verifyAuditLog } from '../../src/audit/log.ts';
import { type BounceListener, parseDsn, startBounceListener } from '../../src/notify/bounces.ts';
import { notificationState } from '../../src/notify/reachability.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import { iso, type Store } from '../../src/store/db.ts';
import { clocks, outbox, staffAlerts } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  type SeededFanout,
  type ScriptedSink,
  seedFanout,
  startScriptedSink,
} from '../support/delivery-fixtures.ts';
import { snapshot } from '../support/factories.ts';

const BOUNCES = 'bounces@provider.example';

interface DsnSpec {
  messageId: string;
  recipient?: string;
  action?: string;
  status?: string;
  diagnostic?: string;
  /** How the original is returned: whole, headers only, or not at all (In-Reply-To only). */
  returned?: 'message' | 'headers' | 'none';
}

/** A DSN as a receiving MTA would write it (RFC 3464 §2, RFC 6522). */
function buildDsn(spec: DsnSpec): string {
  const rcpt = spec.recipient ?? 'dpo@acme.example';
  const original = [
    'From: Breachdesk security response <breachdesk@breachdesk.invalid>',
    `To: ${rcpt}`,
    'Subject: Personal data breach notification',
    `Message-ID: ${spec.messageId}`,
    '',
    'Dear acme,',
  ];
  const returned =
    spec.returned === 'none'
      ? []
      : [
          '--REPORT',
          `Content-Type: ${spec.returned === 'headers' ? 'text/rfc822-headers' : 'message/rfc822'}`,
          '',
          ...(spec.returned === 'headers' ? original.slice(0, 4) : original),
          '',
        ];
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>',
    `To: ${BOUNCES}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <dsn.1@mx.acme.example>',
    ...(spec.returned === 'none' ? [`In-Reply-To: ${spec.messageId}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"',
    '',
    '--REPORT',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered. Status: 2.0.0 (this line is for people)',
    '',
    '--REPORT',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.acme.example',
    '',
    `Final-Recipient: rfc822; ${rcpt}`,
    `Action: ${spec.action ?? 'failed'}`,
    `Status: ${spec.status ?? '5.1.1'}`,
    `Diagnostic-Code: ${spec.diagnostic ?? 'smtp; 550 5.1.1 <dpo@acme.example>: Recipient address\r\n rejected: User unknown'}`,
    '',
    ...returned,
    '--REPORT--',
    '',
  ].join('\r\n');
}

/** Sends `raw` to the listener over SMTP with the null reverse-path DSNs use (RFC 5321 §4.5.5). */
async function sendToListener(port: number, raw: string, to = BOUNCES) {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
  try {
    return await client.sendMail({ envelope: { from: '', to: [to] }, raw });
  } finally {
    client.close();
  }
}

describe('reading a delivery status notification', () => {
  it('finds the original Message-ID in the returned message', async () => {
    const dsn = await parseDsn(buildDsn({ messageId: '<bd.1@breachdesk.invalid>' }));

    expect(dsn?.originalMessageId).toBe('<bd.1@breachdesk.invalid>');
  });

  it('finds it in returned headers (text/rfc822-headers)', async () => {
    const dsn = await parseDsn(
      buildDsn({ messageId: '<bd.2@breachdesk.invalid>', returned: 'headers' }),
    );

    expect(dsn?.originalMessageId).toBe('<bd.2@breachdesk.invalid>');
  });

  it('falls back to In-Reply-To when nothing of the original is returned', async () => {
    const dsn = await parseDsn(
      buildDsn({ messageId: '<bd.3@breachdesk.invalid>', returned: 'none' }),
    );

    expect(dsn?.originalMessageId).toBe('<bd.3@breachdesk.invalid>');
  });

  it('reads Action, Status and a folded Diagnostic-Code from the machine-readable part', async () => {
    const dsn = await parseDsn(buildDsn({ messageId: '<bd.4@breachdesk.invalid>' }));

    expect(dsn?.recipients).toEqual([
      {
        finalRecipient: 'dpo@acme.example',
        action: 'failed',
        status: '5.1.1',
        diagnosticCode:
          'smtp; 550 5.1.1 <dpo@acme.example>: Recipient address rejected: User unknown',
      },
    ]);
  });

  it('returns null for mail that is not a delivery status report', async () => {
    const dsn = await parseDsn('From: a@b.example\r\nSubject: out of office\r\n\r\nAway.\r\n');

    expect(dsn).toBeNull();
  });
});

describeEachBackend('the bounce listener', (backend) => {
  let store: Store;
  let sink: ScriptedSink;
  let listener: BounceListener;
  let seeded: SeededFanout;

  function messageIdOf(email: string): string {
    return seeded.rows.get(email)?.messageId ?? '';
  }

  async function rowOf(email: string) {
    const [row] = await store.db.select().from(outbox).where(eq(outbox.recipientEmail, email));
    return row;
  }

  beforeEach(async () => {
    store = await backend.open();
    sink = await startScriptedSink();
    seeded = await seedFanout(store.db, [
      { id: 'acme', contacts: ['dpo@acme.example', 'ciso@acme.example'] },
    ]);
    const transport = createTransport({
      smtpUrl: sink.url,
      outboxDir: '/x',
      envelopeFrom: BOUNCES,
    });
    await deliverDue(store.db, transport).finally(() => transport.close());
    listener = await startBounceListener({ db: store.db, address: BOUNCES, port: 0 });
  });
  afterEach(async () => {
    await listener.close();
    await sink.close();
    await store.close();
  });

  it('sends notices with the bounce address as envelope sender, where reports go', () => {
    expect([...new Set(sink.received.map((r) => r.mailFrom))]).toEqual([BOUNCES]);
  });

  it('marks the bounced recipient failed with the Status and Diagnostic-Code', async () => {
    await sendToListener(listener.port, buildDsn({ messageId: messageIdOf('dpo@acme.example') }));

    const row = await rowOf('dpo@acme.example');
    expect(row?.status).toBe('failed');
    expect(row?.bouncedAt).not.toBeNull();
    expect(row?.lastResponse).toContain('Status: 5.1.1; Diagnostic-Code: smtp; 550 5.1.1');
  });

  it('alerts the incident manager once, however often the same report arrives', async () => {
    const dsn = buildDsn({ messageId: messageIdOf('dpo@acme.example') });
    await sendToListener(listener.port, dsn);
    await sendToListener(listener.port, dsn);

    const alerts = await store.db.select().from(staffAlerts);
    expect(alerts.map((a) => a.kind)).toEqual(['delivery_failed']);
  });

  it('flags the tenant not notified and reopens its clock once every contact bounced', async () => {
    await sendToListener(listener.port, buildDsn({ messageId: messageIdOf('dpo@acme.example') }));
    await sendToListener(
      listener.port,
      buildDsn({ messageId: messageIdOf('ciso@acme.example'), recipient: 'ciso@acme.example' }),
    );

    const [acme] = await notificationState(store.db, seeded.investigationId);
    expect(acme?.state).toBe('not_notified');
    const [clock] = await store.db.select().from(clocks).where(eq(clocks.tenantKey, 'acme'));
    expect(clock?.metAt).toBeNull();
  });

  it('keeps in the audit log when the reopened clock had been met', async () => {
    const bounce = (email: string) =>
      sendToListener(listener.port, buildDsn({ messageId: messageIdOf(email), recipient: email }));
    await bounce('dpo@acme.example');
    // Met by the delivery to ciso@ now, if that one came after the one to dpo@.
    const [met] = await store.db.select().from(clocks).where(eq(clocks.tenantKey, 'acme'));
    await bounce('ciso@acme.example');

    const [reopened] = (await auditEntriesFor(store.db, seeded.investigationId)).filter(
      (e) => e.action === 'clock.reopened',
    );
    expect(JSON.parse(reopened?.data ?? '{}')).toMatchObject({
      previouslyMetAt: [{ clockId: met?.id, metAt: iso(met?.metAt ?? null) }],
    });
    expect(met?.metAt).not.toBeNull();
  });

  it('keeps the tenant notified while one contact still received the notice', async () => {
    await sendToListener(listener.port, buildDsn({ messageId: messageIdOf('dpo@acme.example') }));

    const [acme] = await notificationState(store.db, seeded.investigationId);
    expect(acme?.state).toBe('notified');
  });

  it('matches a report that returns only the headers of the original', async () => {
    await sendToListener(
      listener.port,
      buildDsn({ messageId: messageIdOf('dpo@acme.example'), returned: 'headers' }),
    );

    expect((await rowOf('dpo@acme.example'))?.status).toBe('failed');
  });

  it('leaves the recipient sent when the report says the delivery is only delayed', async () => {
    await sendToListener(
      listener.port,
      buildDsn({ messageId: messageIdOf('dpo@acme.example'), action: 'delayed', status: '4.4.7' }),
    );

    expect((await rowOf('dpo@acme.example'))?.status).toBe('sent');
    expect(listener.stats.notFailed).toBe(1);
  });

  it('counts a report about mail it never sent and changes nothing', async () => {
    const before = await snapshot(store.db);

    await sendToListener(
      listener.port,
      buildDsn({ messageId: '<someone.else@elsewhere.example>' }),
    );

    expect(listener.stats.unmatched).toBe(1);
    expect(await snapshot(store.db)).toEqual(before);
  });

  it('accepts mail that is not a report, counts it, and stays up', async () => {
    await sendToListener(listener.port, 'From: x@y.example\r\nSubject: hi\r\n\r\nnot a DSN\r\n');
    await sendToListener(listener.port, buildDsn({ messageId: messageIdOf('dpo@acme.example') }));

    expect([listener.stats.unmatched, listener.stats.bounced]).toEqual([1, 1]);
  });

  it('refuses mail addressed to anything but the bounce address', async () => {
    await expect(
      sendToListener(
        listener.port,
        buildDsn({ messageId: '<x@y>' }),
        'postmaster@provider.example',
      ),
    ).rejects.toMatchObject({ responseCode: 550 });
  });

  it('keeps the audit chain valid through a bounce', async () => {
    await sendToListener(listener.port, buildDsn({ messageId: messageIdOf('dpo@acme.example') }));

    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
  });
});

/**
 * Follow-ups to an e-mail report over the real SMTP listener (nodemailer on loopback), with
 * the process clock moved forward between the messages. Regression: a follow-up that arrived
 * more than 24 hours after its report opened a new investigation under a new reference; the
 * thread headers or the reference now decide, not the time in between.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

import { type EmailIntake, startEmailIntake } from '../../src/intake/smtp-intake.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import type { Store } from '../../src/store/db.ts';
import { investigations, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const REPORT_ADDRESS = 'security@provider.example';
const REPORTER = 'researcher@example.org';
const SUBJECT = 'SQL injection in the export API';
const DAY_MS = 86_400_000;

/** A message as a researcher's mail client sends it; Date comes from the (moved) clock. */
function mail(over: SendMailOptions = {}): SendMailOptions {
  return {
    from: `Researcher <${REPORTER}>`,
    to: REPORT_ADDRESS,
    subject: SUBJECT,
    text: 'The export API is injectable: https://api.provider.example/v1/export?id=1%27--',
    messageId: '<report-1@example.org>',
    ...over,
  };
}

/** Sends over a fresh connection; returns the tracking reference of the 250 reply. */
async function send(port: number, message: SendMailOptions): Promise<string | undefined> {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
  try {
    const info = (await client.sendMail(message)) as { response?: string };
    return /VR-[0-9A-Z]{10}/.exec(info.response ?? '')?.[0];
  } finally {
    client.close();
  }
}

function moveClock(days: number): void {
  vi.setSystemTime(new Date(Date.now() + days * DAY_MS));
}

describeEachBackend('e-mail follow-ups', (backend) => {
  let store: Store;
  let sink: SmtpSink;
  let transport: Transport;
  let intake: EmailIntake;
  let outbox: string;

  beforeEach(async () => {
    // Only Date is faked, and it keeps running: sockets and database timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    store = await backend.open();
    sink = await startSmtpSink();
    outbox = mkdtempSync(join(tmpdir(), 'bd-follow-up-'));
    transport = createTransport({ smtpUrl: sink.url, outboxDir: outbox, poolSize: 1 });
    intake = await startEmailIntake({
      db: store.db,
      addresses: [REPORT_ADDRESS],
      port: 0,
      acknowledge: { transport, from: { name: 'Security team', address: REPORT_ADDRESS } },
    });
  });

  afterEach(async () => {
    await intake.close();
    await transport.close();
    await sink.close();
    await store.close();
    rmSync(outbox, { recursive: true, force: true });
    vi.useRealTimers();
  });

  /** Waits until `count` acknowledgements have reached the sink. */
  async function acknowledgements(count: number) {
    for (let waited = 0; sink.received.length < count && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return sink.received;
  }

  const investigationCount = async () => (await store.db.select().from(investigations)).length;

  it('files a reply to the acknowledgement 3 days later under the first reference', async () => {
    const reference = await send(intake.port, mail());
    const [ack] = await acknowledgements(1);
    moveClock(3);

    const again = await send(
      intake.port,
      mail({
        subject: `Re: ${SUBJECT} [${reference}]`,
        messageId: '<report-2@example.org>',
        inReplyTo: ack?.parsed.messageId,
        references: [ack?.parsed.messageId ?? ''],
      }),
    );

    expect(again).toBe(reference);
    expect(await investigationCount()).toBe(1);
    const [, second] = await acknowledgements(2);
    expect(second?.parsed.subject).toBe(`Re: ${SUBJECT} [${reference}]`);
  });

  it('files a reply to the acknowledgement by its In-Reply-To, from any address', async () => {
    const reference = await send(intake.port, mail());
    const [ack] = await acknowledgements(1);
    moveClock(3);

    const again = await send(
      intake.port,
      mail({
        from: 'colleague@example.org',
        subject: 'Re: your acknowledgement',
        messageId: '<colleague-1@example.org>',
        inReplyTo: ack?.parsed.messageId,
      }),
    );

    expect(again).toBe(reference);
    expect(await investigationCount()).toBe(1);
  });

  it('files a reply by its thread headers alone, whatever its Subject', async () => {
    const reference = await send(intake.port, mail());
    moveClock(10);

    const again = await send(
      intake.port,
      mail({
        subject: 'More details: the admin export is affected too',
        messageId: '<report-2@example.org>',
        inReplyTo: '<report-1@example.org>',
      }),
    );

    expect(again).toBe(reference);
    expect(await investigationCount()).toBe(1);
  });

  it("files a message carrying the reporter's own reference, without thread headers", async () => {
    const reference = await send(intake.port, mail());
    moveClock(30);

    const again = await send(
      intake.port,
      mail({ subject: `Any news? [${reference}]`, messageId: '<report-2@example.org>' }),
    );

    expect(again).toBe(reference);
    expect(await investigationCount()).toBe(1);
  });

  it('files a reference quoted by another sender as a new report', async () => {
    const reference = await send(intake.port, mail());
    moveClock(3);

    const other = await send(
      intake.port,
      mail({
        from: 'someone@elsewhere.example',
        subject: `Re: ${SUBJECT} [${reference}]`,
        messageId: '<other-1@elsewhere.example>',
      }),
    );

    expect(other).not.toBe(reference);
    expect(await investigationCount()).toBe(2);
  });

  it('does not take a made-up acknowledgement id from another sender', async () => {
    await send(intake.port, mail());
    const [row] = await store.db.select().from(signals);
    moveClock(3);

    await send(
      intake.port,
      mail({
        from: 'someone@elsewhere.example',
        subject: 'Re: your report',
        messageId: '<other-1@elsewhere.example>',
        inReplyTo: `<bd.ack.${row?.id}.${'0'.repeat(40)}@provider.example>`,
      }),
    );

    expect(await investigationCount()).toBe(2);
  });

  it('files a message without thread headers or reference days later as a new report', async () => {
    const reference = await send(intake.port, mail());
    moveClock(3);

    const again = await send(intake.port, mail({ messageId: '<report-2@example.org>' }));

    expect(again).not.toBe(reference);
    expect(await investigationCount()).toBe(2);
  });

  it('files a follow-up to a closed investigation as a new report', async () => {
    const reference = await send(intake.port, mail());
    // Closing takes a classification and a post-mortem; only the stage matters here.
    await store.db.update(investigations).set({ stage: 'close' });
    moveClock(3);

    const again = await send(
      intake.port,
      mail({ messageId: '<report-2@example.org>', inReplyTo: '<report-1@example.org>' }),
    );

    expect(again).not.toBe(reference);
    const open = await store.db
      .select()
      .from(investigations)
      .where(eq(investigations.stage, 'detect'));
    expect(open).toHaveLength(1);
  });
});

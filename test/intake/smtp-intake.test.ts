/**
 * The e-mail report listener, driven by a real SMTP client (nodemailer) on loopback, storing
 * into a real database, acknowledging through the project's transport to the SMTP sink.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import nodemailer from 'nodemailer';
import type { SendMailOptions, SentMessageInfo } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Observable } from '../../src/domain/types.ts';
import { acknowledgementTarget } from '../../src/intake/email-ack.ts';
import type { EmailRecord } from '../../src/intake/email-record.ts';
import { type EmailIntake, startEmailIntake } from '../../src/intake/smtp-intake.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import type { Store } from '../../src/store/db.ts';
import { evidenceFiles, investigations, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const REPORT_ADDRESS = 'security@provider.example';
const REPORTER = 'researcher@example.org';

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A report as a researcher's mail client would send it. */
function report(over: SendMailOptions = {}): SendMailOptions {
  return {
    from: `Researcher <${REPORTER}>`,
    to: REPORT_ADDRESS,
    subject: 'CVE-2026-1234: SQL injection in the export API',
    text: 'The export API is injectable; see CVE-2026-1234 and https://api.provider.example/v1.',
    messageId: '<report-1@example.org>',
    ...over,
  };
}

/** Sends over one fresh connection; resolves with the server's reply or the client error. */
async function send(
  port: number,
  mail: SendMailOptions,
  extra: Record<string, unknown> = {},
): Promise<SentMessageInfo | { error: Error & { responseCode?: number; code?: string } }> {
  const client = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    ...extra,
  });
  try {
    return await client.sendMail(mail);
  } catch (error) {
    return { error: error as Error };
  } finally {
    client.close();
  }
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A plain SMTP dialogue over a socket: sends each command once the previous reply is complete
 * (RFC 5321 §4.2: the last line of a reply has a space after the code) and returns the replies,
 * the greeting first. Stops early when the server closes the connection.
 */
async function dialogue(port: number, commands: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
  });
  socket.on('close', () => {
    closed = true;
  });

  const replies: string[] = [];
  const nextReply = async () => {
    await waitFor(() => /^\d{3} .*\r\n/m.test(buffer) || closed, 'an SMTP reply');
    const last = /^\d{3} .*\r\n/m.exec(buffer);
    if (!last) return null;
    const end = last.index + last[0].length;
    const reply = buffer.slice(0, end);
    buffer = buffer.slice(end);
    return reply;
  };

  for (const command of [null, ...commands]) {
    if (command !== null) socket.write(`${command}\r\n`);
    const reply = await nextReply();
    if (reply === null) break;
    replies.push(reply);
  }
  socket.destroy();
  return replies;
}

/** The capability lines the listener answers EHLO with (RFC 5321 §4.1.1.1). */
async function ehloCapabilities(port: number): Promise<string[]> {
  const [, ehlo = ''] = await dialogue(port, ['EHLO tester.example']);
  return ehlo
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(4));
}

describeEachBackend('e-mail report listener', (backend) => {
  let store: Store;
  let sink: SmtpSink;
  let transport: Transport;
  let intake: EmailIntake | null;
  let outbox: string;

  async function start(over: Partial<Parameters<typeof startEmailIntake>[0]> = {}) {
    intake = await startEmailIntake({
      db: store.db,
      addresses: [REPORT_ADDRESS],
      port: 0,
      acknowledge: { transport, from: { name: 'Security team', address: REPORT_ADDRESS } },
      ...over,
    });
    return intake;
  }

  beforeEach(async () => {
    store = await backend.open();
    sink = await startSmtpSink();
    outbox = mkdtempSync(join(tmpdir(), 'bd-ack-'));
    transport = createTransport({ smtpUrl: sink.url, outboxDir: outbox, poolSize: 1 });
    intake = null;
  });

  afterEach(async () => {
    await intake?.close();
    await transport.close();
    await sink.close();
    await store.close();
    rmSync(outbox, { recursive: true, force: true });
  });

  it('stores an accepted report as a signal with its CVE observables', async () => {
    const { port } = await start();

    const info = await send(port, report());

    expect(info).toMatchObject({ response: expect.stringMatching(/^250 .*VR-[0-9A-Z]{10}/) });
    const [row] = await store.db.select().from(signals);
    expect(row).toMatchObject({
      format: 'email',
      source: 'email',
      sourceKind: 'vulnerability_report',
      reporter: REPORTER,
    });
    expect(row?.observables).toContainEqual(
      expect.objectContaining({ kind: 'cve', value: 'CVE-2026-1234' }),
    );
  });

  it('refuses mail for another address at RCPT TO with 550 and stores nothing', async () => {
    const { port } = await start();

    const result = await send(port, report({ to: 'sales@provider.example' }));

    expect(result).toMatchObject({
      error: { responseCode: 550, response: expect.stringContaining(REPORT_ADDRESS) },
    });
    expect(await store.db.select().from(signals)).toEqual([]);
  });

  it('refuses a message over the size limit with 552 and stores nothing', async () => {
    const { port } = await start({ maxBytes: 64 * 1024 });

    const result = await send(port, report({ text: 'A'.repeat(200 * 1024) }));

    expect(result).toMatchObject({ error: { responseCode: 552 } });
    expect(await store.db.select().from(signals)).toEqual([]);
  });

  it('advertises the size limit with the SIZE extension', async () => {
    const { port } = await start({ maxBytes: 64 * 1024 });

    expect(await ehloCapabilities(port)).toContain(`SIZE ${64 * 1024}`);
  });

  it('keeps attachments as evidence whose hashes are those of the files sent', async () => {
    const poc = Buffer.from('#!/bin/sh\ncurl "https://api.provider.example/v1?id=1%27--"\n');
    const capture = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    const { port } = await start();

    await send(
      port,
      report({
        attachments: [
          { filename: 'poc.sh', content: poc },
          {
            filename: 'capture.pcap',
            content: capture,
            contentType: 'application/vnd.tcpdump.pcap',
          },
        ],
      }),
    );

    const files = await store.db.select().from(evidenceFiles);
    const byName = new Map(files.map((f) => [f.fileName, f]));
    expect(byName.get('poc.sh')).toMatchObject({ sha256: sha256(poc), size: poc.length });
    expect(byName.get('capture.pcap')).toMatchObject({ sha256: sha256(capture), size: 4096 });
    expect(Buffer.from(byName.get('capture.pcap')?.contentBase64 ?? '', 'base64')).toEqual(capture);
  });

  it('sends the reporter an acknowledgement carrying the reference', async () => {
    const { port } = await start();

    await send(port, report());
    await waitFor(() => sink.received.length > 0, 'the acknowledgement');

    const [row] = await store.db.select().from(signals);
    const [ack] = sink.received;
    expect(ack?.rcptTo).toEqual([REPORTER]);
    expect(ack?.parsed.subject).toContain(`[${row?.reference}]`);
    expect(ack?.parsed.text).toContain(`Reference: ${row?.reference}`);
  });

  it('acknowledges the envelope sender, not the From header', async () => {
    const { port } = await start();

    await send(
      port,
      report({
        from: 'someone-else@victim.example',
        envelope: { from: REPORTER, to: [REPORT_ADDRESS] },
      }),
    );
    await waitFor(() => sink.received.length > 0, 'the acknowledgement');

    expect(sink.received.map((m) => m.rcptTo)).toEqual([[REPORTER]]);
  });

  it('stores a report from the null sender but does not acknowledge it', async () => {
    const { port } = await start();

    await send(port, report({ envelope: { from: '', to: [REPORT_ADDRESS] } }));
    await intake?.close();
    intake = null;

    const [row] = await store.db.select().from(signals);
    expect((row?.raw as EmailRecord).envelope?.mailFrom).toBe('');
    expect(sink.received).toEqual([]);
  });

  it('answers a follow-up with the reference of the first report', async () => {
    const { port } = await start();

    const first = await send(port, report());
    const reply = await send(
      port,
      report({ subject: 'Re: CVE-2026-1234: SQL injection', messageId: '<report-2@example.org>' }),
    );

    const referenceIn = (info: unknown) =>
      /VR-[0-9A-Z]{10}/.exec((info as SentMessageInfo).response ?? '')?.[0];
    expect(referenceIn(reply)).toBe(referenceIn(first));
    expect(await store.db.select().from(investigations)).toHaveLength(1);
  });

  it('stores and acknowledges a message sent twice only once', async () => {
    const { port } = await start();

    await send(port, report());
    await send(port, report());
    await intake?.close();
    intake = null;

    expect(await store.db.select().from(signals)).toHaveLength(1);
    expect(sink.received).toHaveLength(1);
  });

  it('refuses a malformed message with 554 and leaves nothing behind', async () => {
    const { port } = await start();
    const noFrom = ['To: security@provider.example', 'Subject: hello', '', 'no sender'].join(
      '\r\n',
    );

    const result = await send(port, {
      envelope: { from: REPORTER, to: [REPORT_ADDRESS] },
      raw: noFrom,
    });

    expect(result).toMatchObject({ error: { responseCode: 554 } });
    expect(await store.db.select().from(signals)).toEqual([]);
    expect(await store.db.select().from(evidenceFiles)).toEqual([]);
    expect(await store.db.select().from(investigations)).toEqual([]);
  });

  it('answers 451 when the database cannot store the report, so the sender retries', async () => {
    await store.close();
    store = await backend.openOwn();
    const { port } = await start();
    await store.close();

    const result = await send(port, report());

    expect(result).toMatchObject({ error: { responseCode: 451 } });
    store = await backend.open();
  });

  it('closes a connection that sends more messages than allowed', async () => {
    const { port } = await start({ maxMessagesPerConnection: 1 });
    const message = ['From: <researcher@example.org>', 'Subject: XSS in search', '', 'Details.'];

    const replies = await dialogue(port, [
      'EHLO tester.example',
      `MAIL FROM:<${REPORTER}>`,
      `RCPT TO:<${REPORT_ADDRESS}>`,
      'DATA',
      [...message, '.'].join('\r\n'),
      `MAIL FROM:<${REPORTER}>`,
    ]);

    expect(replies.map((r) => r.slice(0, 3))).toEqual([
      '220',
      '250',
      '250',
      '250',
      '354',
      '250',
      '421',
    ]);
  });

  describe.skipIf(!hasPublicData)('with a real advisory', () => {
    it('stores the signed Debian advisory with its CVEs and signature, unanswered', async () => {
      const raw = readFileSync(`${PUBLIC_DATA}/oss-security-emails/02-fw-dsa-3775-1-tcpdump.eml`);
      const { port } = await start();

      await send(port, { envelope: { from: REPORTER, to: [REPORT_ADDRESS] }, raw });
      await intake?.close();
      intake = null;

      const [row] = await store.db.select().from(signals);
      const files = await store.db.select().from(evidenceFiles);
      const observables = (row?.observables ?? []) as Observable[];
      expect(observables.filter((o) => o.kind === 'cve')).toHaveLength(41);
      expect(files.map((f) => f.fileName).sort()).toEqual(['message.eml', 'signature.asc']);
      // It came through a mailing list (List-Id): RFC 3834 §2, no automatic answer.
      expect(sink.received).toEqual([]);
    });
  });

  it('does not offer STARTTLS without a certificate', async () => {
    const { port } = await start();

    expect(await ehloCapabilities(port)).not.toContain('STARTTLS');
  });

  describe.skipIf(!hasOpenssl())('with a certificate', () => {
    it('offers STARTTLS and takes a report over TLS', async () => {
      const { port } = await start({ tls: selfSignedCertificate(outbox) });

      const info = await send(port, report(), {
        ignoreTLS: false,
        requireTLS: true,
        // The test certificate is self-signed; trust is not what is under test.
        tls: { rejectUnauthorized: false },
      });

      expect(await ehloCapabilities(port)).toContain('STARTTLS');
      expect(info).toMatchObject({ response: expect.stringMatching(/^250 /) });
    });
  });

  if (!hasOpenssl()) {
    it.skip('openssl not found: the STARTTLS case needs it to make a test certificate', () => {});
  }
});

describe('acknowledgementTarget', () => {
  const record = (over: Partial<EmailRecord>): EmailRecord =>
    ({
      headers: {},
      envelope: { mailFrom: REPORTER, rcptTo: [REPORT_ADDRESS], clientAddress: '127.0.0.1' },
      ...over,
    }) as EmailRecord;

  it('answers the envelope sender of an ordinary report', () => {
    expect(acknowledgementTarget(record({}))).toEqual({ to: REPORTER });
  });

  it('does not answer mailing-list traffic or automatic mail (RFC 3834 §2)', () => {
    const decisions = [
      record({ headers: { 'list-id': '<oss-security.lists.openwall.com>' } }),
      record({ headers: { precedence: 'bulk' } }),
      record({ headers: { 'auto-submitted': 'auto-generated' } }),
    ].map(acknowledgementTarget);

    expect(decisions.every((d) => 'skip' in d)).toBe(true);
  });

  it('does not answer a message read from a file', () => {
    expect(acknowledgementTarget(record({ envelope: null }))).toHaveProperty('skip');
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throw-away self-signed certificate for localhost, made with openssl in `dir`. */
function selfSignedCertificate(dir: string): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

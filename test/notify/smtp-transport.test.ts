/**
 * The SMTP transport against a real smtp-server listening on loopback. The server records
 * every RCPT TO it was offered and the raw message each accepted recipient received.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { simpleParser } from 'mailparser';
import type { AddressObject, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerError } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/notify/transport.ts';
import type { Transport } from '../../src/notify/transport.ts';
import { buildMessage } from './build-message.ts';

interface Sink {
  url: string;
  /** Raw messages, keyed by the RCPT TO address they were accepted for. */
  inbox: Map<string, Buffer[]>;
  /** Every RCPT TO address offered, accepted or not, in order. */
  rcptOffered: string[];
  close(): Promise<void>;
}

function smtpError(responseCode: number, message: string): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

async function startSink(): Promise<Sink> {
  const inbox = new Map<string, Buffer[]>();
  const rcptOffered: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      rcptOffered.push(address.address);
      if (address.address.startsWith('unknown@')) {
        callback(smtpError(550, '5.1.1 No such user here'));
      } else if (address.address.startsWith('busy@')) {
        callback(smtpError(451, '4.3.0 Mailbox busy, try again later'));
      } else {
        callback();
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        for (const rcpt of session.envelope.rcptTo) {
          inbox.set(rcpt.address, [...(inbox.get(rcpt.address) ?? []), raw]);
        }
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    rcptOffered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on (free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function firstMailbox(header: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(header) ? header[0] : header;
  return list?.value[0];
}

describe('smtp transport', () => {
  let sink: Sink;
  let transport: Transport;

  async function received(address: string): Promise<ParsedMail[]> {
    return Promise.all((sink.inbox.get(address) ?? []).map((raw) => simpleParser(raw)));
  }

  beforeAll(async () => {
    sink = await startSink();
    transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });
  });

  afterAll(async () => {
    await transport.close();
    await sink.close();
  });

  beforeEach(() => {
    sink.inbox.clear();
    sink.rcptOffered.length = 0;
  });

  it('is an smtp transport when a URL is configured', () => {
    expect(transport.kind).toBe('smtp');
  });

  it('delivers each of many parallel messages to its own recipient only', async () => {
    const recipients = Array.from({ length: 12 }, (_, i) => `contact${i}@tenant${i}.test`);
    const messages = recipients.map((address) => buildMessage({ to: { name: '', address } }));

    const results = await Promise.all(messages.map((m) => transport.send(m)));

    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect([...sink.inbox.keys()].sort()).toEqual([...recipients].sort());
    for (const [i, address] of recipients.entries()) {
      const [mail, ...extra] = await received(address);
      expect(extra).toHaveLength(0);
      expect(mail?.messageId).toBe(messages[i]?.messageId);
    }
  });

  it('keeps the Message-ID it was given and reports the server answer', async () => {
    const msg = buildMessage({ to: { name: 'A', address: 'msgid@tenant.test' } });

    const result = await transport.send(msg);
    const [mail] = await received('msgid@tenant.test');

    expect(result).toMatchObject({ status: 'sent' });
    expect(result.response).toMatch(/^250 /);
    expect(mail?.messageId).toBe(msg.messageId);
  });

  it('marks the mail as auto-generated and as a Breachdesk notice', async () => {
    const msg = buildMessage({
      to: { name: 'A', address: 'headers@tenant.test' },
      headers: { 'X-Breachdesk-Notice': 'notice-77' },
    });

    await transport.send(msg);
    const [mail] = await received('headers@tenant.test');
    const lines = mail?.headerLines.map((h) => h.line) ?? [];

    expect(lines).toContain('Auto-Submitted: auto-generated');
    expect(lines).toContain('X-Breachdesk-Notice: notice-77');
  });

  it('keeps Cyrillic, Japanese and emoji names and subjects intact', async () => {
    const msg = buildMessage({
      from: { name: 'Служба безопасности 🔒', address: 'notices@provider.test' },
      to: { name: '山田 太郎 📧', address: 'yamada@tenant.test' },
      subject: 'Уведомление об утечке — 個人データ侵害 🚨',
    });

    await transport.send(msg);
    const [mail] = await received('yamada@tenant.test');

    expect(firstMailbox(mail?.from)?.name).toBe('Служба безопасности 🔒');
    expect(firstMailbox(mail?.to)?.name).toBe('山田 太郎 📧');
    expect(mail?.subject).toBe('Уведомление об утечке — 個人データ侵害 🚨');
  });

  it('lets no header be smuggled in through a name, the subject or a header value', async () => {
    const msg = buildMessage({
      from: { name: 'Sec\r\nX-Injected: from-name', address: 'notices@provider.test' },
      to: { name: 'Eve\r\nBcc: evil@attacker.test', address: 'victim@tenant.test' },
      subject: 'Breach\r\nX-Injected: subject\r\nBcc: evil@attacker.test',
      headers: { 'X-Breachdesk-Notice': 'n-1\r\nX-Injected: header-value' },
    });

    await transport.send(msg);
    const [mail] = await received('victim@tenant.test');

    expect(sink.rcptOffered).toEqual(['victim@tenant.test']);
    expect(mail?.headerLines.map((h) => h.key)).not.toContain('bcc');
    expect(mail?.headerLines.map((h) => h.key)).not.toContain('x-injected');
  });

  it('flattens CR/LF in the subject and names to spaces', async () => {
    const msg = buildMessage({
      to: { name: 'Eve\r\nBcc: evil@attacker.test', address: 'flat@tenant.test' },
      subject: 'Breach\r\nX-Injected: subject',
    });

    await transport.send(msg);
    const [mail] = await received('flat@tenant.test');

    expect(mail?.subject).toBe('Breach X-Injected: subject');
    expect(firstMailbox(mail?.to)?.name).toBe('Eve Bcc: evil@attacker.test');
  });

  it('decodes a 100 KB UTF-8 body to exactly the text sent', async () => {
    // A lone "." line is the SMTP end-of-data mark (RFC 5321 §4.5.2) and must be escaped;
    // the 3,000-character line has to be folded by the encoder and unfolded by the reader.
    const head = `.\n..\nFrom the start of a line\n${'ж'.repeat(3000)}\n`;
    const line = 'Grüße — Привет — こんにちは — 🚨 records: 12,345 ✓\n';
    let text = head;
    while (Buffer.byteLength(text) < 100 * 1024) text += line;
    const msg = buildMessage({ to: { name: '', address: 'big@tenant.test' }, text });

    await transport.send(msg);
    const [mail] = await received('big@tenant.test');

    expect(mail?.text).toBe(text);
  });

  it('delivers to an internationalised domain, written in punycode in the header', async () => {
    const msg = buildMessage({ to: { name: 'Иван', address: 'kontakt@пример.рф' } });

    await transport.send(msg);
    // smtp-server hands RCPT TO domains back decoded to Unicode, so the key is Unicode.
    const [raw] = sink.inbox.get('kontakt@пример.рф') ?? [];

    expect(raw?.toString('latin1')).toMatch(/^To: .*<kontakt@xn--e1afmkfd\.xn--p1ai>\r$/m);
  });

  it('reports a 550 rejection as a permanent failure with the server text', async () => {
    const msg = buildMessage({ to: { name: 'Nobody', address: 'unknown@tenant.test' } });

    const result = await transport.send(msg);

    expect(result).toEqual({
      status: 'failed',
      permanent: true,
      response: '550 5.1.1 No such user here',
    });
  });

  it('reports a 451 deferral as a failure to retry', async () => {
    const msg = buildMessage({ to: { name: 'Busy', address: 'busy@tenant.test' } });

    const result = await transport.send(msg);

    expect(result).toEqual({
      status: 'failed',
      permanent: false,
      response: '451 4.3.0 Mailbox busy, try again later',
    });
  });

  it('still delivers on the pooled connection after a rejection', async () => {
    await transport.send(buildMessage({ to: { name: '', address: 'unknown@tenant.test' } }));

    const result = await transport.send(
      buildMessage({ to: { name: '', address: 'after@tenant.test' } }),
    );

    expect(result.status).toBe('sent');
  });

  it.each([
    ['a CR/LF', 'victim@tenant.test\r\nRCPT TO:<evil@attacker.test>'],
    ['no @', 'victim.tenant.test'],
    ['a second address', 'victim@tenant.test, evil@attacker.test'],
    ['a display name', 'Victim <victim@tenant.test>'],
  ])('refuses a recipient address with %s without contacting the server', async (_, address) => {
    const result = await transport.send(buildMessage({ to: { name: 'X', address } }));

    expect(result).toMatchObject({ status: 'failed', permanent: true });
    expect(sink.rcptOffered).toEqual([]);
  });

  it('refuses a header that is not an X- header', async () => {
    const msg = buildMessage({ headers: { Bcc: 'evil@attacker.test' } });

    const result = await transport.send(msg);

    expect(result).toMatchObject({ status: 'failed', permanent: true });
    expect(sink.rcptOffered).toEqual([]);
  });
});

describe('smtp transport without a server', () => {
  it('reports a refused connection as a failure to retry', async () => {
    const transport = createTransport({
      smtpUrl: `smtp://127.0.0.1:${await closedPort()}`,
      outboxDir: '/nonexistent',
    });

    const result = await transport.send(buildMessage());
    await transport.close();

    expect(result).toMatchObject({ status: 'failed', permanent: false });
    expect(result.response).toContain('ECONNREFUSED');
  });

  it('refuses a URL that is not smtp:// or smtps://', () => {
    expect(() => createTransport({ smtpUrl: 'http://127.0.0.1', outboxDir: '/x' })).toThrow(
      expect.objectContaining({ code: 'BD_CONFIG_INVALID', field: 'smtpUrl' }),
    );
  });
});

describe('closing the smtp transport', () => {
  let sink: Sink;

  beforeAll(async () => {
    sink = await startSink();
  });

  afterAll(() => sink.close());

  it('lets a delivery in flight finish', async () => {
    const transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });

    const sending = transport.send(buildMessage({ to: { name: '', address: 'late@t.test' } }));
    await transport.close();

    expect((await sending).status).toBe('sent');
  });

  it('turns a send after close into a failure to retry', async () => {
    const transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });
    await transport.close();

    const result = await transport.send(buildMessage());

    expect(result).toMatchObject({ status: 'failed', permanent: false });
  });
});

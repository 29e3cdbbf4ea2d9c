import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, emlFileName } from '../../src/notify/transport.ts';
import { buildMessage } from './build-message.ts';

function firstName(header: AddressObject | AddressObject[] | undefined): string | undefined {
  return (Array.isArray(header) ? header[0] : header)?.value[0]?.name;
}

describe('eml transport', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'breachdesk-eml-'));
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  async function freshOutbox(): Promise<string> {
    return mkdtemp(path.join(root, 'outbox-'));
  }

  it('is chosen when no SMTP URL is configured, blank included', () => {
    expect(createTransport({ smtpUrl: null, outboxDir: root }).kind).toBe('eml');
    expect(createTransport({ smtpUrl: '  ', outboxDir: root }).kind).toBe('eml');
  });

  it('writes a message that parses back to what was sent', async () => {
    const outboxDir = await freshOutbox();
    const msg = buildMessage({
      from: { name: 'Служба безопасности', address: 'notices@provider.test' },
      to: { name: '山田 太郎 📧', address: 'yamada@tenant.test' },
      subject: 'Уведомление — 個人データ侵害 🚨',
      text: 'Grüße,\nПривет — こんにちは 🚨\n.\n',
    });

    const result = await createTransport({ smtpUrl: null, outboxDir }).send(msg);
    const mail = await simpleParser(
      await readFile(path.join(outboxDir, emlFileName(msg.messageId))),
    );

    expect(result.status).toBe('sent');
    expect(mail).toMatchObject({ messageId: msg.messageId, subject: msg.subject, text: msg.text });
    expect([firstName(mail.from), firstName(mail.to)]).toEqual([msg.from.name, msg.to.name]);
  });

  it('creates the outbox folder when it is missing', async () => {
    const outboxDir = path.join(await freshOutbox(), 'a', 'b');

    const result = await createTransport({ smtpUrl: null, outboxDir }).send(buildMessage());

    expect(result.status).toBe('sent');
    expect(await readdir(outboxDir)).toHaveLength(1);
  });

  it('overwrites the same file on a retry and leaves no temporary file', async () => {
    const outboxDir = await freshOutbox();
    const transport = createTransport({ smtpUrl: null, outboxDir });
    const msg = buildMessage();

    await transport.send(msg);
    await transport.send(msg);

    expect(await readdir(outboxDir)).toEqual([emlFileName(msg.messageId)]);
  });

  it('refuses a hostile Message-ID and writes nothing anywhere', async () => {
    const outboxDir = await freshOutbox();
    const msg = buildMessage({ messageId: '<../../escape@x.test>\r\nBcc: evil@attacker.test' });

    const result = await createTransport({ smtpUrl: null, outboxDir }).send(msg);

    expect(result).toMatchObject({ status: 'failed', permanent: true });
    expect(await readdir(outboxDir)).toEqual([]);
    expect((await readdir(root)).filter((f) => !f.startsWith('outbox-'))).toEqual([]);
  });

  it('refuses a recipient address without @ and writes nothing', async () => {
    const outboxDir = await freshOutbox();
    const msg = buildMessage({ to: { name: 'X', address: 'nobody' } });

    const result = await createTransport({ smtpUrl: null, outboxDir }).send(msg);

    expect(result).toMatchObject({ status: 'failed', permanent: true });
    expect(await readdir(outboxDir)).toEqual([]);
  });

  it('reports an unwritable outbox as a failure to retry', async () => {
    const blocker = path.join(await freshOutbox(), 'not-a-folder');
    await writeFile(blocker, 'x');

    const result = await createTransport({ smtpUrl: null, outboxDir: blocker }).send(
      buildMessage(),
    );

    expect(result).toMatchObject({ status: 'failed', permanent: false });
  });
});

describe('emlFileName', () => {
  it('keeps any Message-ID inside the outbox folder', () => {
    const dir = path.resolve('/srv/outbox');

    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (messageId) => {
        const name = emlFileName(messageId);
        return path.dirname(path.resolve(dir, name)) === dir && !name.startsWith('.');
      }),
    );
  });

  it('maps ids that clean up to the same text to different files', () => {
    expect(emlFileName('<a/b@x.test>')).not.toBe(emlFileName('<a_b@x.test>'));
  });
});

/**
 * The `email` format: RFC 5322 dates, .eml and mbox files (plain and gzipped), the adapter's
 * rules for time, identity and observables, and e-mail files taken through the common ingest
 * path with their evidence. Messages are written here; the real advisories are read in place.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cliActor } from '../../src/auth/actor.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import type { NormalizedSignal } from '../../src/domain/types.ts';
import {
  emailAdapter,
  emailReader,
  normalizedSubject,
  readMailFile,
  reportFingerprint,
} from '../../src/intake/email.ts';
import { readByteLines } from '../../src/intake/byte-lines.ts';
import { type EmailRecord, toEmailRecord } from '../../src/intake/email-record.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { parseMailDate } from '../../src/intake/mail-date.ts';
import { splitMailbox } from '../../src/intake/mailbox.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import type { RecordItem } from '../../src/intake/records.ts';
import type { Store } from '../../src/store/db.ts';
import { evidenceFiles, investigations, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const RECEIVED_AT = new Date('2026-01-01T12:00:00Z');

interface MessageSpec {
  from?: string | null;
  subject?: string;
  date?: string | null;
  messageId?: string | null;
  body?: string;
  headers?: string[];
  attachment?: { name: string; content: Buffer };
}

/** An RFC 5322 message with CRLF line ends; `null` leaves a header out. */
function buildMessage(spec: MessageSpec = {}): string {
  const head = [
    spec.from === null ? null : `From: Researcher <${spec.from ?? 'researcher@example.org'}>`,
    'To: security@provider.example',
    `Subject: ${spec.subject ?? 'CVE-2026-1234: SQL injection in the export API'}`,
    spec.date === null ? null : `Date: ${spec.date ?? 'Wed, 31 Dec 2025 10:00:00 +0100'}`,
    spec.messageId === null ? null : `Message-ID: ${spec.messageId ?? '<r1@example.org>'}`,
    ...(spec.headers ?? []),
    'MIME-Version: 1.0',
  ].filter((line) => line !== null);
  const body = spec.body ?? 'The export API at https://api.provider.example/v1 is injectable.';

  if (!spec.attachment) {
    return [...head, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
  }
  const encoded = spec.attachment.content.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '--b1',
    `Content-Type: application/octet-stream; name="${spec.attachment.name}"`,
    `Content-Disposition: attachment; filename="${spec.attachment.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    encoded,
    '--b1--',
    '',
  ].join('\r\n');
}

async function recordOf(spec: MessageSpec = {}): Promise<EmailRecord> {
  return toEmailRecord(Buffer.from(buildMessage(spec)));
}

function parse(record: unknown, at = RECEIVED_AT): ParseOutcome {
  return emailAdapter.parse(record, at);
}

function signalOf(record: unknown, at = RECEIVED_AT): NormalizedSignal {
  const outcome = parse(record, at);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal;
}

async function itemsOf(source: string | NodeJS.ReadableStream): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for await (const item of readMailFile(source)) items.push(item);
  return items;
}

function streamOf(text: string | Buffer): Readable {
  return Readable.from([Buffer.isBuffer(text) ? text : Buffer.from(text)]);
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('parseMailDate', () => {
  it('reads an RFC 5322 date with a numeric zone as the UTC instant', () => {
    expect(parseMailDate('Sun, 10 Mar 2024 01:30:00 -0500')).toBe('2024-03-10T06:30:00.000Z');
  });

  it('reads the same instant written in three zones as equal', () => {
    const instants = [
      'Sun, 10 Mar 2024 01:30:00 -0500',
      '10 Mar 2024 07:30:00 +0100',
      'Sun, 10 Mar 2024 06:30:00 GMT',
    ].map(parseMailDate);

    expect(new Set(instants)).toEqual(new Set(['2024-03-10T06:30:00.000Z']));
  });

  it('reads obsolete forms: named US zones, two-digit years, comments, no seconds', () => {
    expect(parseMailDate('Tue, 1 Jul 97 12:00 EDT')).toBe('1997-07-01T16:00:00.000Z');
    expect(parseMailDate('Tue, 14 Oct 2025 14:06:40 +0000 (UTC)')).toBe('2025-10-14T14:06:40.000Z');
  });

  it('returns null for a date without a zone rather than guessing one', () => {
    expect(parseMailDate('Fri, 8 May 2026 09:24:01')).toBeNull();
  });

  it('returns null for a day that does not exist and for text that is no date', () => {
    expect(parseMailDate('30 Feb 2024 10:00:00 +0000')).toBeNull();
    expect(parseMailDate('yesterday, around noon')).toBeNull();
  });
});

describe('reading .eml and mbox files', () => {
  it('reads an .eml file as one message', async () => {
    const items = await itemsOf(streamOf(buildMessage()));

    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ line: 1, record: { messageId: '<r1@example.org>' } });
  });

  it('splits an mbox at From lines and unquotes >From per mboxrd', async () => {
    const first = buildMessage({ body: '>From the logs:\n>>From here on' }).replaceAll(
      '\r\n',
      '\n',
    );
    const second = buildMessage({ messageId: '<r2@example.org>' }).replaceAll('\r\n', '\n');
    const mbox =
      `From a@example.org Thu Jan  1 00:00:00 2026\n${first}\n` +
      `From b@example.org Thu Jan  1 00:00:01 2026\n${second}\n`;

    const items = await itemsOf(streamOf(mbox));

    expect(items.map((i) => ('record' in i ? (i.record as EmailRecord).messageId : i))).toEqual([
      '<r1@example.org>',
      '<r2@example.org>',
    ]);
    expect((items[0] as { record: EmailRecord }).record.text).toContain(
      'From the logs:\n>From here',
    );
  });

  it('does not split at a From line inside a paragraph', async () => {
    const body = 'Seen in the log:\nFrom now on the server leaks.';
    const mbox = `From a@example.org Thu Jan  1 00:00:00 2026\n${buildMessage({ body })}\n`;

    const items = await itemsOf(streamOf(mbox));

    expect(items).toHaveLength(1);
  });

  it('reads a gzipped mbox', async () => {
    const mbox = `From a@example.org Thu Jan  1 00:00:00 2026\n${buildMessage()}\n`;

    const items = await itemsOf(streamOf(gzipSync(mbox)));

    expect(items).toMatchObject([{ line: 1, record: { messageId: '<r1@example.org>' } }]);
  });

  it('reports a message over the size limit on its line and reads the next one', async () => {
    const big = buildMessage({ body: 'x'.repeat(200).concat('\n').repeat(100) });
    const mbox =
      `From a@x Thu Jan  1 00:00:00 2026\n${big}\nFrom b@x Thu Jan  1 00:00:00 2026\n` +
      `${buildMessage({ messageId: '<small@example.org>' })}\n`;
    const items: RecordItem[] = [];

    for await (const item of readMailFile(streamOf(mbox), 10_000)) items.push(item);

    expect(items[0]).toMatchObject({ line: 1, code: 'BD_INTAKE_FIELD_INVALID', field: 'message' });
    expect(items[1]).toMatchObject({ record: { messageId: '<small@example.org>' } });
  });

  it('keeps the same message bytes whether the file used LF or CRLF', async () => {
    const crlf = buildMessage();
    const lf = crlf.replaceAll('\r\n', '\n');

    const [a] = await itemsOf(streamOf(crlf));
    const [b] = await itemsOf(streamOf(lf));

    const hashOf = (item: RecordItem | undefined) =>
      (item as { record: EmailRecord }).record.message.sha256;
    expect(hashOf(a)).toBe(sha256(crlf));
    expect(hashOf(b)).toBe(hashOf(a));
  });

  it('keeps every byte of a message in ISO-8859-1 and reads it by its charset', async () => {
    const message = Buffer.from(
      buildMessage({ body: 'Sécurité: the café network leaks.' })
        .replace('charset=utf-8', 'charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit')
        .replace('MIME-Version', 'X-Note: Zoë\r\nMIME-Version'),
      'latin1',
    );
    const lf = Buffer.from(message.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
    const mbox = Buffer.concat([Buffer.from('From a@example.org Thu Jan  1 00:00:00 2026\n'), lf]);

    const [item] = await itemsOf(streamOf(mbox));

    const { record } = item as { record: EmailRecord };
    expect(record.message.sha256).toBe(sha256(message));
    expect(record.text).toContain('Sécurité: the café network leaks.');
  });

  it('splits any bytes back into the messages an mbox was written from', async () => {
    const FROM = Buffer.from('From ');
    // Body lines of any bytes but line ends, none a separator or a quoted one.
    const line = fc
      .uint8Array({ minLength: 1, maxLength: 30 })
      .map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d)))
      .filter((b) => b.length > 0 && b[0] !== 0x3e && !b.subarray(0, 5).equals(FROM));
    const message = fc
      .array(line, { minLength: 1, maxLength: 8 })
      .filter((lines) => lines.some((l) => l.some((b) => ![0x20, 0x09, 0x0b, 0x0c].includes(b))));

    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 4 }), async (messages) => {
        const mbox = Buffer.concat(
          messages.flatMap((lines) => [
            Buffer.from('From x@example.org Thu Jan  1 00:00:00 2026\n'),
            ...lines.flatMap((l) => [l, Buffer.from('\n')]),
            Buffer.from('\n'),
          ]),
        );

        const split: Buffer[] = [];
        for await (const item of splitMailbox(readByteLines(streamOf(mbox), 1000), 1000)) {
          if ('raw' in item) split.push(item.raw);
        }

        const crlf = Buffer.from('\r\n');
        expect(split).toEqual(
          messages.map((lines) => Buffer.concat(lines.flatMap((l) => [l, crlf]))),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a message with a line of 33 MiB as too large, not without that line', async () => {
    const line = 'x'.repeat(33 * 1024 * 1024);
    const mbox = Buffer.from(
      `From a@x Thu Jan  1 00:00:00 2026\n${buildMessage({ body: line })}\n`,
    );
    // In 64 KiB pieces, as a file is read.
    const pieces = Array.from({ length: Math.ceil(mbox.length / 65_536) }, (_, i) =>
      mbox.subarray(i * 65_536, (i + 1) * 65_536),
    );

    const items = await itemsOf(Readable.from(pieces));

    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ line: 1, code: 'BD_INTAKE_FIELD_INVALID', field: 'message' });
    expect((items[0] as { error: string }).error).toMatch(/^message of 3\d{7} bytes is larger/);
  });

  it('takes a message of exactly the limit, and names the real size of one over it', async () => {
    const separator = 'From a@x Thu Jan  1 00:00:00 2026\n';
    const message = (bytes: number) => {
      const bare = buildMessage({ messageId: `<m${bytes}@example.org>`, body: '' });
      return buildMessage({
        messageId: `<m${bytes}@example.org>`,
        body: 'x'.repeat(bytes - bare.length),
      });
    };
    const mbox = [2_000, 2_001, 1_999].map((n) => `${separator}${message(n)}\n`).join('');

    const items: RecordItem[] = [];
    for await (const item of readMailFile(streamOf(mbox), 2_000)) items.push(item);

    expect(items).toMatchObject([
      { line: 1, record: { message: { size: 2_000 } } },
      {
        code: 'BD_INTAKE_FIELD_INVALID',
        error: 'message of 2001 bytes is larger than the 2000-byte limit',
      },
      { record: { message: { size: 1_999 } } },
    ]);
  });

  it('still splits at a separator line longer than the limit, keeping its neighbours', async () => {
    const long = `From ${'z'.repeat(20_000)}\n`;
    const mbox =
      `From a@x Thu Jan  1 00:00:00 2026\n${buildMessage({ messageId: '<a@example.org>' })}\n` +
      `${long}${buildMessage({ messageId: '<b@example.org>' })}\n`;

    const items: RecordItem[] = [];
    for await (const item of readMailFile(streamOf(mbox), 10_000)) items.push(item);

    const ids = items.map((i) => ('record' in i ? (i.record as EmailRecord).messageId : i));
    expect(ids).toEqual(['<a@example.org>', '<b@example.org>']);
  });

  it('reads a file that starts with a separator longer than the limit as an mbox', async () => {
    const mbox = `From ${'z'.repeat(20_000)}\n${buildMessage()}\n`;

    const items: RecordItem[] = [];
    for await (const item of readMailFile(streamOf(mbox), 10_000)) items.push(item);

    expect(items).toMatchObject([{ line: 1, record: { messageId: '<r1@example.org>' } }]);
  });

  it('does not count a byte-order mark in the size of a message it is stripped from', async () => {
    const body = `X-Pad: ${'p'.repeat(3_000)}\n${buildMessage()}`;
    const refused = async (text: Buffer) => {
      const items: RecordItem[] = [];
      for await (const item of readMailFile(streamOf(text), 2_000)) items.push(item);
      return (items[0] as { error: string }).error;
    };

    const withBom = await refused(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]),
    );

    expect(withBom).toBe(await refused(Buffer.from(body)));
    expect(withBom).toMatch(/^message of \d+ bytes/);
  });

  it('refuses an mbox whose lines end in CR alone, saying how to convert it', async () => {
    const mbox = `From a@x Thu Jan  1 00:00:00 2026\n${buildMessage()}\n`.replaceAll(
      /\r?\n/g,
      '\r',
    );

    const items = await itemsOf(streamOf(mbox));

    expect(items).toMatchObject([
      {
        line: 1,
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'message',
        error: expect.stringContaining('CR'),
      },
    ]);
  });

  it('refuses HTTP bodies with a coded error naming the format', () => {
    expect([...emailReader.body(buildMessage())]).toMatchObject([
      { line: 1, code: 'BD_INTAKE_FIELD_INVALID', field: 'format' },
    ]);
  });
});

describe('email adapter', () => {
  it('turns a message into a vulnerability report signal', async () => {
    const signal = signalOf(await recordOf());

    expect(signal).toMatchObject({
      format: 'email',
      sourceKind: 'vulnerability_report',
      sourceEventId: '<r1@example.org>',
      occurredAt: '2025-12-31T09:00:00.000Z',
      originalTimestamp: 'Wed, 31 Dec 2025 10:00:00 +0100',
      title: 'CVE-2026-1234: SQL injection in the export API',
      principal: null,
    });
  });

  it('extracts the CVE id, the URL and the reporter as observables', async () => {
    const signal = signalOf(await recordOf());

    expect(signal.observables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'cve', value: 'CVE-2026-1234' }),
        expect.objectContaining({ kind: 'url', value: 'https://api.provider.example/v1' }),
        expect.objectContaining({ kind: 'email', value: 'researcher@example.org' }),
      ]),
    );
  });

  it('decodes an RFC 2047 encoded Subject into the title', async () => {
    const subject =
      '=?UTF-8?B?' + Buffer.from('Fuite de données – CVE-2026-9').toString('base64') + '?=';

    expect(signalOf(await recordOf({ subject })).title).toBe('Fuite de données – CVE-2026-9');
  });

  it('takes the time of receipt when the Date header is missing', async () => {
    const signal = signalOf(await recordOf({ date: null }));

    expect(signal.occurredAt).toBe(RECEIVED_AT.toISOString());
    expect(signal.originalTimestamp).toBe(RECEIVED_AT.toISOString());
  });

  it('takes the time of receipt for an unreadable Date and keeps the Date as written', async () => {
    const record = await recordOf({ date: 'sometime last week' });
    const signal = signalOf(record);

    expect(signal.occurredAt).toBe(RECEIVED_AT.toISOString());
    expect((signal.raw as EmailRecord).date).toBe('sometime last week');
  });

  it('does not believe a Date more than a day after the message arrived', async () => {
    const signal = signalOf(await recordOf({ date: 'Mon, 5 Jan 2026 12:00:00 +0000' }));

    expect(signal.occurredAt).toBe(RECEIVED_AT.toISOString());
  });

  it('uses a content hash as the event id of a message without Message-ID', async () => {
    const record = await recordOf({ messageId: null });

    expect(signalOf(record).sourceEventId).toBe(`sha256:${record.message.sha256}`);
  });

  it('rejects a message without From, naming from.address', async () => {
    expect(parse(await recordOf({ from: null }))).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_MISSING',
      field: 'from.address',
    });
  });

  it('rejects an attachment whose hash does not match its content, naming the file', async () => {
    const record = await recordOf({ attachment: { name: 'poc.py', content: Buffer.from('x') } });
    const tampered = {
      ...record,
      attachments: [{ ...record.attachments[0], sha256: sha256('something else') }],
    };

    expect(parse(tampered)).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'attachments[0].sha256',
    });
  });

  it('keeps headers in UTF-8 (RFC 6532) as written, and 8-bit Latin-1 as Latin-1', async () => {
    const utf8 = await recordOf({ subject: 'Sécurité: the café network', from: 'zoë@example.org' });
    const latin1 = await toEmailRecord(
      Buffer.from(buildMessage({ subject: 'Sécurité' }).replace('utf-8', 'iso-8859-1'), 'latin1'),
    );

    expect(utf8.headers).toMatchObject({
      subject: 'Sécurité: the café network',
      from: 'Researcher <zoë@example.org>',
    });
    expect(latin1.headers.subject).toBe('Sécurité');
  });

  it('titles a report whose Subject is raw 8-bit Latin-1 in Latin-1, not U+FFFD', async () => {
    const latin1 = await toEmailRecord(
      Buffer.from(buildMessage({ subject: 'Sicherheitslücke in café' }), 'latin1'),
    );
    const utf8 = await recordOf({ subject: 'Sicherheitslücke in café' });

    expect(latin1.subject).toBe('Sicherheitslücke in café');
    expect(signalOf(latin1).title).toContain('Sicherheitslücke in café');
    expect(utf8.subject).toBe('Sicherheitslücke in café');
  });

  it('reads a raw 8-bit Subject as Windows-1252 where Latin-1 has control codes', async () => {
    const message = Buffer.concat([
      Buffer.from(
        'From: a@example.org\r\nSubject: \u0093Urgent\u0094 \u0096 \u0080 fraud\r\n',
        'latin1',
      ),
      Buffer.from('Message-ID: <m3@example.org>\r\n\r\nbody\r\n'),
    ]);

    const record = await toEmailRecord(message);

    expect(record.subject).toBe('“Urgent” – € fraud');
    expect(record.headers.subject).toBe('“Urgent” – € fraud');
  });

  it('still decodes encoded-words in a Subject that also holds a broken byte', async () => {
    const message = Buffer.concat([
      Buffer.from('From: a@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?= \xff\r\n', 'latin1'),
      Buffer.from('Message-ID: <m2@example.org>\r\n\r\nbody\r\n'),
    ]);

    const record = await toEmailRecord(message);

    expect(record.subject).toMatch(/^café/);
  });

  it('reads each run of 8-bit bytes in a header on its own: UTF-8 beside Latin-1', async () => {
    const message = Buffer.concat([
      Buffer.from(
        'From: a@example.org\r\nSubject: mixed caf\u00c3\u00a9 and caf\u00e9\r\n',
        'latin1',
      ),
      Buffer.from('Message-ID: <m@example.org>\r\n\r\nbody\r\n'),
    ]);

    const record = await toEmailRecord(message);

    expect(record.headers.subject).toBe('mixed café and café');
  });

  it('skips an automatic reply (RFC 3834 Auto-Submitted: auto-replied)', async () => {
    const record = await recordOf({ headers: ['Auto-Submitted: auto-replied'] });

    expect(parse(record).kind).toBe('skipped');
  });

  it('keeps the attachment hashes as observables', async () => {
    const content = Buffer.from('print("poc")\n');
    const signal = signalOf(await recordOf({ attachment: { name: 'poc.py', content } }));

    expect(signal.observables).toContainEqual(
      expect.objectContaining({ kind: 'hash', value: sha256(content) }),
    );
  });
});

describe('email adapter under random damage to a real record', () => {
  const FIELDS = [
    'from',
    'from.address',
    'subject',
    'date',
    'messageId',
    'text',
    'headers',
    'attachments',
    'message',
    'message.sha256',
    'message.size',
    'message.contentBase64',
  ];

  function damaged(record: EmailRecord, path: string, value: unknown): unknown {
    const copy = structuredClone(record) as unknown as Record<string, unknown>;
    const [head = '', tail] = path.split('.');
    if (tail === undefined) copy[head] = value;
    else copy[head] = { ...(copy[head] as Record<string, unknown>), [tail]: value };
    return copy;
  }

  // A file's content, size and hash are checked against each other, so damage to one of them
  // may be reported on another field of the same file.
  it('answers with a signal, a skip, or a coded 4xx naming the damaged part', async () => {
    const record = await recordOf({ attachment: { name: 'a.txt', content: Buffer.from('a') } });
    const top = (path: string) => path.split(/[.[]/)[0];

    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.anything(), (path, value) => {
        const outcome = parse(damaged(record, path, value));

        if (outcome.kind === 'rejected') {
          expect(ERROR_CODES[outcome.code]).toBe(400);
          expect(top(outcome.field ?? '')).toBe(top(path));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('report identity', () => {
  it('strips reply and forward prefixes, our reference tag and repeated list tags', () => {
    const subjects = [
      '[oss-security] Heap overflow in libfoo',
      'Re: [oss-security] Heap overflow in libfoo',
      '[oss-security] RE: Fwd: heap overflow  in libfoo',
      'AW: Re: [oss-security] Heap overflow in libfoo [VR-7K3M9QXD2A]',
    ];

    expect(new Set(subjects.map(normalizedSubject))).toEqual(
      new Set(['[oss-security] heap overflow in libfoo']),
    );
  });

  it('gives a follow-up from the same reporter the same fingerprint', async () => {
    const first = signalOf(await recordOf({ subject: 'Auth bypass in the portal' }));
    const reply = signalOf(
      await recordOf({ subject: 'Re: Auth bypass in the portal', messageId: '<r2@example.org>' }),
    );

    expect(reply.fingerprint).toBe(first.fingerprint);
  });

  it('keeps reports about the same CVE from different reporters apart', () => {
    const a = reportFingerprint('a@example.org', 'CVE-2026-1 issue', ['CVE-2026-1']);
    const b = reportFingerprint('b@example.org', 'CVE-2026-1 issue', ['CVE-2026-1']);

    expect(a).not.toBe(b);
  });

  it('identifies a report by the CVE ids of its Subject, whatever the wording', async () => {
    const first = signalOf(await recordOf({ subject: 'CVE-2026-1234: SQL injection' }));
    const update = signalOf(await recordOf({ subject: 'Update on cve-2026-1234 (fixed?)' }));

    expect(update.fingerprint).toBe(first.fingerprint);
  });
});

describeEachBackend('e-mail files through ingest', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  function ingest(text: string) {
    return ingestRecords(store.db, emailAdapter, readMailFile(streamOf(text)), {
      actor: cliActor('admin'),
    });
  }

  it('stores the message and its attachment as evidence with their SHA-256', async () => {
    const content = Buffer.from('GET /export?id=1%27-- HTTP/1.1\r\n');
    const message = buildMessage({ attachment: { name: 'request.txt', content } });

    await ingest(message);

    const files = await store.db.select().from(evidenceFiles);
    expect(files.map((f) => [f.fileName, f.sha256]).sort()).toEqual(
      [
        ['message.eml', sha256(message)],
        ['request.txt', sha256(content)],
      ].sort(),
    );
  });

  it('gives the signal a reference and the reporter, and keeps no file bytes in raw', async () => {
    await ingest(buildMessage({ attachment: { name: 'a.bin', content: Buffer.from([1, 2]) } }));

    const [row] = await store.db.select().from(signals);
    expect(row?.reference).toMatch(/^VR-[0-9A-Z]{10}$/);
    expect(row?.reporter).toBe('researcher@example.org');
    expect(JSON.stringify(row?.raw)).not.toContain('contentBase64');
  });

  it('leaves nothing behind for a malformed message', async () => {
    const summary = await ingest(buildMessage({ from: null }));

    expect(summary).toMatchObject({ accepted: 0, rejected: 1 });
    expect(await store.db.select().from(signals)).toEqual([]);
    expect(await store.db.select().from(evidenceFiles)).toEqual([]);
  });

  it('files a follow-up in the investigation of the first report', async () => {
    const reply = buildMessage({
      subject: 'Re: CVE-2026-1234: SQL injection in the export API',
      messageId: '<r2@example.org>',
    });

    await ingest(buildMessage());
    await ingest(reply);

    expect(await store.db.select().from(investigations)).toHaveLength(1);
    const stored = await store.db.select().from(signals);
    expect(new Set(stored.map((s) => s.investigationId)).size).toBe(1);
  });

  it('stores a message sent twice once', async () => {
    await ingest(buildMessage());
    const again = await ingest(buildMessage());

    expect(again).toMatchObject({ accepted: 0, repeats: 1 });
    expect(await store.db.select().from(signals)).toHaveLength(1);
  });
});

const SAMPLES = `${PUBLIC_DATA}/oss-security-emails`;
const EML_FILES = [
  '01-dirty-frag-cve-assigned.eml',
  '02-fw-dsa-3775-1-tcpdump.eml',
  '03-apache-superset-credentials-leak.eml',
  '04-apache-geode-reflected-xss.eml',
];

async function sampleSignal(file: string): Promise<NormalizedSignal> {
  const [item] = await itemsOf(`${SAMPLES}/${file}`);
  if (!item || !('record' in item)) throw new Error(`${file}: ${JSON.stringify(item)}`);
  // Received after the newest of them (8 May 2026): a Date after receipt is not believed.
  return signalOf(item.record, new Date('2026-06-01T00:00:00Z'));
}

function cves(signal: NormalizedSignal): string[] {
  return signal.observables.filter((o) => o.kind === 'cve').map((o) => o.value);
}

describe.skipIf(!hasPublicData)('email adapter on oss-security-emails', () => {
  it('turns each of the four advisories into a report dated by its Date header', async () => {
    const signals = await Promise.all(EML_FILES.map(sampleSignal));

    expect(signals.map((s) => s.occurredAt)).toEqual([
      '2026-05-08T07:24:01.000Z',
      '2017-01-30T01:21:37.000Z',
      '2021-11-11T13:28:07.000Z',
      '2025-10-14T14:06:40.000Z',
    ]);
  });

  it('finds the CVE id each single advisory names', async () => {
    const found = await Promise.all(
      [EML_FILES[0], EML_FILES[2], EML_FILES[3]].map(async (f) =>
        cves(await sampleSignal(f ?? '')),
      ),
    );

    expect(found).toEqual([['CVE-2026-43284'], ['CVE-2021-41972'], ['CVE-2024-44088']]);
  });

  it('finds all 41 CVE ids of the forwarded, quoted-printable, signed DSA', async () => {
    const raw = readFileSync(`${SAMPLES}/02-fw-dsa-3775-1-tcpdump.eml`, 'latin1');
    const written = new Set(raw.match(/CVE-\d{4}-\d{4,}/g));

    const signal = await sampleSignal('02-fw-dsa-3775-1-tcpdump.eml');

    expect(written.size).toBe(41);
    expect(new Set(cves(signal))).toEqual(written);
  });

  it('keeps the PGP signature of the signed advisory as an attachment', async () => {
    const signal = await sampleSignal('02-fw-dsa-3775-1-tcpdump.eml');

    expect((signal.raw as EmailRecord).attachments).toMatchObject([
      { fileName: 'signature.asc', contentType: 'application/pgp-signature' },
    ]);
  });

  it('decodes quoted-printable text (no =C2=A0 or =3D left in the body)', async () => {
    const signal = await sampleSignal('04-apache-geode-reflected-xss.eml');
    const text = (signal.raw as EmailRecord).text;

    expect(text).toContain('Apache Geode');
    expect(text).not.toMatch(/=C2=A0|=3D/);
  });

  it('reads the mbox into the same four messages, byte for byte', async () => {
    const fromMbox = await itemsOf(`${SAMPLES}/oss-security-sample.mbox`);
    const fromEml = await Promise.all(EML_FILES.map((f) => itemsOf(`${SAMPLES}/${f}`)));

    const hashes = (items: RecordItem[]) =>
      items.map((i) => ('record' in i ? (i.record as EmailRecord).message.sha256 : 'error'));
    expect(hashes(fromMbox)).toEqual(fromEml.flatMap(hashes));
  });
});

describe('email adapter on a message read back from the evidence', () => {
  it('finds the same signal in the stored message bytes', async () => {
    const record = await recordOf();
    const again = await toEmailRecord(Buffer.from(record.message.contentBase64, 'base64'));

    expect(signalOf(again).fingerprint).toBe(signalOf(record).fingerprint);
  });
});

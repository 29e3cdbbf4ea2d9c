/**
 * A mail file saved as UTF-16 or UTF-32 is refused whole with a conversion hint, however the
 * chunks cut its first bytes; bytes FF FE or FE FF at the start of an 8-bit file that are not
 * followed by text in that encoding are stray bytes, and the message is read as it is.
 */
import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { emailAdapter, readMailFile } from '../../src/intake/email.ts';
import type { EmailRecord } from '../../src/intake/email-record.ts';
import type { RecordItem } from '../../src/intake/records.ts';

const MAIL =
  'From: Researcher <r@example.org>\r\nMessage-ID: <u16@example.org>\r\n' +
  'Subject: hi\r\n\r\nbody\r\n';

const le16 = (text: string) => Buffer.from(`\ufeff${text}`, 'utf16le');
const be16 = (text: string) => le16(text).swap16();
const le32 = (text: string) => {
  const units = [...`\ufeff${text}`].map((c) => c.codePointAt(0) ?? 0);
  const out = Buffer.alloc(units.length * 4);
  units.forEach((unit, i) => out.writeUInt32LE(unit, i * 4));
  return out;
};
const be32 = (text: string) => le32(text).swap32();

async function itemsOf(pieces: Buffer[]): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for await (const item of readMailFile(Readable.from(pieces))) items.push(item);
  return items;
}

/** `bytes` cut into pieces of `size` bytes, as a slow reader might deliver them. */
function cut(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return pieces;
}

describe('a mail file in a Unicode encoding', () => {
  it.each([
    ['UTF-16LE', le16],
    ['UTF-16BE', be16],
    ['UTF-32LE', le32],
    ['UTF-32BE', be32],
  ])('refuses %s whole, naming the encoding, in whole or cut to single bytes', async (name, of) => {
    for (const text of [MAIL, `\n${MAIL}`, `\r\n${MAIL}`]) {
      for (const pieces of [[of(text)], cut(of(text), 1), cut(of(text), 3)]) {
        const read = itemsOf(pieces);

        await expect(read).rejects.toMatchObject({ code: 'BD_FILE_UNREADABLE', field: 'file' });
        await expect(read).rejects.toThrow(`${name} byte order mark`);
        await expect(read).rejects.toThrow(`iconv -f ${name} -t UTF-8`);
      }
    }
  });

  it.each([
    ['FF FE', [0xff, 0xfe]],
    ['FE FF', [0xfe, 0xff]],
    ['FF FE 00 00', [0xff, 0xfe, 0x00, 0x00]],
  ])('reads an 8-bit message that begins with stray bytes %s', async (_, stray) => {
    const bytes = Buffer.concat([Buffer.from(stray), Buffer.from(`X-Junk: 1\r\n${MAIL}`)]);

    for (const pieces of [[bytes], cut(bytes, 1)]) {
      const items = await itemsOf(pieces);

      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ line: 1, record: { messageId: '<u16@example.org>' } });
    }
  });

  it('reads a file that is only a byte order mark as a message refused for its From', async () => {
    const items = await itemsOf([Buffer.from([0xff, 0xfe])]);

    expect(items).toHaveLength(1);
    const record = (items[0] as { record: EmailRecord }).record;
    expect(Buffer.from(record.message.contentBase64, 'base64').subarray(0, 2)).toEqual(
      Buffer.from([0xff, 0xfe]),
    );
    expect(emailAdapter.parse(record, new Date())).toMatchObject({
      kind: 'rejected',
      field: 'from.address',
    });
  });
});

/**
 * A mail file saved as UTF-16 or UTF-32 is refused whole with a conversion hint, however the
 * chunks cut its first bytes; one that begins with those byte order marks in front of 8-bit
 * text is refused whole too, saying how to remove them (read as bytes, an mbox so begun was
 * taken for one message). A message in such an encoding without a mark is refused alone.
 */
import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { readMailFile } from '../../src/intake/email.ts';
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
        await expect(read).rejects.toThrow(`the file is in ${name} (it begins with that byte`);
        await expect(read).rejects.toThrow(`iconv -f ${name} -t UTF-8`);
      }
    }
  });

  it.each([
    ['FF FE', [0xff, 0xfe], 3],
    ['FE FF', [0xfe, 0xff], 3],
    ['FF FE 00 00', [0xff, 0xfe, 0x00, 0x00], 5],
  ])(
    'refuses 8-bit mail behind stray bytes %s, saying how to remove them',
    async (name, stray, from) => {
      const mbox = Buffer.from(
        ['a', 'b', 'c']
          .map(
            (id) =>
              `From ${id}@example.org Thu Jan  1 00:00:00 2026\n` +
              MAIL.replace('u16@', `${id}@`).replaceAll('\r\n', '\n'),
          )
          .join('\n'),
      );
      for (const rest of [mbox, Buffer.from(`X-Junk: 1\r\n${MAIL}`), Buffer.alloc(0)]) {
        const bytes = Buffer.concat([Buffer.from(stray), rest]);

        for (const pieces of [[bytes], cut(bytes, 1)]) {
          const read = itemsOf(pieces);

          await expect(read).rejects.toMatchObject({ code: 'BD_FILE_UNREADABLE', field: 'file' });
          await expect(read).rejects.toThrow(`the file begins with bytes ${name} (a UTF-`);
          await expect(read).rejects.toThrow(`remove them (tail -c +${from} FILE > FIXED`);
        }
      }
    },
  );

  it('refuses a message in UTF-16 without a mark on its own, naming the encoding', async () => {
    const wide = Buffer.from(MAIL.replace('u16@', 'wide@'), 'utf16le');
    const mboxWith = (afterWide: string) =>
      Buffer.concat([
        Buffer.from(`From a@example.org Thu Jan  1 00:00:00 2026\n${MAIL}\n`),
        Buffer.from('From b@example.org Thu Jan  1 00:00:00 2026\n'),
        wide,
        Buffer.from(`${afterWide}From c@example.org Thu Jan  1 00:00:00 2026\n`),
        Buffer.from(MAIL.replace('u16@', 'c@')),
      ]);

    // Separated by a blank line, the message after it is read on.
    const items = await itemsOf([mboxWith('\n\n')]);

    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ line: 1, record: { messageId: '<u16@example.org>' } });
    expect(items[1]).toMatchObject({ line: 8, field: 'message', code: 'BD_INTAKE_FIELD_INVALID' });
    expect((items[1] as { error: string }).error).toContain('text in UTF-16 or UTF-32');
    expect(items[2]).toMatchObject({ record: { messageId: '<c@example.org>' } });

    // Without one (the UTF-16 line end leaves a NUL where the blank line should be) the next
    // separator is not seen and that message goes with the refused one: reported, not taken.
    const joined = await itemsOf([mboxWith('\n')]);

    expect(joined).toHaveLength(2);
    expect(joined[1]).toMatchObject({ line: 8, field: 'message' });
  });

  it('reads an 8-bit message with a NUL byte in its Subject as the message it is', async () => {
    const items = await itemsOf([Buffer.from(MAIL.replace('Subject: hi', 'Subject: h\0i'))]);

    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ record: { messageId: '<u16@example.org>' } });
  });
});

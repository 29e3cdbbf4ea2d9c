/**
 * Files in UTF-16 with a byte order mark (what Windows PowerShell 5.1 writes for `>`) are read
 * as the text they hold, gzipped or not, however the chunks cut them; text after the mark that
 * is not UTF-16 stops the read with BD_FILE_UNREADABLE, keeping what came before. Without a
 * mark nothing is guessed: the bytes are read as UTF-8, as before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { readTextLines } from '../../src/intake/records.ts';
import { openStore } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { runIngest } from '../support/cli-ingest.ts';

const dir = mkdtempSync(join(tmpdir(), 'bd-utf16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const le = (text: string) => Buffer.from(`\ufeff${text}`, 'utf16le');
const be = (text: string) => le(text).swap16();

async function lines(source: string | Buffer[]): Promise<string[]> {
  const input = typeof source === 'string' ? source : Readable.from(source);
  const out: string[] = [];
  for await (const { text } of readTextLines(input)) out.push(text);
  return out;
}

const ALERTS = [
  { time: '2024-03-10T06:30:00Z', title: 'Zugriff verweigert für José 🔑', host: 'win-1', id: 'a' },
  { time: '2024-03-10T06:31:00Z', title: 'Second alert', host: 'win-1', id: 'b' },
];
const NDJSON = `${ALERTS.map((a) => JSON.stringify(a)).join('\r\n')}\r\n`;

describe('reading a UTF-16 file', () => {
  it.each([
    ['UTF-16LE', le(NDJSON)],
    ['UTF-16BE', be(NDJSON)],
    ['gzipped UTF-16LE', gzipSync(le(NDJSON))],
  ])('reads %s with a byte order mark as its text', async (_, bytes) => {
    const file = join(dir, `alerts-${bytes.length}.ndjson`);
    writeFileSync(file, bytes);

    expect(await lines(file)).toEqual(ALERTS.map((a) => JSON.stringify(a)));
  });

  it('reads the same text however the chunks cut the bytes', async () => {
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\n', 'é', '😀')))
      .map((parts) => parts.join(''))
      // FF FE 00 00 is UTF-32LE's mark, so UTF-16LE text may not begin with U+0000 (NUL, which
      // no record may hold anyway).
      .filter((t) => !t.startsWith('\u0000'));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 8 }), async (t, cuts) => {
        const bytes = le(t);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const pieces = [...points, bytes.length].map((end, i) =>
          bytes.subarray(i === 0 ? 0 : (points[i - 1] as number), end),
        );

        // Lines as the reader gives them: split at LF, a CR before the LF (or the end) dropped.
        const expected = t === '' ? [] : t.split('\n');
        if (t.endsWith('\n')) expected.pop();
        const withoutCr = expected.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
        expect(await lines(pieces.filter((p) => p.length > 0))).toEqual(withoutCr);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads every line before text that is not UTF-16, then stops naming its byte', async () => {
    // 00 D8 is U+D800 in UTF-16LE: the first half of a surrogate pair, with no second half.
    const broken = Buffer.concat([
      le('line one\nline two\n'),
      Buffer.from([0x00, 0xd8, 0x78, 0x00]),
    ]);

    const read: string[] = [];
    const error = await (async () => {
      try {
        for await (const { text } of readTextLines(Readable.from([broken]))) read.push(text);
      } catch (err) {
        return err as { code: string; message: string };
      }
      return null;
    })();

    expect(read).toEqual(['line one', 'line two']);
    expect(error?.code).toBe('BD_FILE_UNREADABLE');
    // 2 bytes of byte order mark and 18 characters of 2 bytes each come before it.
    expect(error?.message).toContain('the character at byte 38 (of the text, after any gunzip)');
  });

  it.each([
    ['an odd last byte', Buffer.from([0x41])],
    ['a first half of a pair with nothing after it', Buffer.from([0x3d, 0xd8])],
  ])('refuses %s rather than dropping it', async (_, tail) => {
    const bytes = Buffer.concat([le('ok\n'), tail]);

    await expect(lines([bytes])).rejects.toMatchObject({
      code: 'BD_FILE_UNREADABLE',
      // "ok\n" is 6 bytes after the 2 of the mark: the leftover starts at byte 8.
      message: expect.stringMatching(/it ends inside a character at byte 8 /),
    });
  });

  it('joins the halves of a pair that a chunk border splits', async () => {
    const bytes = le('🔑\n');

    // Cut after the first half of U+1F511 and inside the second.
    expect(await lines([bytes.subarray(0, 4), bytes.subarray(4, 5), bytes.subarray(5)])).toEqual([
      '🔑',
    ]);
  });

  it('reads a file without a byte order mark as UTF-8, guessing nothing', async () => {
    const noMark = Buffer.from('ab\n', 'utf16le');

    expect(await lines([noMark])).toEqual(['a\u0000b\u0000', '\u0000']);
  });
});

describe('breachdesk ingest on a UTF-16 file', () => {
  it('detects the format and stores every alert with its text intact', async () => {
    const file = join(dir, 'powershell-export.ndjson');
    writeFileSync(file, le(NDJSON));
    const dataDir = join(dir, 'data');

    const { code, stdout, stderr } = await runIngest(dataDir, file, '--format', 'auto', '--json');

    expect(stderr).toContain('format generic');
    expect(JSON.parse(stdout)).toMatchObject({ accepted: 2, rejected: 0 });
    expect(code).toBe(0);
    const store = await openStore({ dataDir });
    try {
      const rows = await store.db.select({ title: signals.title }).from(signals);
      expect(rows.map((r) => r.title).sort()).toEqual(ALERTS.map((a) => a.title).sort());
    } finally {
      await store.close();
    }
  });

  it.each([['generic'], ['auto']])(
    'stores the lines before text that is not UTF-16 with --format %s, exits 2 naming the file',
    async (format) => {
      const file = join(dir, `broken-${format}.ndjson`);
      writeFileSync(file, Buffer.concat([le(NDJSON), Buffer.from([0x00, 0xdc, 0x41, 0x00])]));

      const { code, stdout } = await runIngest(
        join(dir, `data-broken-${format}`),
        file,
        '--format',
        format,
        '--json',
      );

      expect(code).toBe(2);
      expect(JSON.parse(stdout)).toMatchObject({
        format: 'generic',
        accepted: 2,
        error: {
          code: 'BD_FILE_UNREADABLE',
          message: expect.stringMatching(
            new RegExp(
              `broken-${format}\\.ndjson: .*half a surrogate pair.*after the record that ` +
                'begins on line 2',
            ),
          ),
        },
      });
    },
  );

  it('names the file when --format auto meets broken UTF-16 before any line', async () => {
    const file = join(dir, 'broken-auto-first.ndjson');
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0xdc, 0x41, 0x00]));

    const { code, stderr } = await runIngest(join(dir, 'data5'), file, '--format', 'auto');

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /error BD_FILE_UNREADABLE: .*broken-auto-first\.ndjson: .*before the end of the first line/,
    );
  });

  it.each([
    ['UTF-32LE', Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])],
    ['UTF-32BE', Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x41])],
  ])('refuses a %s file whole, saying how to convert it', async (name, bytes) => {
    await expect(lines([bytes])).rejects.toMatchObject({
      code: 'BD_FILE_UNREADABLE',
      message: expect.stringContaining(`begins with a ${name} byte order mark`),
    });
  });

  it('names the file when auto meets a break before any line of a large file', async () => {
    // Over the 64 KiB that format detection reads: the break is not the window's cut.
    const file = join(dir, 'broken-large.ndjson');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xdc]), le(NDJSON.repeat(400))]),
    );
    const gz = join(dir, 'damaged.ndjson.gz');
    const whole = gzipSync(Buffer.from(NDJSON.repeat(5000)));
    for (let i = 12; i < 40; i++) whole[i] = (whole[i] as number) ^ 0xff;
    writeFileSync(gz, whole);

    const utf16 = await runIngest(join(dir, 'data6'), file, '--format', 'auto');
    const gzip = await runIngest(join(dir, 'data7'), gz, '--format', 'auto');

    expect(utf16.code).toBe(2);
    expect(utf16.stderr).toMatch(
      /error BD_FILE_UNREADABLE: .*broken-large\.ndjson: .*half a surrogate/,
    );
    expect(gzip.code).toBe(2);
    expect(gzip.stderr).toMatch(/error BD_FILE_UNREADABLE: .*damaged\.ndjson\.gz: .*damaged/);
  });

  it('gives a refused file the conversion advice alone, not "send it again"', async () => {
    const file = join(dir, 'utf32.ndjson');
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]));

    const { code, stdout } = await runIngest(
      join(dir, 'data8'),
      file,
      '--format',
      'generic',
      '--json',
    );

    expect(code).toBe(2);
    const said = JSON.parse(stdout) as { error: { code: string; message: string } };
    expect(said.error.message).toMatch(/utf32\.ndjson: the file begins with a UTF-32LE byte order/);
    expect(said.error.message).toContain('iconv -f UTF-32 -t UTF-8');
    expect(said.error.message).not.toContain('send the complete file again');
  });

  it('refuses an e-mail file in UTF-16 whole, saying how to convert it', async () => {
    const file = join(dir, 'report.eml');
    const mail =
      'From: a@example.org\r\nMessage-ID: <u16@example.org>\r\nSubject: hi\r\n\r\nbody\r\n';
    writeFileSync(file, le(mail));

    for (const format of ['email', 'auto']) {
      const { code, stderr } = await runIngest(
        join(dir, `data-${format}`),
        file,
        '--format',
        format,
      );

      expect(code).toBe(2);
      expect(stderr).toMatch(
        /BD_FILE_UNREADABLE: .*report\.eml: the file is in UTF-16LE \(it begins with that/,
      );
    }
  });

  it('reports a file broken before its first line with the counts, not as a crash', async () => {
    const file = join(dir, 'broken-first.ndjson');
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0xdc, 0x41, 0x00]));

    const { code, stdout } = await runIngest(
      join(dir, 'data3'),
      file,
      '--format',
      'generic',
      '--json',
    );

    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({
      accepted: 0,
      error: {
        code: 'BD_FILE_UNREADABLE',
        message: expect.stringContaining('before the end of the first line'),
      },
    });
  });
});

/**
 * A line with bytes that are not UTF-8 is refused on its own, naming the line, instead of being
 * stored with those bytes turned into U+FFFD; every other line, multi-byte characters cut by
 * chunk borders included, reads as before.
 */
import { isUtf8 } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { readLineRecords, readRecords, readTextLines } from '../../src/intake/records.ts';
import { adapterFor, fileRecords } from '../../src/intake/registry.ts';
import { firstLineNotUtf8, Utf8LineCheck } from '../../src/intake/utf8-lines.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert } from '../support/factories.ts';

const LATIN1_CAFE = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The 1-based numbers of the lines of `bytes` that are not UTF-8, checked whole. */
function badLinesOf(bytes: Buffer): number[] {
  const bad: number[] = [];
  let line = 1;
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (!isUtf8(bytes.subarray(start, end < 0 ? bytes.length : end))) bad.push(line);
    if (end < 0) return bad;
    line += 1;
    start = end + 1;
  }
}

/** `bytes` cut at the given offsets. */
function cutAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const cuts = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) pieces.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  return pieces;
}

// Bytes that make interesting UTF-8: ASCII, line feeds, lead and continuation bytes of every
// length, and bytes no character may use.
const interestingByte = fc.constantFrom(
  0x41,
  0x0a,
  0x0a,
  0x22,
  0xc3,
  0xa9,
  0xe2,
  0x82,
  0xac,
  0xf0,
  0x9f,
  0x98,
  0x80,
  0x80,
  0xbf,
  0xc0,
  0xed,
  0xa0,
  0xf5,
  0xff,
  0xef,
  0xbd,
);

describe('Utf8LineCheck', () => {
  it('finds exactly the lines a whole-line check finds, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(interestingByte, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (values, offsets) => {
          const bytes = Buffer.from(values);
          const check = new Utf8LineCheck();
          const bad = new Set<number>();
          let line = 1;
          for (const piece of cutAt(bytes, offsets)) {
            check.scan(piece, line, bad);
            for (const byte of piece) line += byte === 0x0a ? 1 : 0;
          }
          check.finish(line, bad);
          expect([...bad].sort((a, b) => a - b)).toEqual(badLinesOf(bytes));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('firstLineNotUtf8', () => {
  it('names the first line a whole-line check finds, or none', () => {
    fc.assert(
      fc.property(fc.array(interestingByte, { maxLength: 80 }), (values) => {
        const bytes = Buffer.from(values);
        expect(firstLineNotUtf8(bytes)).toBe(badLinesOf(bytes)[0] ?? null);
      }),
      { numRuns: 2_000 },
    );
  });

  it('copes with a body of millions of lines, bad from the first or only at the last', () => {
    const allBad = Buffer.alloc(4_000_000).fill(Buffer.from([0xe9, 0x0a]));
    expect(firstLineNotUtf8(allBad)).toBe(1);

    const lastBad = Buffer.concat([Buffer.alloc(4_000_000).fill('a\n'), Buffer.from([0xe9])]);
    expect(firstLineNotUtf8(lastBad)).toBe(2_000_001);
  });
});

describe('lines that are not UTF-8', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'breachdesk-not-utf8-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const ndjson = Buffer.concat([
    Buffer.from('{"host":"caf\u00e9 \u20ac \u{1F600} \uFFFD"}\n{"host":"', 'utf8'),
    LATIN1_CAFE,
    Buffer.from('"}\n{"n":3}\n', 'utf8'),
  ]);

  it('are refused one by one, naming the line; the rest, U+FFFD too, read as sent', async () => {
    // One byte at a time: every multi-byte character is cut by a chunk border.
    const chunks = [...ndjson].map((b) => Buffer.from([b]));
    const items = await collect(readRecords(Readable.from(chunks)));

    expect(items).toEqual([
      { line: 1, record: { host: 'caf\u00e9 \u20ac \u{1F600} \uFFFD' } },
      {
        line: 2,
        code: 'BD_INTAKE_MALFORMED_JSON',
        field: '(line)',
        error: expect.stringMatching(/^line 2 holds bytes that are not UTF-8.*iconv/),
      },
      { line: 3, record: { n: 3 } },
    ]);
  });

  it('are found in a gzip file and in a character cut off at the very end', async () => {
    const path = join(dir, 'alerts.ndjson.gz');
    await writeFile(path, gzipSync(Buffer.concat([ndjson, Buffer.from([0x7b, 0xe2, 0x82])])));

    const lines = await collect(readTextLines(path));
    expect(lines.map((l) => [l.line, l.notUtf8 ?? false])).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, true],
    ]);
  });

  it('are refused in line formats too, with the line named', async () => {
    const cef = Buffer.concat([
      Buffer.from('CEF:0|V|P|1|100|ok|5|src=10.0.0.1\nCEF:0|V|P|1|100|', 'utf8'),
      LATIN1_CAFE,
      Buffer.from('|5|src=10.0.0.2\n', 'utf8'),
    ]);
    const items = await collect(readLineRecords(Readable.from([cef])));

    expect(items.map((i) => [i.line, 'error' in i ? i.code : 'record'])).toEqual([
      [1, 'record'],
      [2, 'BD_INTAKE_FIELD_INVALID'],
    ]);
  });
});

describeEachBackend('ingesting a file with a line that is not UTF-8', (backend) => {
  let store: Store;
  let dir = '';

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'breachdesk-not-utf8-ingest-'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the other lines and nothing of that one', async () => {
    const good = JSON.stringify(buildEveAlert({ sid: 1, src: '198.51.100.1' }));
    const bad = Buffer.from(JSON.stringify(buildEveAlert({ sid: 2, src: '198.51.100.2' })));
    const at = bad.indexOf('"signature":"') + '"signature":"'.length;
    bad[at] = 0xe9; // a Latin-1 é where the signature's first letter was

    const path = join(dir, 'eve.json');
    await writeFile(path, Buffer.concat([Buffer.from(`${good}\n`), bad, Buffer.from('\n')]));
    const adapter = adapterFor('suricata');
    const summary = await ingestRecords(store.db, adapter, fileRecords(adapter, path), {
      actor: cliActor('admin', 'test'),
    });

    expect(summary).toMatchObject({ accepted: 1, rejected: 1 });
    expect(summary.results).toEqual([
      expect.objectContaining({
        line: 2,
        status: 'rejected',
        code: 'BD_INTAKE_MALFORMED_JSON',
        field: '(line)',
      }),
    ]);
    const rows = await store.db.execute(sql`SELECT raw->>'src_ip' AS ip, title FROM signals`);
    expect((rows as { rows: { ip: string; title: string }[] }).rows).toEqual([
      { ip: '198.51.100.1', title: expect.not.stringContaining('\uFFFD') },
    ]);
  });
});

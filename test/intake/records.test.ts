import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAX_LINE_CHARS, parseRecordsFromBody, readRecords } from '../../src/intake/records.ts';
import type { RecordItem } from '../../src/intake/records.ts';

const NDJSON = ['{"n":1}', '', '   ', '{"n":2', '{"n":3}', ''].join('\n');

function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
    return 'parsed';
  } catch (error) {
    return (error as Error).message;
  }
}

const EXPECTED: RecordItem[] = [
  { line: 1, record: { n: 1 } },
  { line: 4, error: jsonParseMessage('{"n":2') },
  { line: 5, record: { n: 3 } },
];

async function collect(items: AsyncIterable<RecordItem>): Promise<RecordItem[]> {
  const all: RecordItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('readRecords', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'breachdesk-records-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('numbers physical lines, skips blanks and reports bad JSON lines', async () => {
    const path = join(dir, 'plain.ndjson');
    await writeFile(path, NDJSON);

    expect(await collect(readRecords(path))).toEqual(EXPECTED);
  });

  it('gunzips a .gz path', async () => {
    const path = join(dir, 'alerts.json.gz');
    await writeFile(path, gzipSync(NDJSON));

    expect(await collect(readRecords(path))).toEqual(EXPECTED);
  });

  it('gunzips data that starts with the gzip magic bytes whatever the name', async () => {
    const path = join(dir, 'rotated.log');
    await writeFile(path, gzipSync(NDJSON));

    expect(await collect(readRecords(path))).toEqual(EXPECTED);
  });

  it('reads a stream whose chunks split lines and multi-byte characters', async () => {
    const bytes = Buffer.from('{"city":"São Paulo"}\r\n{"city":"Tōkyō"}\r\n', 'utf8');
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 13), bytes.subarray(13)];

    expect(await collect(readRecords(Readable.from(chunks)))).toEqual([
      { line: 1, record: { city: 'São Paulo' } },
      { line: 2, record: { city: 'Tōkyō' } },
    ]);
  });

  it('ignores a UTF-8 byte-order mark on the first line', async () => {
    const stream = Readable.from([Buffer.from('\uFEFF{"n":1}\n', 'utf8')]);

    expect(await collect(readRecords(stream))).toEqual([{ line: 1, record: { n: 1 } }]);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await collect(readRecords(Readable.from([])))).toEqual([]);
  });

  it('pulls the source only as fast as the consumer reads (constant memory)', async () => {
    let produced = 0;
    function* lines(): Generator<string> {
      for (let n = 0; n < 100_000; n += 1) {
        produced += 1;
        yield `{"n":${n}}\n`;
      }
    }

    let consumed = 0;
    let furthestAhead = 0;
    for await (const item of readRecords(Readable.from(lines()))) {
      consumed += 'record' in item ? 1 : 0;
      furthestAhead = Math.max(furthestAhead, produced - consumed);
    }

    expect(consumed).toBe(100_000);
    expect(furthestAhead).toBeLessThan(5_000);
  });

  it('destroys the source when the consumer stops early', async () => {
    const source = Readable.from(Array.from({ length: 1_000 }, (_, n) => `{"n":${n}}\n`));

    for await (const item of readRecords(source)) {
      if (item.line === 3) break;
    }

    expect(source.destroyed).toBe(true);
  });

  it('throws when gzip data is corrupt, after the lines it could read', async () => {
    const whole = gzipSync('{"n":1}\n'.repeat(10_000));
    const corrupt = Buffer.concat([whole.subarray(0, whole.length - 12), Buffer.alloc(12, 0xff)]);

    let read = 0;
    const reading = (async () => {
      for await (const item of readRecords(Readable.from([corrupt]))) read += item.line > 0 ? 1 : 0;
    })();

    await expect(reading).rejects.toThrow(/check|unexpected end/i);
    expect(read).toBeGreaterThan(0);
  });

  it('throws when the file does not exist', async () => {
    await expect(collect(readRecords(join(dir, 'missing.ndjson')))).rejects.toThrow(/ENOENT/);
  });
});

describe('parseRecordsFromBody', () => {
  it('reads a single, pretty-printed JSON object as one record', () => {
    const body = JSON.stringify({ title: 'x', time: '2024-01-01T00:00:00Z' }, null, 2);

    expect([...parseRecordsFromBody(body)]).toEqual([
      { line: 1, record: { title: 'x', time: '2024-01-01T00:00:00Z' } },
    ]);
  });

  it('reads a JSON array as one record per element, numbered from 1', () => {
    expect([...parseRecordsFromBody('[{"n":1},{"n":2}]')]).toEqual([
      { line: 1, record: { n: 1 } },
      { line: 2, record: { n: 2 } },
    ]);
  });

  it('reads NDJSON line by line and keeps going past a malformed line', () => {
    expect([...parseRecordsFromBody(NDJSON)]).toEqual(EXPECTED);
  });

  it('reads CRLF NDJSON', () => {
    expect([...parseRecordsFromBody('{"n":1}\r\n{"n":2}\r\n')]).toEqual([
      { line: 1, record: { n: 1 } },
      { line: 2, record: { n: 2 } },
    ]);
  });

  it('yields nothing for an empty or blank body', () => {
    expect([...parseRecordsFromBody('')]).toEqual([]);
    expect([...parseRecordsFromBody(' \n\t\n')]).toEqual([]);
  });
});

describe('a line too long to hold', () => {
  it('is reported on its own and the lines after it are read', async () => {
    const huge = 'x'.repeat(MAX_LINE_CHARS + 10);
    const source = Readable.from([
      Buffer.from('{"a":1}\n'),
      Buffer.from(huge),
      Buffer.from('\r\n{"b":2}\r\n'),
    ]);
    const items = [];
    for await (const item of readRecords(source)) items.push(item);

    expect(items).toEqual([
      { line: 1, record: { a: 1 } },
      expect.objectContaining({ line: 2, code: 'BD_REQUEST_TOO_LARGE' }),
      { line: 3, record: { b: 2 } },
    ]);
  });

  it('splits lines across chunk borders and multi-byte characters', async () => {
    const bytes = Buffer.from('{"t":"é€"}\n{"t":"x"}', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const items = [];
    for await (const item of readRecords(Readable.from(chunks))) items.push(item);

    expect(items).toEqual([
      { line: 1, record: { t: 'é€' } },
      { line: 2, record: { t: 'x' } },
    ]);
  });
});

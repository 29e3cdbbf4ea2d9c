/**
 * Reading a file as lines of bytes (mail): every byte kept whatever it encodes, in any
 * chunking, and a line over the limit counted rather than held.
 */
import { Readable } from 'node:stream';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { type ByteLine, readByteLines } from '../../src/intake/byte-lines.ts';

async function linesOf(pieces: Buffer[], max = 1_000): Promise<ByteLine[]> {
  const lines: ByteLine[] = [];
  for await (const line of readByteLines(Readable.from(pieces), max)) lines.push(line);
  return lines;
}

/** The lines `data` holds by definition: split at LF, a CR before it dropped. */
function expectedLines(data: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, start)) {
    parts.push(data.subarray(start, i));
    start = i + 1;
  }
  if (start < data.length) parts.push(data.subarray(start));
  return parts.map((p) => (p.at(-1) === 0x0d ? p.subarray(0, -1) : p));
}

describe('readByteLines', () => {
  it('gives back every byte of any input, however it is cut into chunks', async () => {
    // Bytes weighted towards line ends, so that empty lines and CR LF pairs are common.
    const byte = fc.oneof(fc.constantFrom(0x0a, 0x0d), fc.integer({ min: 0, max: 255 }));
    const input = fc.array(byte, { maxLength: 200 }).map((bytes) => Buffer.from(bytes));
    const cuts = fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 6 });

    await fc.assert(
      fc.asyncProperty(input, cuts, async (data, at) => {
        const edges = [...new Set([0, ...at.map((n) => Math.min(n, data.length)), data.length])];
        edges.sort((a, b) => a - b);
        const pieces = edges.slice(1).map((end, i) => data.subarray(edges[i], end));

        const lines = await linesOf(pieces.filter((p) => p.length > 0));

        expect(lines.map((l) => l.bytes)).toEqual(expectedLines(data));
        expect(lines.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
        expect(lines.map((l) => l.size)).toEqual(lines.map((l) => l.bytes.length));
      }),
      // A byte order mark is bytes like any other here (a CI run once drew FF FE and failed).
      { numRuns: 300, examples: [[Buffer.from([0xff, 0xfe]), []]] },
    );
  });

  it('keeps bytes that are not UTF-8 as they are', async () => {
    const latin1 = Buffer.from('caf\u00e9\r\nna\u00efve', 'latin1');

    const lines = await linesOf([latin1]);

    expect(lines.map((l) => l.bytes.toString('latin1'))).toEqual(['caf\u00e9', 'na\u00efve']);
  });

  it('counts a line over the limit to its end without holding it', async () => {
    const long = Buffer.alloc(5_000, 0x78);

    const lines = await linesOf([
      Buffer.from('a\n'),
      long.subarray(0, 3_000),
      long.subarray(3_000),
      Buffer.from('\r\nb\n'),
    ]);

    expect(lines).toEqual([
      { line: 1, bytes: Buffer.from('a'), size: 1 },
      { line: 2, bytes: Buffer.alloc(0), tooLong: true, head: long.subarray(0, 64), size: 5_000 },
      { line: 3, bytes: Buffer.from('b'), size: 1 },
    ]);
  });

  it('takes a line exactly at the limit whole', async () => {
    const lines = await linesOf([Buffer.alloc(1_000, 0x79), Buffer.from('\r\n')]);

    expect(lines).toEqual([{ line: 1, bytes: Buffer.alloc(1_000, 0x79), size: 1_000 }]);
  });
});

/**
 * Reading bytes that ought to be UTF-8 but may hold a legacy charset (syslog messages, raw
 * e-mail headers): UTF-8 stays UTF-8 even beside a stray legacy byte, every other byte reads as
 * Windows-1252, and nothing becomes U+FFFD.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { bytesAsText } from '../../src/intake/legacy-text.ts';

const text = (bytes: number[]) => bytesAsText(Buffer.from(bytes));

describe('bytesAsText', () => {
  it.each([
    [[0xc3, 0xa9, 0xe9], 'éé'],
    [[0xe9, 0xc3, 0xa9], 'éé'],
    [[0xf0, 0x9f, 0x98, 0x80, 0x93], '😀“'],
    [[0xe2, 0x82, 0xac, 0x80], '€€'],
    [[0xe2, 0x82], 'â‚'],
    [[0xc0, 0xaf], 'À¯'], // an overlong "/" is not UTF-8
  ])('reads %j as %j', (bytes, expected) => {
    expect(text(bytes)).toEqual({ text: expected, legacy: true });
  });

  it('reads UTF-8 as UTF-8, and says nothing was legacy', () => {
    expect(bytesAsText(Buffer.from('café “ok” 😀'))).toEqual({
      text: 'café “ok” 😀',
      legacy: false,
    });
  });

  it('gives every byte a character and never U+FFFD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const { text: read } = bytesAsText(Buffer.from(bytes));
        const hasReplacement = Buffer.from(bytes).includes(Buffer.from('\uFFFD'));
        expect(read.includes('\uFFFD')).toBe(hasReplacement);
        // ASCII is kept as it is, in order.
        const ascii = [...bytes].filter((b) => b < 0x80).map((b) => String.fromCharCode(b));
        expect([...read].filter((c) => c.charCodeAt(0) < 0x80)).toEqual(ascii);
      }),
      { numRuns: 2000 },
    );
  });
});

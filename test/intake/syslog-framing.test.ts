import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { type Frame, SyslogFramer } from '../../src/intake/syslog-framing.ts';

/** Frames of `input` fed in the given chunk sizes, then end(); messages shown as text. */
function frames(input: string | Buffer, chunkSizes: number[] = [], max = 100): string[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const framer = new SyslogFramer(max);
  const out: Frame[] = [];

  let at = 0;
  for (const size of chunkSizes) {
    out.push(...framer.push(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(...framer.push(bytes.subarray(at)), ...framer.end());
  return out.map((f) => (f.kind === 'message' ? f.bytes.toString('utf8') : `${f.kind}:${f.size}`));
}

function counted(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

describe('RFC 6587 framing', () => {
  it('splits octet-counted messages, which may hold line breaks', () => {
    expect(frames(counted('<13>a\nb') + counted('<13>c'))).toEqual(['<13>a\nb', '<13>c']);
  });

  it('splits LF-framed messages and drops a CR before the LF', () => {
    expect(frames('<13>one\r\n<13>two\n\n')).toEqual(['<13>one', '<13>two']);
  });

  it('reads both framings on one connection, chosen per message', () => {
    expect(frames(`<13>lf\n${counted('<13>oc')}<13>lf again\n`)).toEqual([
      '<13>lf',
      '<13>oc',
      '<13>lf again',
    ]);
  });

  it('counts octets, not characters', () => {
    expect(frames(counted('<13>Müller ✓') + counted('<13>x'))).toEqual(['<13>Müller ✓', '<13>x']);
  });

  it('gives the same frames however the bytes are chunked', () => {
    const input = `${counted('<13>first é')}<13>second\n${counted('<13>third')}`;
    const whole = frames(input);

    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 40 }), (sizes) => {
        expect(frames(input, sizes)).toEqual(whole);
      }),
    );
  });

  it('discards an oversize octet-counted message and stays in step', () => {
    const big = `<13>${'x'.repeat(200)}`;

    expect(frames(counted(big) + counted('<13>after'), [50, 50])).toEqual([
      'oversize:204',
      '<13>after',
    ]);
  });

  it('discards an oversize LF-framed message up to its LF', () => {
    expect(frames(`<13>${'y'.repeat(300)}\n<13>after\n`, [120, 120])).toEqual([
      'oversize:120',
      '<13>after',
    ]);
  });

  it('takes a last LF-framed message without its LF when the sender closes', () => {
    expect(frames('<13>one\n<13>last')).toEqual(['<13>one', '<13>last']);
  });

  it('reports an octet-counted message cut short by the close', () => {
    expect(frames('40 <13>short')).toEqual(['truncated:40']);
  });
});

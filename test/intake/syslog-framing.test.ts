import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { type Frame, SyslogFramer, datagramFrames } from '../../src/intake/syslog-framing.ts';

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

describe('UDP datagrams', () => {
  const shown = (datagram: string, max = 100): string[] =>
    datagramFrames(Buffer.from(datagram, 'utf8'), max).map((f) =>
      f.kind === 'message' ? f.bytes.toString('utf8') : `${f.kind}:${f.size}`,
    );

  it('takes each LF-ended line that starts a message as its own message', () => {
    expect(shown('<13>one\n\n<13>two\r\n')).toEqual(['<13>one', '<13>two']);
    expect(shown('CEF:0|a|b|1|7|x|3|\nCEF:0|a|b|1|7|y|3|')).toEqual([
      'CEF:0|a|b|1|7|x|3|',
      'CEF:0|a|b|1|7|y|3|',
    ]);
  });

  it('keeps one message per datagram with its trailing LF, CR or NUL cut', () => {
    expect(shown('<13>only\r\n\u0000')).toEqual(['<13>only']);
    expect(shown('\n\n')).toEqual([]);
  });

  it('keeps a line that starts no message with the message before it', () => {
    expect(shown('<13>first line\nsecond line\n<13>next')).toEqual([
      '<13>first line\nsecond line',
      '<13>next',
    ]);
  });

  it('reports a message over the limit and keeps the others', () => {
    expect(shown(`<13>${'z'.repeat(120)}\n<13>small`)).toEqual(['oversize:124', '<13>small']);
  });
});

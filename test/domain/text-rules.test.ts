/**
 * The multi-line rule keeps line breaks and tabs but refuses the other controls and the bidi
 * embeddings, overrides and isolates; the one-line rule is unchanged for its earlier callers.
 */
import { describe, expect, it } from 'vitest';
import { controlMessage } from '../../src/domain/text-rules.ts';
import { controlOrBidiIn, lineBreakOrControlIn } from '../../src/domain/visible-text.ts';

describe('controlOrBidiIn', () => {
  it('keeps line breaks, tabs and right-to-left marks', () => {
    for (const text of ['one\ntwo', 'one\r\ntwo', 'a\tb', 'שלום\u200F world', 'Zoë']) {
      expect(controlOrBidiIn(text)).toBeNull();
    }
  });

  it('names the first embedding, override, isolate or other control', () => {
    const cases: [string, string][] = [
      ['wait\u202E', 'U+202E'],
      ['\u202Aa', 'U+202A'],
      ['a\u2066b\u2069', 'U+2066'],
      ['a\u2069', 'U+2069'],
      ['esc\u001b[2J', 'U+001B'],
      ['nul\u0000', 'U+0000'],
      ['c1\u0085', 'U+0085'],
      ['del\u007F', 'U+007F'],
    ];
    expect(cases.map(([text]) => controlOrBidiIn(text))).toEqual(cases.map(([, code]) => code));
  });

  it('leaves the one-line rule as it was: line breaks and marks refused too', () => {
    expect(['a\nb', 'a\u200Fb', 'a\u202Eb', 'plain'].map(lineBreakOrControlIn)).toEqual([
      'U+000A',
      'U+200F',
      'U+202E',
      null,
    ]);
    expect(controlMessage('one', 'U+202E')).toContain('U+202E');
  });
});

/**
 * What makes a name show nothing or look like another: the pure checks behind the refusals of
 * test/http/invisible-text.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { escapedControls, formatCharacterIn, showsNoText } from '../../src/domain/visible-text.ts';

describe('showsNoText', () => {
  it('is true for joiners, zero-width spaces, tag characters and blank letters alone', () => {
    const blanks = ['', ' \n\t', '\u200D', '\u200B\u200B', '\uFEFF', '\u{E0041}', '\u3164'];

    expect(blanks.filter((text) => !showsNoText(text))).toEqual([]);
  });

  it('is false once one character shows', () => {
    expect(['a', '\u200Ba', '😀', 'Zoe\u0308'].filter(showsNoText)).toEqual([]);
  });
});

describe('formatCharacterIn', () => {
  it('names the first format character, astral tag characters too', () => {
    const cases: [string, string][] = [
      ['al\u200Bice', 'U+200B'],
      ['al\u2060ice', 'U+2060'],
      ['\uFEFFalice', 'U+FEFF'],
      ['al\u00ADice', 'U+00AD'],
      ['alice\u{E0061}\u{E007F}', 'U+E0061'],
    ];

    expect(cases.map(([text]) => formatCharacterIn(text))).toEqual(cases.map(([, c]) => c));
  });

  it('is null for names that hold none, accents and other scripts included', () => {
    const names = ['alice', 'Zoë Ødegård', 'Zoe\u0308', 'Ιωάννα', 'arn:aws:iam::1:user/x y'];

    expect(names.map(formatCharacterIn)).toEqual(names.map(() => null));
  });
});

describe('escapedControls', () => {
  it('writes controls, separators and bidi overrides as code points', () => {
    const text = 'a\u001b[31mb\tc\nd\u2028e\u202Ef\u0000g\u009bh\u007f';

    expect(escapedControls(text)).toBe(
      'a\\u001b[31mb\\u0009c\\u000ad\\u2028e\\u202ef\\u0000g\\u009bh\\u007f',
    );
  });

  it('leaves printable text of any script, emoji and accents as it is', () => {
    const texts = ['Zoë Ødegård', 'Ιωάννα', '😀 ✓', 'C:\\Temp "x"', ''];

    expect(texts.map(escapedControls)).toEqual(texts);
  });
});

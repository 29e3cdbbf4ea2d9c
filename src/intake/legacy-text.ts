/**
 * Text from bytes that ought to be UTF-8 but, from a device or a mail program of another age,
 * may not be. Each UTF-8 sequence is read as UTF-8 and any other byte as Windows-1252, the
 * reading browsers give a Latin-1 label (WHATWG Encoding Standard): Latin-1's letters, and the
 * euro sign and curly quotes where Latin-1 has control codes. Nothing becomes U+FFFD, but the
 * reading is for people, not byte for byte: UTF-8 and Windows-1252 bytes can read alike.
 */
import { isUtf8 } from 'node:buffer';

// Windows-1252's characters for bytes 0x80–0x9F, from the WHATWG index-windows-1252; the five
// bytes it leaves unassigned keep their Latin-1 code point, as that index has them. Written out
// because Node's TextDecoder reads this label as plain Latin-1 and iconv-lite gives U+FFFD.
const C1_AS_1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function windows1252(run: string): string {
  return run.replace(/[\u0080-\u009f]/g, (c) =>
    String.fromCharCode(C1_AS_1252[c.charCodeAt(0) - 0x80] as number),
  );
}

/**
 * `bytes` holds one byte per character (U+0000–U+00FF), as Buffer#toString('latin1') gives.
 * Each UTF-8 sequence is read as UTF-8, byte by byte otherwise: a stray legacy byte does not
 * turn the UTF-8 beside it into mojibake.
 */
export function runsAsText(bytes: string): string {
  return bytes.replace(/[\u0080-\u00ff]+/g, (run) => {
    const raw = Buffer.from(run, 'latin1');
    if (isUtf8(raw)) return raw.toString('utf8');

    let text = '';
    for (let i = 0; i < raw.length;) {
      const length = sequenceLength(raw[i] as number);
      if (length > 1 && i + length <= raw.length && isUtf8(raw.subarray(i, i + length))) {
        text += raw.toString('utf8', i, i + length);
        i += length;
      } else {
        text += windows1252(run[i] as string);
        i += 1;
      }
    }
    return text;
  });
}

/** The length of the UTF-8 sequence a byte would lead (RFC 3629 §4), or 1 if it leads none. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** The text of `bytes`, and whether any run of them had to be read as Windows-1252. */
export function bytesAsText(bytes: Buffer): { text: string; legacy: boolean } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), legacy: false };
  return { text: runsAsText(bytes.toString('latin1')), legacy: true };
}

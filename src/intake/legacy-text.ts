/**
 * Text from bytes that ought to be UTF-8 but, from a device or a mail program of another age,
 * may not be. Each run of 8-bit bytes that is UTF-8 is read as UTF-8 and any other run as
 * Latin-1, which gives every byte a character of its own: nothing becomes U+FFFD, and the bytes
 * the sender wrote can be had back from the text.
 */
import { isUtf8 } from 'node:buffer';

/** `latin1` holds one byte per character (U+0000–U+00FF), as Buffer#toString('latin1') gives. */
export function runsAsText(latin1: string): string {
  return latin1.replace(/[\u0080-\u00ff]+/g, (run) => {
    const bytes = Buffer.from(run, 'latin1');
    return isUtf8(bytes) ? bytes.toString('utf8') : run;
  });
}

/** The text of `bytes`, and whether any run of them had to be read as Latin-1. */
export function bytesAsText(bytes: Buffer): { text: string; legacy: boolean } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), legacy: false };
  return { text: runsAsText(bytes.toString('latin1')), legacy: true };
}

/**
 * The stable identity of "the same thing happening again", used to de-duplicate signals.
 */
import { hash } from 'node:crypto';

/**
 * SHA-256 (hex) over the JSON array `[format, ...keys]`. JSON keeps the encoding unambiguous
 * (`['a b', 'c']` and `['a', 'b c']` differ) and keeps `1`, `'1'` and `null` apart. Only the
 * keys an adapter chooses go in, so arrival time and body layout never change the result.
 */
export function fingerprint(format: string, keys: (string | number | null)[]): string {
  const canonical = JSON.stringify([format, ...keys]);
  // The one-shot hash: it runs for every alert, and skips building a Hash object.
  return hash('sha256', canonical, 'hex');
}

/**
 * Password rules and hashing for local accounts. Hashes are argon2id with the OWASP Password
 * Storage Cheat Sheet parameters (m = 19 MiB, t = 2, p = 1), stored as PHC strings, so the
 * parameters travel with each hash and can be raised later without breaking old ones.
 * Passwords are hashed and checked in Unicode NFC, so "é" typed as one code point on one device
 * and as e + U+0301 on another is one password.
 */
import { hash, verify } from '@node-rs/argon2';
import { fail } from '../domain/errors.ts';

// 2 is argon2id; the package's `Algorithm` is a const enum, which tsx cannot inline.
const ARGON2ID = 2;

const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
/** Longer input is refused before hashing, so nobody makes the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Refuses a password that is too short, too long, one character repeated, or the email itself.
 * No list of common passwords ships with Breachdesk (it runs offline), so length does the work.
 */
export function checkPasswordRules(typed: string, email: string): void {
  // The rules judge what is stored: the NFC form.
  const password = typed.normalize('NFC');
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    fail(
      'BD_REQUEST_INVALID',
      `the password must have at least ${MIN_PASSWORD_LENGTH} characters; a passphrase of ` +
        'several words is easiest to remember',
      'password',
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    fail(
      'BD_REQUEST_INVALID',
      `the password must have at most ${MAX_PASSWORD_LENGTH} characters`,
      'password',
    );
  }
  if (new Set(password).size === 1) {
    fail('BD_REQUEST_INVALID', 'the password must not be one character repeated', 'password');
  }
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) {
    fail('BD_REQUEST_INVALID', 'the password must not be the email address', 'password');
  }
}

/** The argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for a password's NFC form. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), OPTIONS);
}

/**
 * The forms of a typed password to try, NFC first. Hashes stored before passwords were
 * normalised were made from the input as typed, so a non-NFC input is also tried as it came.
 */
function formsToTry(password: string): string[] {
  const nfc = password.normalize('NFC');
  return nfc === password ? [nfc] : [nfc, password];
}

let dummyHash: Promise<string> | null = null;

/**
 * Whether `password`, in NFC or (for older hashes) as typed, matches `stored`. With no stored
 * hash (unknown account, no password set) it still runs as many argon2id verifications as a
 * wrong password would, against a throw-away hash, and answers false, so the time taken does
 * not tell which accounts exist.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const forms = formsToTry(password);
  if (stored === null) {
    dummyHash ??= hashPassword('breachdesk-timing-equaliser');
    for (const form of forms) await verify(await dummyHash, form).catch(() => false);
    return false;
  }

  for (const form of forms) {
    // A malformed stored hash is a refusal, not a crash of the sign-in route.
    if (await verify(stored, form).catch(() => false)) return true;
  }
  return false;
}

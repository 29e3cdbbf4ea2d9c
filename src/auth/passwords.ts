/**
 * Password rules and hashing for local accounts. Hashes are argon2id with the OWASP Password
 * Storage Cheat Sheet parameters (m = 19 MiB, t = 2, p = 1), stored as PHC strings, so the
 * parameters travel with each hash and can be raised later without breaking old ones.
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
export function checkPasswordRules(password: string, email: string): void {
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

/** The argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | null = null;

/**
 * Whether `password` matches `stored`. With no stored hash (unknown account, no password set)
 * it still runs one argon2id verification against a throw-away hash and answers false, so the
 * time taken does not tell which accounts exist.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hashPassword('breachdesk-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }

  // A malformed stored hash is a refusal, not a crash of the sign-in route.
  return verify(stored, password).catch(() => false);
}

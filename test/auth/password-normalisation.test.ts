/**
 * Passwords are one password whatever Unicode form they arrive in: "é" as one code point (NFC)
 * or as e + U+0301 (NFD). The argon2 module is wrapped (a module-boundary mock that calls the
 * real functions) only to count verifications, which is what sign-in timing is made of.
 */
import type * as Argon2 from '@node-rs/argon2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkPasswordRules, hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { BreachdeskError } from '../../src/domain/errors.ts';

vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof Argon2>();
  return { ...real, verify: vi.fn(real.verify) };
});
const argon2 = await import('@node-rs/argon2');

const TYPED = 'Crème brûlée à la carte, s’il vous plaît';
const NFC = TYPED.normalize('NFC');
const NFD = TYPED.normalize('NFD');
const WRONG_NFD = 'Crème brûlée à la carte, merci'.normalize('NFD');

function refusal(password: string): string | null {
  try {
    checkPasswordRules(password, 'ada@provider.example');
    return null;
  } catch (err) {
    return err instanceof BreachdeskError ? `${err.code} ${err.field}` : String(err);
  }
}

async function verificationsFor(stored: string | null, password: string): Promise<number> {
  vi.mocked(argon2.verify).mockClear();
  await verifyPassword(stored, password);
  return vi.mocked(argon2.verify).mock.calls.length;
}

describe('passwords in either Unicode form', () => {
  afterEach(() => vi.mocked(argon2.verify).mockClear());

  it('uses two different strings for the one password', () => {
    expect(NFC).not.toBe(NFD);
  });

  it('verifies the NFC form against a hash of the NFD form, and the reverse', async () => {
    expect(await verifyPassword(await hashPassword(NFD), NFC)).toBe(true);
    expect(await verifyPassword(await hashPassword(NFC), NFD)).toBe(true);
  });

  it('still verifies a hash made from NFD input before passwords were normalised', async () => {
    const legacy = await argon2.hash(NFD, { algorithm: 2 });
    expect(await verifyPassword(legacy, NFD)).toBe(true);
    expect(await verifyPassword(legacy, WRONG_NFD)).toBe(false);
  });

  it('tries the input as typed only when it is not already NFC', async () => {
    const stored = await hashPassword(NFC);
    expect(await verificationsFor(stored, 'Crème brûlée à la carte, merci')).toBe(1);
    expect(await verificationsFor(stored, WRONG_NFD)).toBe(2);
    expect(await verificationsFor(stored, NFD)).toBe(1);
  });

  it('spends as many verifications on an unknown account as on a wrong password', async () => {
    const stored = await hashPassword(NFC);
    for (const guess of [WRONG_NFD, 'an ascii guess at it']) {
      expect(await verificationsFor(null, guess)).toBe(await verificationsFor(stored, guess));
    }
  });

  it('applies the rules to the NFC form, which is what is stored', () => {
    // 13 code points in NFD, 11 in NFC.
    expect(refusal('résumé pile'.normalize('NFD'))).toBe('BD_REQUEST_INVALID password');
    // e + U+0301 twelve times is one character, é, repeated.
    expect(refusal('é'.repeat(12).normalize('NFD'))).toBe('BD_REQUEST_INVALID password');
  });
});

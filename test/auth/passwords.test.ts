import { describe, expect, it } from 'vitest';
import { checkPasswordRules, hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { BreachdeskError } from '../../src/domain/errors.ts';

const EMAIL = 'ada@provider.example';

function refusal(password: string): string | null {
  try {
    checkPasswordRules(password, EMAIL);
    return null;
  } catch (err) {
    return err instanceof BreachdeskError ? `${err.code} ${err.field}` : String(err);
  }
}

describe('password rules', () => {
  it('refuses fewer than 12 characters, counting code points', () => {
    expect(refusal('elevenchars')).toBe('BD_REQUEST_INVALID password');
    expect(refusal('🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒')).toBe('BD_REQUEST_INVALID password');
    expect(refusal('twelve chars')).toBeNull();
  });

  it('refuses one character repeated', () => {
    expect(refusal('aaaaaaaaaaaaaaaa')).toBe('BD_REQUEST_INVALID password');
  });

  it('refuses the email address itself, in any case', () => {
    expect(refusal('Ada@Provider.example')).toBe('BD_REQUEST_INVALID password');
  });

  it('refuses more than 1024 characters', () => {
    expect(refusal('ab'.repeat(513))).toBe('BD_REQUEST_INVALID password');
  });
});

describe('password hashing', () => {
  it('hashes with argon2id at the OWASP parameters, salted', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
  });

  it('answers false for a malformed stored hash instead of throwing', async () => {
    expect(await verifyPassword('$argon2id$garbage', 'correct horse battery staple')).toBe(false);
  });

  it('spends about as long on an unknown account as on a real hash', async () => {
    const stored = await hashPassword('correct horse battery staple');
    await verifyPassword(null, 'warm up the dummy hash');

    const timed = async (hash: string | null) => {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await verifyPassword(hash, 'a guess at the password');
        runs.push(performance.now() - start);
      }
      return runs.sort((x, y) => x - y)[2] as number;
    };
    const known = await timed(stored);
    const unknown = await timed(null);
    // Without the dummy verification an unknown account answers in microseconds.
    expect(unknown).toBeGreaterThan(known / 3);
    expect(unknown).toBeLessThan(known * 3);
  });
});

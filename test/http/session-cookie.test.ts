import { describe, expect, it } from 'vitest';
import {
  clearedSessionCookie,
  readSessionCookie,
  sessionCookie,
} from '../../src/http/session-cookie.ts';

describe('reading the bd_session cookie', () => {
  it('finds it among other cookies, with or without spaces', () => {
    expect(readSessionCookie('theme=dark; bd_session=bds_abc; lang=en')).toBe('bds_abc');
    expect(readSessionCookie('bd_session=bds_abc;theme=dark')).toBe('bds_abc');
  });

  it('takes a quoted value without its quotes', () => {
    expect(readSessionCookie('bd_session="bds_abc"')).toBe('bds_abc');
  });

  it('answers null without the cookie, for an empty value, and for a lookalike name', () => {
    expect(readSessionCookie(undefined)).toBeNull();
    expect(readSessionCookie('theme=dark')).toBeNull();
    expect(readSessionCookie('bd_session=')).toBeNull();
    expect(readSessionCookie('xbd_session=bds_abc')).toBeNull();
  });

  it('answers null when the cookie comes twice (one may be planted)', () => {
    expect(readSessionCookie('bd_session=bds_a; bd_session=bds_b')).toBeNull();
  });

  it('answers null for an oversized header instead of scanning it', () => {
    expect(readSessionCookie(`bd_session=bds_a; pad=${'x'.repeat(9000)}`)).toBeNull();
  });
});

describe('writing the bd_session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, Secure, and lives as long as given', () => {
    expect(sessionCookie('bds_abc', 3600, { plainHttp: false })).toBe(
      'bd_session=bds_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure',
    );
  });

  it('leaves Secure off only for plain HTTP', () => {
    expect(sessionCookie('bds_abc', 60, { plainHttp: true })).not.toContain('Secure');
  });

  it('clears with an empty value and Max-Age=0', () => {
    expect(clearedSessionCookie({ plainHttp: false })).toBe(
      'bd_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });
});

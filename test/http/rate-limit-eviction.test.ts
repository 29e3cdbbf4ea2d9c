/**
 * What the token buckets forget when their table is full: never a locked key (that would let
 * a flood of other keys unlock an account), and otherwise the least recently used key.
 */
import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/http/rate-limit.ts';

// The sign-in account limit: 5 failures, one regained every 3 minutes.
const LOGIN = { burst: 5, perSecond: 5 / 900 };
// One request, regained after 100 s: one take locks a key.
const ONE_SHOT = { burst: 1, perSecond: 0.01 };

const allowed = (buckets: TokenBuckets, key: string, at: number) => buckets.take(key, at).allowed;

describe('token buckets past their key cap', () => {
  it('keep a locked key however many other keys fail after it', () => {
    const buckets = new TokenBuckets(LOGIN, { maxKeys: 100 });
    for (let i = 0; i < 5; i++) buckets.take('victim', 0);

    for (let i = 0; i < 10_000; i++) buckets.take(`other${i}`, 1000);

    expect(buckets.take('victim', 2000)).toEqual({ allowed: false, retryAfterSeconds: 178 });
  });

  it('forget the least recently used key, not the first added', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 0.001 }, { maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) buckets.take(key, 0);
    buckets.peek('a', 1);

    buckets.take('d', 2);

    expect([allowed(buckets, 'a', 3), allowed(buckets, 'a', 3)]).toEqual([true, false]);
    expect([allowed(buckets, 'b', 3), allowed(buckets, 'b', 3)]).toEqual([true, true]);
  });

  it('refuse a new key, dropping no lock, when every key is locked at the hard cap', () => {
    const buckets = new TokenBuckets(ONE_SHOT, { maxKeys: 2, hardMaxKeys: 3 });
    for (const key of ['a', 'b', 'c']) buckets.take(key, 0);

    expect(buckets.take('d', 10_000)).toEqual({ allowed: false, retryAfterSeconds: 90 });
    expect(buckets.peek('d', 10_000).allowed).toBe(false);
    expect(['a', 'b', 'c'].map((key) => allowed(buckets, key, 10_000))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('track a new key again once a lock has lapsed', () => {
    const buckets = new TokenBuckets(ONE_SHOT, { maxKeys: 2, hardMaxKeys: 3 });
    for (const key of ['a', 'b', 'c']) buckets.take(key, 0);

    expect(allowed(buckets, 'd', 100_000)).toBe(true);
    expect(allowed(buckets, 'd', 100_000)).toBe(false);
  });

  it('grow past maxKeys only while keys are locked, and shrink back once locks lapse', () => {
    const buckets = new TokenBuckets(ONE_SHOT, { maxKeys: 2, hardMaxKeys: 8 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) buckets.take(key, 0);
    expect(buckets.size).toBe(5);

    buckets.take('f', 200_000);

    expect(buckets.size).toBe(2);
  });

  it('do not grow the table for a give-back on a key it does not hold', () => {
    const buckets = new TokenBuckets(ONE_SHOT, { maxKeys: 2 });
    buckets.giveBack('a', 0);

    expect(buckets.size).toBe(0);
  });
});

/**
 * Throttles count an IPv6 client by its /64 network, since one subscriber is given at least a
 * whole /64; an IPv4 client by its address, however it is spelled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addressKey } from '../../src/http/address-key.ts';
import { createLoginThrottle } from '../../src/http/login-throttle.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('address keys', () => {
  it('put every address of one IPv6 /64 under one key', () => {
    const keys = [
      '2001:db8:1:2::1',
      '2001:0DB8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:db8:1:2:a::9',
    ];
    expect(new Set(keys.map(addressKey))).toEqual(new Set(['2001:db8:1:2::/64']));
  });

  it('keep neighbouring IPv6 /64 networks apart', () => {
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });

  it('count an IPv4-mapped IPv6 address as its IPv4 address, and IPv4 per address', () => {
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).not.toBe(addressKey('192.0.2.8'));
  });
});

describe('sign-in throttle per address', () => {
  const limits = {
    perAccount: { failures: 100, windowMinutes: 15 },
    perAddress: { failures: 3, windowMinutes: 15 },
  };

  it('refuses a fourth address of a /64 that had three failures', () => {
    const throttle = createLoginThrottle(limits, () => 0);
    const addresses = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:ffff'];
    for (const [i, address] of addresses.entries()) {
      expect(throttle.admit(`u${i}@provider.example`, address).allowed).toBe(true);
    }

    expect(throttle.admit('x@provider.example', '2001:db8:1:2:abcd::9').allowed).toBe(false);
    expect(throttle.admit('x@provider.example', '2001:db8:1:3::1').allowed).toBe(true);
  });

  it('counts failures from ::ffff:192.0.2.7 against 192.0.2.7', () => {
    const throttle = createLoginThrottle(limits, () => 0);
    for (let i = 0; i < 3; i++) throttle.admit(`u${i}@provider.example`, '::ffff:192.0.2.7');

    expect(throttle.admit('x@provider.example', '192.0.2.7').allowed).toBe(false);
  });
});

describeEachBackend('API-token guessing from one IPv6 /64', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store, {
      server: { rateLimits: { badTokensPerAddress: { burst: 3, perSecond: 0.01 } } },
    });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (remoteAddress: string, authorization: string) =>
    server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      remoteAddress,
      headers: { authorization },
    });

  it('makes the whole /64 wait once its addresses together sent too many bad tokens', async () => {
    for (let i = 1; i <= 3; i++) {
      expect((await get(`2001:db8:7:7::${i}`, `Bearer bd_guess${i}`)).statusCode).toBe(401);
    }

    const good = server.as('responder').authorization;
    expect((await get('2001:db8:7:7:1234::1', good)).statusCode).toBe(429);
    expect((await get('2001:db8:7:8::1', good)).statusCode).toBe(200);
  });
});

/**
 * The client address behind a reverse proxy (BREACHDESK_TRUST_PROXY): X-Forwarded-For is
 * believed only from a trusted peer, and the sign-in throttle, the rate limits and the session
 * all key on the address it yields. Real HTTP on 127.0.0.1, so the peer is loopback.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trustedProxiesOf, type TrustedProxies } from '../../src/http/trust-proxy.ts';
import type { Store } from '../../src/store/db.ts';
import { sessions } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { cliFolder } from '../support/cli-run.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, PASSWORD } from '../support/sign-in.ts';

const ADA = 'ada@provider.example';
const WRONG = 'not the password at all';
// Two failures per address, so a shared bucket shows after a couple of requests.
const LOGIN_LIMITS = {
  perAccount: { failures: 5, windowMinutes: 15 },
  perAddress: { failures: 2, windowMinutes: 15 },
};

describeEachBackend('client address behind a reverse proxy', (backend) => {
  let store: Store;
  let server: TestServer | null = null;
  let base: string;

  beforeEach(async () => {
    store = await backend.open();
    await addTestPerson(store.db);
  });
  afterEach(async () => {
    await server?.app.close();
    server = null;
    await store.close();
  });

  async function serve(trustProxy?: TrustedProxies): Promise<void> {
    server = await startTestServer(store, {
      server: {
        trustProxy,
        signIn: { loginLimits: LOGIN_LIMITS, plainHttpCookies: true },
        rateLimits: { badTokensPerAddress: { burst: 1, perSecond: 0.001 } },
      },
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  }

  function login(forwardedFor: string, email: string, password: string) {
    return fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email, password }),
    });
  }

  /** Uses up one forwarded address's sign-in failures, then signs in right from another. */
  async function rightPasswordAfterFailuresFrom(used: string, other: string): Promise<number> {
    for (let i = 0; i < LOGIN_LIMITS.perAddress.failures; i++) {
      expect((await login(used, `guess${i}@provider.example`, WRONG)).status).toBe(401);
    }
    return (await login(other, ADA, PASSWORD)).status;
  }

  async function sessionAddresses(): Promise<(string | null)[]> {
    const rows = await store.db.select({ address: sessions.address }).from(sessions);
    return rows.map((r) => r.address);
  }

  describe('with no proxy trusted (the setting unset)', () => {
    beforeEach(() => serve(trustedProxiesOf(undefined, '127.0.0.1')));

    it('throttles sign-ins with different X-Forwarded-For as one loopback client', async () => {
      expect(await rightPasswordAfterFailuresFrom('198.51.100.1', '198.51.100.2')).toBe(429);
    });

    it('records the peer address on the session, not the forwarded one', async () => {
      expect((await login('203.0.113.7', ADA, PASSWORD)).status).toBe(200);
      expect(await sessionAddresses()).toEqual(['127.0.0.1']);
    });
  });

  describe('with BREACHDESK_TRUST_PROXY=127.0.0.1', () => {
    beforeEach(() => serve(trustedProxiesOf('127.0.0.1', '127.0.0.1')));

    it('throttles sign-ins from each forwarded client address separately', async () => {
      expect(await rightPasswordAfterFailuresFrom('198.51.100.1', '198.51.100.2')).toBe(200);
      expect((await login('198.51.100.1', ADA, PASSWORD)).status).toBe(429);
    });

    it('records the forwarded client address on the session', async () => {
      expect((await login('203.0.113.7', ADA, PASSWORD)).status).toBe(200);
      expect(await sessionAddresses()).toEqual(['203.0.113.7']);
    });

    it('believes only the entry the proxy added, not what the client put before it', async () => {
      expect((await login('192.0.2.66, 203.0.113.7', ADA, PASSWORD)).status).toBe(200);
      expect(await sessionAddresses()).toEqual(['203.0.113.7']);
    });

    it('refuses a forwarded "address" that is not an IP address, storing nothing', async () => {
      for (const forged of ['garbage<script>', 'unknown', '[::1]:443', 'A'.repeat(8000)]) {
        const res = await login(forged, ADA, PASSWORD);
        expect(res.status, forged).toBe(400);
        const { error } = (await res.json()) as { error: { code: string; field: string } };
        expect(error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'x-forwarded-for' });
      }
      expect(await sessionAddresses()).toEqual([]);
    });

    it('counts unknown API tokens per forwarded client address', async () => {
      const call = (forwardedFor: string) =>
        fetch(`${base}/api/v1/investigations`, {
          headers: { authorization: 'Bearer bd_not_a_token', 'x-forwarded-for': forwardedFor },
        });
      expect((await call('198.51.100.1')).status).toBe(401);
      expect((await call('198.51.100.1')).status).toBe(429);
      expect((await call('198.51.100.2')).status).toBe(401);
    });
  });

  describe('with only other proxies trusted (10.0.0.1, 192.168.0.0/16)', () => {
    beforeEach(() => serve(trustedProxiesOf('10.0.0.1, 192.168.0.0/16', '127.0.0.1')));

    it('ignores X-Forwarded-For from the loopback peer in the sign-in throttle', async () => {
      expect(await rightPasswordAfterFailuresFrom('198.51.100.1', '198.51.100.2')).toBe(429);
    });

    it('records the peer address on the session', async () => {
      expect((await login('203.0.113.7', ADA, PASSWORD)).status).toBe(200);
      expect(await sessionAddresses()).toEqual(['127.0.0.1']);
    });
  });

  describe('with a hop count (BREACHDESK_TRUST_PROXY=2)', () => {
    beforeEach(() => serve(trustedProxiesOf('2', '127.0.0.1')));

    it('takes the client address that many proxies back', async () => {
      const chain = '192.0.2.66, 203.0.113.7, 10.0.0.1';
      expect((await login(chain, ADA, PASSWORD)).status).toBe(200);
      expect(await sessionAddresses()).toEqual(['203.0.113.7']);
    });

    it('ignores X-Forwarded-For from a nearest peer that is not on this machine', async () => {
      const res = await server?.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ADA, password: PASSWORD },
        headers: { 'x-forwarded-for': '192.0.2.66, 203.0.113.7' },
        remoteAddress: '198.51.100.9',
      });
      expect(res?.statusCode).toBe(200);
      expect(await sessionAddresses()).toEqual(['198.51.100.9']);
    });
  });
});

/** The code, field and message of a refused setting; null when it was accepted. */
function refusal(setting: string, host = '127.0.0.1') {
  try {
    trustedProxiesOf(setting, host);
  } catch (error) {
    const e = error as { code: string; field: string; message: string };
    return { code: e.code, field: e.field, message: e.message };
  }
  return null;
}

describe('BREACHDESK_TRUST_PROXY values', () => {
  it('trusts nothing when unset, empty or blank', () => {
    for (const setting of [undefined, '', '  ']) {
      expect(trustedProxiesOf(setting, '0.0.0.0')).toEqual({ kind: 'none' });
    }
  });

  it('takes a comma-separated list of addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(trustedProxiesOf(' 10.0.0.1, 172.16.0.0/12,fd00::/8 ,::1', '0.0.0.0')).toEqual({
      kind: 'list',
      entries: ['10.0.0.1', '172.16.0.0/12', 'fd00::/8', '::1'],
    });
  });

  it('takes a hop count when the server listens on loopback', () => {
    expect(trustedProxiesOf('1', '127.0.0.1')).toEqual({ kind: 'hops', count: 1 });
    expect(trustedProxiesOf('3', '::1')).toEqual({ kind: 'hops', count: 3 });
  });

  it('refuses to trust everyone, saying that any client could pick its address', () => {
    for (const setting of ['true', 'TRUE', '*', '0.0.0.0/0', '::/0', '10.0.0.1,0.0.0.0/0']) {
      const refused = refusal(setting);
      expect(refused, setting).toMatchObject({ code: 'BD_CONFIG_INVALID', field: 'trustProxy' });
      expect(refused?.message, setting).toMatch(/BREACHDESK_TRUST_PROXY.*any client/);
    }
  });

  it('refuses ranges wide enough to hold clients, however they are spelt', () => {
    // Each covers all or much of the IPv4 space: clients there could choose their own address.
    for (const setting of [
      '::ffff:0.0.0.0/96',
      '0.0.0.0/1,128.0.0.0/1',
      '10.0.0.0/7',
      '::/8',
      '2000::/3',
      '::ffff:10.0.0.0/100',
    ]) {
      const refused = refusal(setting);
      expect(refused, setting).toMatchObject({ code: 'BD_CONFIG_INVALID', field: 'trustProxy' });
      expect(refused?.message, setting).toMatch(/BREACHDESK_TRUST_PROXY.*too wide/);
    }
    // A private network of proxies is narrow enough.
    expect(trustedProxiesOf('10.0.0.0/8,fc00::/7,::ffff:10.0.0.0/104', '0.0.0.0')).toMatchObject({
      kind: 'list',
    });
  });

  it('refuses anything else with a coded error naming the setting and its forms', () => {
    const bad = ['false', 'yes', 'loopback', '0', '-1', '1.5', '10.0.0.256', '10.1', '10.0.0.1,'];
    for (const setting of [
      ...bad,
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.0/8x',
      '10.0.0.1 10.0.0.2',
    ]) {
      const refused = refusal(setting);
      expect(refused, setting).toMatchObject({ code: 'BD_CONFIG_INVALID', field: 'trustProxy' });
      expect(refused?.message, setting).toMatch(
        /BREACHDESK_TRUST_PROXY.*IP addresses and CIDR ranges.*hop count/,
      );
    }
  });

  it('refuses a hop count when the server is reachable directly from other machines', () => {
    const refused = refusal('1', '0.0.0.0');
    expect(refused).toMatchObject({ code: 'BD_CONFIG_INVALID', field: 'trustProxy' });
    expect(refused?.message).toMatch(/BREACHDESK_TRUST_PROXY.*loopback/);
  });
});

describe('serve with a bad BREACHDESK_TRUST_PROXY', () => {
  afterEach(() => {
    delete process.env.BREACHDESK_TRUST_PROXY;
  });

  it('refuses to start, before opening the data folder', async () => {
    const cli = await cliFolder();
    try {
      process.env.BREACHDESK_TRUST_PROXY = '*';
      const run = await cli.run('serve', '--port', '0', '--no-worker');
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/^error BD_CONFIG_INVALID: BREACHDESK_TRUST_PROXY/);
      expect(existsSync(join(cli.dir, 'data'))).toBe(false);
    } finally {
      await cli.dispose();
    }
  });
});

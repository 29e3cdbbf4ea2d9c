/**
 * Intake is rate-limited per client address and per API token, and an address that sends
 * unknown or revoked tokens is made to wait: 429 BD_RATE_LIMITED with Retry-After.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/http/rate-limit.ts';
import type { RateLimitSettings } from '../../src/http/throttle.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('token buckets', () => {
  it('allow a burst, then refuse with the seconds until one request is regained', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 0.5 });
    const taken = [0, 0, 0].map(() => buckets.take('a', 1000));
    expect(taken).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: false, retryAfterSeconds: 2 },
    ]);
  });

  it('regain requests as time passes, per key', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 });
    buckets.take('a', 0);
    expect(buckets.take('a', 500).allowed).toBe(false);
    expect(buckets.take('b', 500).allowed).toBe(true);
    expect(buckets.take('a', 1600).allowed).toBe(true);
  });

  it('do not spend a request on peek', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 });
    expect(buckets.peek('a', 0).allowed).toBe(true);
    expect(buckets.take('a', 0).allowed).toBe(true);
    expect(buckets.peek('a', 0).allowed).toBe(false);
  });

  it('hold at most maxKeys unlocked keys, forgetting the least recently used', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 0.001 }, { maxKeys: 2 });
    for (const key of ['a', 'b', 'c']) buckets.take(key, 0);
    expect(buckets.size).toBe(2);
    expect([buckets.take('a', 0).allowed, buckets.take('a', 0).allowed]).toEqual([true, true]);
  });
});

const ROOMY = { burst: 1000, perSecond: 1000 };
const SLOW = (burst: number) => ({ burst, perSecond: 0.01 });

describeEachBackend('rate limits over HTTP', (backend) => {
  let store: Store;
  let server: TestServer;
  let sid = 1;

  async function start(rateLimits: Partial<RateLimitSettings>) {
    server = await startTestServer(store, { server: { rateLimits } });
  }

  const intake = (remoteAddress: string, role = 'responder') =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      remoteAddress,
      headers: server.as(role),
      payload: buildEveAlert({ sid: sid++ }),
    });

  async function signalCount(): Promise<number> {
    const res: unknown = await store.db.execute(sql`SELECT count(*)::int AS n FROM signals`);
    return (res as { rows: { n: number }[] }).rows[0]?.n ?? -1;
  }

  function expectRateLimited(res: { statusCode: number; headers: object; json(): unknown }) {
    expect(res.statusCode).toBe(429);
    // SLOW regains one request in 100 s; a little of it may have passed already.
    const retryAfter = Number((res.headers as Record<string, string>)['retry-after']);
    expect(retryAfter > 0 && retryAfter <= 100).toBe(true);
    expect(res.json()).toMatchObject({ error: { code: 'BD_RATE_LIMITED' } });
  }

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('refuses intake over the rate of one address, storing nothing, but not others', async () => {
    await start({ intakePerAddress: SLOW(3), intakePerToken: ROOMY });
    for (let i = 0; i < 3; i++) expect((await intake('198.51.100.7')).statusCode).toBe(200);
    const stored = await signalCount();

    expectRateLimited(await intake('198.51.100.7'));
    expect(await signalCount()).toBe(stored);
    expect((await intake('198.51.100.8')).statusCode).toBe(200);
  });

  it('refuses intake over the rate of one token, whatever the address', async () => {
    await start({ intakePerAddress: ROOMY, intakePerToken: SLOW(2) });
    expect((await intake('198.51.100.1')).statusCode).toBe(200);
    expect((await intake('198.51.100.2')).statusCode).toBe(200);

    expectRateLimited(await intake('198.51.100.3'));
    expect((await intake('198.51.100.3', 'admin')).statusCode).toBe(200);
  });

  it('counts one token once however its header is padded or its scheme spelled', async () => {
    await start({ intakePerAddress: ROOMY, intakePerToken: SLOW(2) });
    const token = server.as('responder').authorization.replace(/^Bearer /, '');
    const send = (authorization: string, remoteAddress: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/intake/suricata',
        remoteAddress,
        headers: { authorization },
        payload: buildEveAlert({ sid: sid++ }),
      });

    expect((await send(`bearer ${token}`, '198.51.100.1')).statusCode).toBe(200);
    expect((await send(`Bearer    ${token}  `, '198.51.100.2')).statusCode).toBe(200);
    expectRateLimited(await send(`BEARER \t${token}`, '198.51.100.3'));
  });

  it('counts reports as intake', async () => {
    await start({ intakePerAddress: SLOW(1), intakePerToken: ROOMY });
    const report = () =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        remoteAddress: '198.51.100.9',
        headers: server.as('responder'),
        payload: { title: 'Suspicious login prompt' },
      });
    expect((await report()).statusCode).toBe(201);
    expectRateLimited(await report());
  });

  it('makes an address that sent bad tokens wait, even with a good token', async () => {
    await start({ badTokensPerAddress: SLOW(3) });
    const get = (remoteAddress: string, authorization: string) =>
      server.app.inject({
        method: 'GET',
        url: '/api/v1/investigations',
        remoteAddress,
        headers: { authorization },
      });
    for (let i = 0; i < 3; i++) {
      expect((await get('192.0.2.66', `Bearer bd_guess${i}`)).statusCode).toBe(401);
    }

    expectRateLimited(await get('192.0.2.66', server.as('responder').authorization));
    expect((await get('192.0.2.67', server.as('responder').authorization)).statusCode).toBe(200);
  });

  it('lets good tokens through from an address with few bad ones', async () => {
    await start({ badTokensPerAddress: SLOW(3) });
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      remoteAddress: '192.0.2.70',
      headers: { authorization: 'Bearer bd_wrong' },
    });
    expect(res.statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await intake('192.0.2.70')).statusCode).toBe(200);
  });
});

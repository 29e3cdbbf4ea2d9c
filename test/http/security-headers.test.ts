/**
 * Every answer, a refusal or a 404 included, carries the headers that keep a browser from
 * sniffing, framing, caching or opening it cross-origin.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

function expectHardened(headers: Record<string, unknown>) {
  expect(headers).toMatchObject({
    'content-security-policy':
      "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'cache-control': 'no-store',
  });
}

describeEachBackend('security headers', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeAll(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, { server: { bodyLimits: { small: 1024 } } });
  });
  afterAll(async () => {
    await server.app.close();
    await store.close();
  });

  it('are set on a successful API answer', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/investigations',
      headers: server.as('responder'),
    });
    expect(res.statusCode).toBe(200);
    expectHardened(res.headers);
  });

  it('are set on a 404 for an unknown route', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expectHardened(res.headers);
  });

  it('are set on 401, 400 and 413 refusals', async () => {
    const unauthenticated = await server.app.inject({ method: 'GET', url: '/api/v1/metrics' });
    const invalid = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.as('admin'),
      payload: { label: '', role: 'nobody' },
    });
    const oversize = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: server.as('admin'),
      payload: { label: 'x'.repeat(4096), role: 'responder' },
    });

    expect([unauthenticated, invalid, oversize].map((r) => r.statusCode)).toEqual([401, 400, 413]);
    for (const res of [unauthenticated, invalid, oversize]) expectHardened(res.headers);
  });

  it('are set on a malformed URL the router refuses before any route runs', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/reports/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expectHardened(res.headers);
  });

  it('serve hostile report text as JSON the browser may not sniff as HTML', async () => {
    const title = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: server.as('responder'),
      payload: { title, description: '[x](javascript:alert(1))' },
    });

    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

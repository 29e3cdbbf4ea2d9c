/**
 * Every route has a body limit: small for routes that take a few fields, the default for the
 * rest, and intake's own larger one. Over it, 413 BD_REQUEST_TOO_LARGE and nothing stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveBodyLimits } from '../../src/http/body-limits.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, seedTenants } from '../support/factories.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const KIB = 1024;

describe('body limits', () => {
  it('let a smaller intake limit shrink the default and small ones', () => {
    expect(resolveBodyLimits({ intake: 64 * KIB })).toEqual({
      intake: 64 * KIB,
      default: 64 * KIB,
      small: 64 * KIB,
    });
  });

  it('keep small at most the default', () => {
    expect(resolveBodyLimits({ default: 8 * KIB, small: 100 * KIB }).small).toBe(8 * KIB);
  });
});

describeEachBackend('body limits over HTTP', (backend) => {
  let store: Store;
  let server: TestServer;

  async function start(bodyLimits?: { intake: number; default: number; small: number }) {
    server = await startTestServer(store, { server: { bodyLimits } });
  }

  async function expectTooLargeAndNothingStored(
    request: () => Promise<{ statusCode: number; json(): { error: { code: string } } }>,
  ) {
    const before = await snapshotWithRules(store.db);
    const res = await request();
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BD_REQUEST_TOO_LARGE');
    expect(await snapshotWithRules(store.db)).toEqual(before);
  }

  const post = (url: string, payload: unknown, role = 'admin') =>
    server.app.inject({
      method: 'POST',
      url,
      headers: server.as(role),
      payload: payload as object,
    });

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('refuses a 300 KiB report by default, well under the intake limit', async () => {
    await start();
    await expectTooLargeAndNothingStored(() =>
      post('/api/v1/reports', { title: 'huge', description: 'x'.repeat(300 * KIB) }, 'responder'),
    );
  });

  it('refuses an oversize token request and issues no token', async () => {
    await start({ intake: 64 * KIB, default: 16 * KIB, small: 2 * KIB });
    await expectTooLargeAndNothingStored(() =>
      post('/api/v1/tokens', { label: 'a'.repeat(3 * KIB), role: 'responder' }),
    );
  });

  it('refuses an oversize hold request', async () => {
    await start({ intake: 64 * KIB, default: 16 * KIB, small: 2 * KIB });
    await expectTooLargeAndNothingStored(() =>
      post('/api/v1/notices/N-1/holds', { ground: 'x', reason: 'r'.repeat(3 * KIB) }),
    );
  });

  it('refuses an oversize template preview at the default limit', async () => {
    await start({ intake: 64 * KIB, default: 16 * KIB, small: 2 * KIB });
    await expectTooLargeAndNothingStored(() =>
      post('/api/v1/templates/preview', { template: `Subject: x\n${'y'.repeat(20 * KIB)}` }),
    );
  });

  it('takes an intake batch larger than the default limit', async () => {
    await start({ intake: 64 * KIB, default: 16 * KIB, small: 2 * KIB });
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify(buildEveAlert({ sid: i })));
    const body = lines.join('\n');
    expect(body.length).toBeGreaterThan(16 * KIB);

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: { ...server.as('responder'), 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(60);
  });

  it('refuses an intake batch over the intake limit', async () => {
    await start({ intake: 64 * KIB, default: 16 * KIB, small: 2 * KIB });
    const line = JSON.stringify(buildEveAlert());
    await expectTooLargeAndNothingStored(() =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/intake/suricata',
        headers: { ...server.as('responder'), 'content-type': 'application/x-ndjson' },
        payload: Array.from({ length: 200 }, () => line).join('\n'),
      }),
    );
  });

  it('still takes a report under the small limit', async () => {
    await start({ intake: 64 * KIB, default: 16 * KIB, small: 2 * KIB });
    const res = await post(
      '/api/v1/reports',
      { title: 'Phishing mail', description: 'seen' },
      'responder',
    );
    expect(res.statusCode).toBe(201);
  });
});

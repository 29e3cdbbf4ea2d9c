import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loneSurrogatePath, nulPath } from '../../src/http/nul-guard.ts';
import type { Store } from '../../src/store/db.ts';
import { snapshotWithRules } from '../support/rules-snapshot.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('nulPath', () => {
  it('finds a NUL in any string or key, naming where, and nothing in clean values', () => {
    expect(nulPath({ a: [{ b: 'x\u0000' }] })).toBe('a[0].b');
    expect(nulPath({ ['k\u0000']: 1 })).toBe('k\u0000');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const hasNul = JSON.stringify(value).includes('\\u0000');
        expect(nulPath(value) !== null).toBe(hasNul);
      }),
    );
  });
});

describe('loneSurrogatePath', () => {
  it('finds half a surrogate pair in any string or key, and nothing in whole pairs', () => {
    expect(loneSurrogatePath({ a: ['ok', { b: 'x\ud800y' }] })).toBe('a[1].b');
    expect(loneSurrogatePath({ ['k\udc00']: 1 })).toBe('k\udc00');
    expect(loneSurrogatePath({ a: 'emoji \ud83d\ude00 whole' })).toBeNull();
    // Strings of these units hold whole pairs, halves, and halves that meet to make a pair.
    const unit = fc.constantFrom('a', 'é', '\ud800', '\udc00', '\ud83d\ude00');
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: unit }), (value) => {
        // JSON.stringify writes exactly the lone halves as \uXXXX escapes (ES2019).
        const lone = /\\ud[89a-f][0-9a-f]{2}/.test(JSON.stringify(value));
        expect(loneSurrogatePath(value) !== null).toBe(lone);
      }),
    );
  });
});

describeEachBackend('requests holding a NUL character', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('answers 400 naming the field, never 500, and stores nothing', async () => {
    const before = await snapshotWithRules(store.db);
    const asked = [
      { method: 'GET' as const, url: '/api/v1/notices/abc%00', role: 'incident_manager' },
      { method: 'GET' as const, url: '/api/v1/notices/abc%00', role: 'tenant_admin:acme' },
      { method: 'DELETE' as const, url: '/api/v1/tokens/x%00y', role: 'admin' },
      {
        method: 'POST' as const,
        url: '/api/v1/reports',
        role: 'responder',
        payload: { title: 'Phishing', description: 'see\u0000here' },
      },
      {
        method: 'POST' as const,
        url: '/api/v1/auth/login',
        role: null,
        payload: { email: 'a\u0000@b.example', password: 'long enough password' },
      },
    ];

    for (const a of asked) {
      const headers = a.role === null ? {} : server.as(a.role);
      const res = await server.app.inject({ ...a, headers });
      expect(res.statusCode, `${a.method} ${a.url}`).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID' });
      expect(res.json().error.message).toContain('NUL');
    }
    expect(await snapshotWithRules(store.db)).toEqual(before);
  });

  it('answers 400 for half a surrogate pair, never 500, and stores nothing', async () => {
    const before = await snapshotWithRules(store.db);
    const asked = [
      { url: '/api/v1/suppression-rules', payload: { match: { title: 'ZZ \ud800 *' } } },
      { url: '/api/v1/reports', payload: { title: 'Phishing', description: 'half \udc00' } },
    ];

    for (const a of asked) {
      const res = await server.app.inject({
        method: 'POST',
        url: a.url,
        headers: { ...server.as('incident_manager'), 'content-type': 'application/json' },
        // JSON.stringify writes a lone surrogate as its \uXXXX escape, as a client would send it.
        payload: JSON.stringify({ reason: 'r', expiresAt: '2099-01-15T00:00:00Z', ...a.payload }),
      });
      expect(res.statusCode, a.url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID' });
      expect(res.json().error.message).toContain('surrogate');
    }
    expect(await snapshotWithRules(store.db)).toEqual(before);
  });
});

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { nulPath } from '../../src/http/nul-guard.ts';
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
});

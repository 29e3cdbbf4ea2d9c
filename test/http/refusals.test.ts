/**
 * Bad input of each kind gets a 4xx with a coded error naming the problem, and the stored
 * data is exactly as it was.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, openInvestigation, seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describeEachBackend('HTTP refusals', (backend) => {
  let store: Store;
  let server: TestServer;
  let investigationId: string;
  let before: Record<string, string>;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme', 'globex']);
    server = await startTestServer(store, { tenantAdmins: ['acme'], bodyLimit: 64 * 1024 });
    investigationId = await openInvestigation(store.db);
    before = await snapshot(store.db);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  async function expectUnchanged() {
    expect(await snapshot(store.db)).toEqual(before);
  }

  it('refuses a malformed JSON intake body', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: { ...server.as('responder'), 'content-type': 'application/json' },
      payload: '{"timestamp": "2026-11-30T08:15:02Z", "event_type": "alert", ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BD_INTAKE_MALFORMED_JSON');
    await expectUnchanged();
  });

  it('refuses an unknown intake format', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/splunk',
      headers: server.as('responder'),
      payload: buildEveAlert({ sid: 42 }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BD_INTAKE_UNKNOWN_FORMAT');
    await expectUnchanged();
  });

  it('refuses a record of another format sent to the suricata route', async () => {
    const wazuh = { timestamp: '2026-11-30T08:15:02.000+0000', rule: { id: '5710', level: 5 } };
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: server.as('responder'),
      payload: wazuh,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toMatch(/^BD_INTAKE_/);
    await expectUnchanged();
  });

  it('names the missing field of an alert', async () => {
    const alert = buildEveAlert({ sid: 77 }) as { alert: Record<string, unknown> };
    delete alert.alert.signature_id;
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: server.as('responder'),
      payload: alert,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'BD_INTAKE_FIELD_MISSING',
      field: 'alert.signature_id',
    });
    await expectUnchanged();
  });

  it('refuses an oversize body with 413', async () => {
    const line = JSON.stringify(buildEveAlert({ sid: 5 }));
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: { ...server.as('responder'), 'content-type': 'application/x-ndjson' },
      payload: Array.from({ length: 400 }, () => line).join('\n'),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BD_REQUEST_TOO_LARGE');
    await expectUnchanged();
  });

  it('refuses a gzip-encoded intake body with 415, storing none of its alerts', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: {
        ...server.as('responder'),
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
      },
      payload: gzipSync(JSON.stringify(buildEveAlert({ sid: 6 }))),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: 'content-encoding',
      message: expect.stringContaining('without Content-Encoding'),
    });
    await expectUnchanged();
  });

  it('refuses a body with bytes that are not UTF-8, naming the line, storing nothing', async () => {
    const good = JSON.stringify(buildEveAlert({ sid: 8 }));
    const latin1 = Buffer.from(
      JSON.stringify(buildEveAlert({ sid: 9 })).replace('TEST', 'T\u00c9ST'),
      'latin1',
    );
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: { ...server.as('responder'), 'content-type': 'application/x-ndjson' },
      payload: Buffer.concat([Buffer.from(`${good}\n`), latin1]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: '(body)',
      message: expect.stringMatching(/^line 2 of the body holds bytes that are not UTF-8/),
    });
    await expectUnchanged();
  });

  it('refuses a JSON body with bytes that are not UTF-8 rather than store U+FFFD', async () => {
    const report = (payload: Buffer) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { ...server.as('responder'), 'content-type': 'application/json' },
        payload,
      });
    const text = '{\n"title": "Sicherheitsl\u00fccke im Portal",\n"description": "x"}';

    const latin1 = await report(Buffer.from(text, 'latin1'));

    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().error).toMatchObject({
      code: 'BD_REQUEST_INVALID',
      field: '(body)',
      message: expect.stringMatching(/^line 2 of the JSON body holds bytes that are not UTF-8/),
    });
    await expectUnchanged();

    const utf8 = await report(Buffer.from(text, 'utf8'));
    expect(utf8.statusCode, utf8.body).toBe(201);
    expect(utf8.json().title).toBe('Sicherheitslücke im Portal');
  });

  it('still refuses __proto__ keys in a JSON body, as Fastify does', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { ...server.as('responder'), 'content-type': 'application/json' },
      payload: '{"title": "t", "__proto__": {"admin": true}}',
    });

    expect(res.statusCode).toBe(400);
    await expectUnchanged();
  });

  it('tells a sender of e-mail over HTTP the format takes no bodies, in any charset', async () => {
    const text = 'From: a@example.org\r\nSubject: S\u00e9curit\u00e9\r\n\r\nhi\r\n';
    // Latin-1, and UTF-16 (its NUL bytes once made the NUL guard answer first).
    for (const payload of [Buffer.from(text, 'latin1'), Buffer.from(`\ufeff${text}`, 'utf16le')]) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/intake/email',
        headers: { ...server.as('responder'), 'content-type': 'text/plain' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'BD_INTAKE_FIELD_INVALID', field: 'format' });
    }
    await expectUnchanged();
  });

  it('refuses only the line holding a NUL byte, after asking who sent it', async () => {
    const good = JSON.stringify(buildEveAlert({ sid: 10 }));
    const payload = `${good}\n{"event_type": "alert", "src_ip": "10.0.0.1\u0000"}\n`;
    const send = (headers: Record<string, string>) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/intake/suricata',
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        payload,
      });

    const anonymous = await send({});
    expect(anonymous.statusCode).toBe(401);
    await expectUnchanged();

    const res = await send(server.as('responder'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.json().results).toContainEqual(
      expect.objectContaining({ line: 2, status: 'rejected', code: 'BD_INTAKE_MALFORMED_JSON' }),
    );
  });

  it('asks who sends a body that is not UTF-8 before looking into it', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: Buffer.from([0x7b, 0xe9, 0x7d]),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('BD_AUTH_REQUIRED');
    await expectUnchanged();
  });

  it('takes a body whose Content-Encoding says identity', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: { ...server.as('responder'), 'content-encoding': 'Identity' },
      payload: buildEveAlert({ sid: 7 }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(1);
  });

  it('answers 404 for an unknown investigation', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/investigations/INV-999/transitions',
      headers: server.as('responder'),
      payload: { to: 'assess', reason: 'taking it' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('BD_NOT_FOUND');
    await expectUnchanged();
  });

  it('refuses an illegal transition from detect to close', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/investigations/${investigationId}/transitions`,
      headers: server.as('responder'),
      payload: { to: 'close', reason: 'nothing to see' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('BD_STAGE_ILLEGAL_TRANSITION');
    await expectUnchanged();
  });

  it('refuses a declaration by a responder', async () => {
    for (const to of ['assess', 'diagnose']) {
      await server.app.inject({
        method: 'POST',
        url: `/api/v1/investigations/${investigationId}/transitions`,
        headers: server.as('responder'),
        payload: { to, reason: 'step' },
      });
    }
    before = await snapshot(store.db);

    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/investigations/${investigationId}/declaration`,
      headers: server.as('responder'),
      payload: {
        grounds: ['unauthorized_access'],
        evidence: 'CloudTrail shows reads by a stolen role',
      },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_DECLARE_FORBIDDEN_ROLE');
    await expectUnchanged();
  });

  it('refuses a request without a token', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/investigations' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('BD_AUTH_REQUIRED');
  });

  it("hides another tenant's contacts from a tenant admin", async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/tenants/globex/contacts',
      headers: server.as('tenant_admin:acme'),
    });
    expect(res.statusCode).toBe(404);
  });

  it("refuses a tenant admin's write to another tenant and keeps data unchanged", async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tenants/globex/contacts',
      headers: server.as('tenant_admin:acme'),
      payload: { name: 'Mallory', email: 'mallory@evil.example' },
    });
    expect(res.statusCode).toBe(404);
    // Only the attempt itself is recorded (access.denied, test/http/tenant-isolation.test.ts).
    const { audit_log: _after, ...now } = await snapshot(store.db);
    const { audit_log: _before, ...was } = before;
    expect(now).toEqual(was);
  });

  it('refuses a contact whose name carries a header line break', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tenants/acme/contacts',
      headers: server.as('tenant_admin:acme'),
      payload: { name: 'Eve\r\nBcc: spy@evil.example', email: 'eve@acme.example' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BD_TENANT_INVALID', field: 'name' });
    await expectUnchanged();
  });
});

describeEachBackend('HTTP scoping paths', (backend) => {
  let store: Store;
  let server: TestServer;
  let investigationId: string;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store);
    investigationId = await openInvestigation(store.db);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
    delete process.env.BREACHDESK_LOG_ROOTS;
  });

  const scope = (paths: string[]) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/investigations/${investigationId}/scoping`,
      headers: server.as('responder'),
      payload: {
        paths,
        format: 'cloudtrail',
        indicators: { principals: ['arn:aws:iam::1:user/x'] },
      },
    });

  it('refuses to read server files when no log root is configured', async () => {
    const res = await scope(['/etc/shadow']);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BD_SCOPE_FORBIDDEN_PATH');
  });

  it.each([['/etc/shadow'], ['/var/log/trails/../../../etc/passwd'], ['relative/trail.json']])(
    'refuses %s outside the configured log root',
    async (path) => {
      process.env.BREACHDESK_LOG_ROOTS = '/var/log/trails';
      const res = await scope([path]);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({
        code: 'BD_SCOPE_FORBIDDEN_PATH',
        field: 'paths[0]',
      });
    },
  );
});

describeEachBackend('HTTP router refusals', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    server = await startTestServer(store);
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it.each([
    ['an over-long id', `/api/v1/investigations/${'a'.repeat(150)}`, 414],
    ['a broken URL escape', '/api/v1/investigations/%E0%A4%A', 400],
  ])('answers %s with a coded error', async (_what, url, status) => {
    const res = await server.app.inject({ method: 'GET', url, headers: server.as('responder') });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe('BD_REQUEST_INVALID');
  });
});

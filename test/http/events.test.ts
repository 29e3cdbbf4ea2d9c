/**
 * GET /api/v1/events: a server-sent event stream on a live loopback server. A change made
 * after connecting, by a route or straight in the database (as the CLI or a worker would),
 * arrives as `event: change` carrying only the audit sequence number; the stream keeps the
 * security headers, refuses callers without a token, and ends when the app closes.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import type { Store } from '../../src/store/db.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert, buildTenant, seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, PASSWORD, signIn, testClock } from '../support/sign-in.ts';
import { apiTokens, sessions } from '../../src/store/schema.ts';

interface Stream {
  response: IncomingMessage;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the received text matches, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  ended: Promise<void>;
  close(): void;
}

function connect(base: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/v1/events`, { headers }, (response) => {
      let received = '';
      const ended = new Promise<void>((done) => response.on('close', done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (received += chunk));
      resolve({
        response,
        text: () => received,
        ended,
        close: () => req.destroy(),
        async waitFor(pattern, ms = 5000) {
          const until = Date.now() + ms;
          for (;;) {
            const match = received.match(pattern);
            if (match) return match;
            if (Date.now() > until) throw new Error(`no ${pattern} in ${JSON.stringify(received)}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describeEachBackend('HTTP live events', (backend) => {
  let store: Store;
  let server: TestServer;
  let base: string;
  let closed = false;
  let clock: ReturnType<typeof testClock>;
  const streams: Stream[] = [];

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    clock = testClock(new Date().toISOString());
    server = await startTestServer(store, {
      tenantAdmins: ['acme'],
      server: {
        eventStreams: { recheckMs: 150 },
        signIn: { plainHttpCookies: true, now: clock.now },
      },
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    closed = false;
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    if (!closed) await server.app.close();
    await store.close();
  });

  async function open(role: string): Promise<Stream> {
    const s = await connect(base, { accept: 'text/event-stream', ...server.as(role) });
    streams.push(s);
    // The stream is ready once its first line arrived; the feed has taken its mark by then.
    await s.waitFor(/^retry: \d+\n\n/);
    await new Promise((r) => setTimeout(r, 300));
    return s;
  }

  it('sends a content-free change event for an alert sent after connecting', async () => {
    const s = await open('responder');
    expect(s.response.statusCode).toBe(200);
    expect(s.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(s.text()).not.toContain('event: change');

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/intake/suricata',
      headers: server.as('responder'),
      payload: buildEveAlert({ sid: 9_500_001, src: '192.0.2.77' }),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);

    const [, data] = await s.waitFor(/event: change\ndata: (.*)\n\n/);
    expect(Object.keys(JSON.parse(data ?? '{}'))).toEqual(['seq']);
    expect(JSON.parse(data ?? '{}').seq).toBeGreaterThan(0);
    expect(s.text()).not.toMatch(/192\.0\.2\.77|exfiltration|suricata/i);
  });

  it('tells every listener of changes made outside the server', async () => {
    const responder = await open('responder');
    const auditor = await open('auditor');

    // As `breachdesk tenants import` would: straight in the database, no route involved.
    await importTenants(
      store.db,
      {
        tenants: [
          buildTenant('globex', {
            breachContacts: [
              { name: 'Gloria Secret', email: 'gloria@globex.example', language: 'en' },
            ],
          }),
        ],
      },
      cliActor('admin'),
    );

    for (const s of [responder, auditor]) {
      await s.waitFor(/event: change\ndata: \{"seq":\d+\}\n\n/);
      expect(s.text()).not.toMatch(/gloria|globex/i);
    }
  });

  it('refuses tenant admins: the signals are system-wide', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { ...server.as('tenant_admin:acme'), accept: 'text/event-stream' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('ends the stream once its API token is revoked', async () => {
    const s = await open('responder');
    await store.db.update(apiTokens).set({ revokedAt: new Date().toISOString() });

    await s.ended;
    expect(s.text()).not.toContain('event: change');
  });

  it('ends a signed-in stream at sign-out, and holding it open is not activity', async () => {
    await addTestPerson(store.db, { email: 'rita@provider.example', role: 'responder' });
    const signedIn = await signIn(server.app, 'rita@provider.example', PASSWORD);
    const s = await connect(base, { accept: 'text/event-stream', cookie: signedIn.cookie });
    streams.push(s);
    await s.waitFor(/^retry: \d+\n\n/);

    // Five minutes on and several checks later, the session was not touched by the stream.
    const [before] = await store.db.select().from(sessions);
    clock.advance(5);
    await new Promise((r) => setTimeout(r, 600));
    const [after] = await store.db.select().from(sessions);
    expect(after?.lastSeenAt).toBe(before?.lastSeenAt);
    expect(s.response.complete).toBe(false);

    const out = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: signedIn.cookie, 'x-csrf-token': signedIn.csrfToken },
    });
    expect(out.statusCode).toBe(204);
    await s.ended;
  });

  it('refuses a ninth stream of one caller (429), and takes one again after a close', async () => {
    const held = [];
    for (let i = 0; i < 8; i++) held.push(await open('auditor'));

    const ninth = await server.app.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { ...server.as('auditor'), accept: 'text/event-stream' },
    });
    expect(ninth.statusCode).toBe(429);
    expect(ninth.json().error.code).toBe('BD_RATE_LIMITED');
    expect((await open('responder')).response.statusCode).toBe(200);

    held[0]?.close();
    await held[0]?.ended;
    await new Promise((r) => setTimeout(r, 100));
    expect((await open('auditor')).response.statusCode).toBe(200);
  });

  it('keeps the security headers on the stream', async () => {
    const s = await open('auditor');
    const h = s.response.headers;

    expect(h['content-security-policy']).toContain("default-src 'self'");
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['cache-control']).toBe('no-store');
  });

  it('refuses callers without a token (401) and requests that are not for a stream', async () => {
    const anonymous = await server.app.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { accept: 'text/event-stream' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('BD_AUTH_REQUIRED');

    const plain = await server.app.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { ...server.as('responder'), accept: 'application/json' },
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'accept' });
  });

  it('ends open streams when the app closes, and drops clients that leave', async () => {
    const leaving = await open('responder');
    const staying = await open('responder');
    leaving.close();
    await leaving.ended;
    await importTenants(store.db, { tenants: [buildTenant('initech')] }, cliActor('admin'));
    await staying.waitFor(/event: change\n/);

    const started = Date.now();
    await server.app.close();
    closed = true;
    await staying.ended;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

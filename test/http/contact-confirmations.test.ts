/**
 * Breach contact test e-mails and their one-time confirmation links, over HTTP: queued (never
 * sent in the request), mailed by the outbox worker's pass, confirmed once by the link's
 * token, which is stored only as a hash once the message is out. Another tenant's admin is
 * refused and queues nothing; bad, reused and expired tokens and the hourly limit are coded.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deliverContactTests } from '../../src/notify/contact-tests.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog, breachContacts, contactConfirmations } from '../../src/store/schema.ts';
import { requestTestEmail } from '../../src/tenants/contact-confirmations.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CONSOLE = 'https://console.provider.example';

describeEachBackend('contact confirmations', (backend) => {
  let store: Store;
  let server: TestServer;
  let dir: string;
  let transport: Transport;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme', 'globex']);
    server = await startTestServer(store, { tenantAdmins: ['acme', 'globex'] });
    dir = await mkdtemp(join(tmpdir(), 'bd-contact-test-'));
    transport = createTransport({ smtpUrl: null, outboxDir: dir });
  });
  afterEach(async () => {
    await transport.close();
    await rm(dir, { recursive: true, force: true });
    await server.app.close();
    await store.close();
  });

  async function contactOf(tenantId: string) {
    const [c] = await store.db
      .select()
      .from(breachContacts)
      .where(eq(breachContacts.tenantId, tenantId));
    if (!c) throw new Error(`no contact of ${tenantId}`);
    return c;
  }

  const as = (tenantId: string) => server.as(`tenant_admin:${tenantId}`);

  function testEmail(tenantId: string, contactId: string, who = tenantId) {
    return server.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/contacts/${contactId}/test-email`,
      headers: as(who),
    });
  }

  function confirm(token: unknown) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/contact-confirmations',
      payload: { token },
    });
  }

  /** The confirmation link in the one mailed message, read back from its .eml file. */
  async function mailedLink(): Promise<{ to: string; token: string; link: string }> {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(await readFile(join(dir, files[0] ?? '')));
    const link = /https:\S+\/confirm-contact#token=(\S+)/.exec(mail.text ?? '');
    if (!link?.[1]) throw new Error(`no link in ${mail.text}`);
    const to = Array.isArray(mail.to) ? '' : (mail.to?.value[0]?.address ?? '');
    return { to, token: link[1], link: link[0] };
  }

  async function actions(): Promise<string[]> {
    const rows = await store.db.select().from(auditLog).orderBy(asc(auditLog.seq));
    return rows.map((r) => r.action);
  }

  it('queues a test e-mail, mails the link in the worker pass, and confirms once', async () => {
    const contact = await contactOf('acme');

    const res = await testEmail('acme', contact.id);
    expect(res.statusCode).toBe(202);
    // Queued, not sent: nothing is on the wire until the worker's pass.
    expect(await readdir(dir)).toEqual([]);
    const [queued] = await store.db.select().from(contactConfirmations);
    expect(queued).toMatchObject({ contactId: contact.id, status: 'queued', usedAt: null });

    expect(await deliverContactTests(store.db, transport, { consoleUrl: CONSOLE })).toEqual({
      sent: 1,
      failed: 0,
      retrying: 0,
      withdrawn: 0,
    });
    const { to, token, link } = await mailedLink();
    expect(to).toBe('dpo@acme.example');
    expect(link.startsWith(`${CONSOLE}/confirm-contact#token=`)).toBe(true);
    // At rest only the hash remains once the message is out.
    const [sent] = await store.db.select().from(contactConfirmations);
    expect(sent?.status).toBe('sent');
    expect(sent?.pendingToken).toBeNull();
    expect(sent?.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(await store.db.select().from(auditLog))).not.toContain(token);

    const before = Date.now();
    const ok = await confirm(token);
    expect(ok.statusCode).toBe(200);
    const confirmedAt = ok.json<{ confirmedAt: string }>().confirmedAt;
    expect(Date.parse(confirmedAt)).toBeGreaterThanOrEqual(before - 1);

    const list = await server.app.inject({
      method: 'GET',
      url: '/api/v1/tenants/acme/contacts',
      headers: as('acme'),
    });
    expect(list.json()).toEqual([expect.objectContaining({ id: contact.id, confirmedAt })]);

    const again = await confirm(token);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'BD_CONFIRMATION_USED', field: 'token' });
    expect((await contactOf('acme')).confirmedAt).not.toBeNull();
    expect(await actions()).toEqual(
      expect.arrayContaining([
        'contact.test_email_queued',
        'contact.test_email_sent',
        'contact.confirmed',
      ]),
    );
  });

  it("refuses another tenant's admin with 404 and queues nothing", async () => {
    const globex = await contactOf('globex');

    const direct = await testEmail('globex', globex.id, 'acme');
    const underOwn = await testEmail('acme', globex.id, 'acme');
    const contacts = await server.app.inject({
      method: 'GET',
      url: '/api/v1/tenants/globex/contacts',
      headers: as('acme'),
    });

    for (const res of [direct, underOwn, contacts]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('BD_NOT_FOUND');
    }
    expect(await store.db.select().from(contactConfirmations)).toEqual([]);
    expect((await actions()).filter((a) => a === 'access.denied')).toHaveLength(3);
  });

  it('refuses malformed and unknown tokens with a coded 400 naming the field', async () => {
    const unknown = `bdc_${'A'.repeat(43)}`;
    for (const token of ['nope', unknown, '']) {
      const res = await confirm(token);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('token');
    }
    expect((await confirm(unknown)).json().error.code).toBe('BD_CONFIRMATION_INVALID');
    expect((await confirm(42)).statusCode).toBe(400);
  });

  it('refuses an expired token and leaves the contact unconfirmed', async () => {
    const contact = await contactOf('acme');
    const longAgo = new Date(Date.now() - 25 * 60 * 60_000);
    const admin = { id: 'cli:ops', role: 'admin' as const, tenantId: null };
    await requestTestEmail(store.db, admin, 'acme', contact.id, longAgo);
    await deliverContactTests(store.db, transport, { consoleUrl: CONSOLE });
    const { token } = await mailedLink();

    const res = await confirm(token);
    expect(res.statusCode).toBe(410);
    expect(res.json().error).toMatchObject({ code: 'BD_CONFIRMATION_EXPIRED', field: 'token' });
    expect((await contactOf('acme')).confirmedAt).toBeNull();
  });

  it('refuses a link whose contact changed its address since', async () => {
    const contact = await contactOf('acme');
    await testEmail('acme', contact.id);
    await deliverContactTests(store.db, transport, { consoleUrl: CONSOLE });
    const { token } = await mailedLink();
    const patched = await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/acme/contacts/${contact.id}`,
      headers: as('acme'),
      payload: { email: 'privacy@acme.example' },
    });
    expect(patched.statusCode).toBe(200);

    const res = await confirm(token);
    expect(res.json().error?.code).toBe('BD_CONFIRMATION_INVALID');
    const contacts = await store.db
      .select()
      .from(breachContacts)
      .where(eq(breachContacts.tenantId, 'acme'));
    expect(contacts.map((c) => [c.email, c.confirmedAt])).toEqual([['privacy@acme.example', null]]);
  });

  it('does not mail a test whose contact was removed before the worker pass', async () => {
    const contact = await contactOf('acme');
    expect((await testEmail('acme', contact.id)).statusCode).toBe(202);
    const removed = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/tenants/acme/contacts/${contact.id}`,
      headers: as('acme'),
    });
    expect(removed.statusCode).toBe(204);

    const tally = await deliverContactTests(store.db, transport, { consoleUrl: CONSOLE });
    expect(tally).toMatchObject({ sent: 0, withdrawn: 1 });
    expect(await readdir(dir)).toEqual([]);
    const [row] = await store.db.select().from(contactConfirmations);
    expect(row).toMatchObject({ status: 'withdrawn', pendingToken: null });
  });

  it('limits test e-mails to 5 per contact per hour with a coded 429', async () => {
    const contact = await contactOf('acme');
    for (let i = 0; i < 5; i++) expect((await testEmail('acme', contact.id)).statusCode).toBe(202);

    const res = await testEmail('acme', contact.id);
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toMatchObject({ code: 'BD_RATE_LIMITED', field: 'contactId' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(3500);
    expect(await store.db.select().from(contactConfirmations)).toHaveLength(5);
    // Another contact has its own allowance.
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tenants/acme/contacts',
      headers: as('acme'),
      payload: { name: 'Second', email: 'second@acme.example' },
    });
    expect((await testEmail('acme', other.json().id)).statusCode).toBe(202);
  });

  it('edits a contact: a name in place, refused input changes nothing', async () => {
    const contact = await contactOf('acme');
    const url = `/api/v1/tenants/acme/contacts/${contact.id}`;

    const renamed = await server.app.inject({
      method: 'PATCH',
      url,
      headers: as('acme'),
      payload: { name: 'Data Protection Office' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: contact.id, name: 'Data Protection Office' });

    for (const payload of [{ email: 'not an address' }, { name: 'x', role: 'boss' }]) {
      const bad = await server.app.inject({ method: 'PATCH', url, headers: as('acme'), payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('BD_TENANT_INVALID');
    }
    const bad = await server.app.inject({
      method: 'PATCH',
      url,
      headers: as('acme'),
      payload: { email: 'not an address' },
    });
    expect(bad.json().error.field).toBe('email');
    expect(await contactOf('acme')).toMatchObject({
      id: contact.id,
      name: 'Data Protection Office',
      email: 'dpo@acme.example',
    });
  });
});

/**
 * Where the confirmation link of a contact test e-mail points: the console URL the worker
 * pass is given, which serve resolves from BREACHDESK_CONSOLE_URL (wins) or the address it
 * listens on; a standalone worker falls back to the environment.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import {
  consoleUrlFor,
  consoleUrlFromEnv,
  deliverContactTests,
} from '../../src/notify/contact-tests.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import type { Store } from '../../src/store/db.ts';
import { breachContacts } from '../../src/store/schema.ts';
import { requestTestEmail } from '../../src/tenants/contact-confirmations.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';

describe('console URL for links in mail', () => {
  it('takes BREACHDESK_CONSOLE_URL over the listening address, without a trailing slash', () => {
    const env = { BREACHDESK_CONSOLE_URL: ' https://console.provider.example/ ' };
    expect(consoleUrlFor('http://127.0.0.1:23418', env)).toBe('https://console.provider.example');
  });

  it('uses the address serve listens on when none is configured', () => {
    const env = { BREACHDESK_PORT: '8080', BREACHDESK_CONSOLE_URL: '  ' };
    expect(consoleUrlFor('http://127.0.0.1:23418', env)).toBe('http://127.0.0.1:23418');
    expect(consoleUrlFor('http://[::1]:23418/', {})).toBe('http://[::1]:23418');
  });

  it('falls back to BREACHDESK_HOST and BREACHDESK_PORT without a server', () => {
    expect(consoleUrlFromEnv({ BREACHDESK_PORT: '23418' })).toBe('http://127.0.0.1:23418');
  });
});

describeEachBackend('contact test links', (backend) => {
  let store: Store;
  let dir: string;
  let transport: Transport;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    dir = await mkdtemp(join(tmpdir(), 'bd-contact-link-'));
    transport = createTransport({ smtpUrl: null, outboxDir: dir });
  });
  afterEach(async () => {
    await transport.close();
    await rm(dir, { recursive: true, force: true });
    await store.close();
  });

  it('links to the console URL it is given', async () => {
    const [contact] = await store.db.select().from(breachContacts);
    await requestTestEmail(store.db, cliActor('admin'), 'acme', contact?.id ?? '');

    const tally = await deliverContactTests(store.db, transport, {
      consoleUrl: 'http://127.0.0.1:23418/',
    });
    expect(tally.sent).toBe(1);
    const [file] = await readdir(dir);
    const mail = await simpleParser(await readFile(join(dir, file ?? '')));
    expect(mail.text).toMatch(/^http:\/\/127\.0\.0\.1:23418\/confirm-contact#token=bdc_\S+$/m);
  });
});

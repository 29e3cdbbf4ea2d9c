/**
 * `breachdesk worker --once` mails queued breach contact test e-mails in its pass, with the
 * link to the console named by BREACHDESK_CONSOLE_URL, and keeps only the token's hash.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { breachContacts, contactConfirmations } from '../../src/store/schema.ts';
import { requestTestEmail } from '../../src/tenants/contact-confirmations.ts';
import { type CliFolder, cliFolder } from '../support/cli-run.ts';
import { seedTenants } from '../support/factories.ts';

describe('worker --once and contact test e-mails', () => {
  let folder: CliFolder;
  const saved = process.env.BREACHDESK_CONSOLE_URL;

  beforeEach(async () => {
    folder = await cliFolder();
    process.env.BREACHDESK_CONSOLE_URL = 'https://console.provider.example/';
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.BREACHDESK_CONSOLE_URL;
    else process.env.BREACHDESK_CONSOLE_URL = saved;
    await folder.dispose();
  });

  it('mails the queued test with its one-time link and forgets the token', async () => {
    await folder.withStore(async ({ db }) => {
      await seedTenants(db, ['acme']);
      const [contact] = await db.select().from(breachContacts);
      await requestTestEmail(db, cliActor('admin'), 'acme', contact?.id ?? '');
    });

    const res = await folder.run('worker', '--once');
    expect(res.code).toBe(0);

    const dir = join(folder.dir, 'data', 'outbox');
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const mail = await simpleParser(await readFile(join(dir, files[0] ?? '')));
    expect(mail.subject).toBe('Breachdesk test e-mail: please confirm this address');
    expect(Array.isArray(mail.to) ? null : mail.to?.value[0]?.address).toBe('dpo@acme.example');
    expect(mail.text).toMatch(/^https:\/\/console\.provider\.example\/confirm-contact#token=bdc_/m);
    expect(mail.text).toMatch(/until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const rows = await folder.withStore(({ db }) => db.select().from(contactConfirmations));
    expect(rows.map((r) => [r.status, r.pendingToken])).toEqual([['sent', null]]);
  });
});

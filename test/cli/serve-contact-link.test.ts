/**
 * `breachdesk serve` mails contact test e-mails whose confirmation link points at the address
 * it actually listens on (here a port the system picked), not at BREACHDESK_PORT's default;
 * BREACHDESK_CONSOLE_URL, when set, wins. The real command in a child process on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildTenant } from '../support/factories.ts';

const BIN = fileURLToPath(new URL('../../bin/breachdesk.js', import.meta.url));

let dir: string;
let child: ChildProcess | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bd-serve-link-'));
});
afterEach(async () => {
  if (child && child.exitCode === null) {
    const closed = new Promise((resolve) => child?.once('close', resolve));
    child.kill('SIGTERM');
    await closed;
  }
  child = null;
  await rm(dir, { recursive: true, force: true });
});

/** Starts serve with its worker; resolves with its address and first admin token. */
async function serve(env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('BREACHDESK_') && k !== 'DATABASE_URL' && k !== 'SMTP_URL',
    ),
  );
  const argv = [BIN, '--data-dir', join(dir, 'data'), 'serve', '--port', '0', '--interval', '1'];
  const proc = spawn(process.execPath, argv, { env: { ...clean, ...env }, stdio: 'pipe' });
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  for (let i = 0; i < 400; i++) {
    const address = /listening on (http:\/\/\S+) /.exec(stderr)?.[1];
    const token = /not shown again\):\n(\S+)\n/.exec(stderr)?.[1];
    if (address && token) return { address, token };
    if (proc.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`serve did not start: ${stderr}`);
}

/** Imports acme, queues a test e-mail to its contact, and returns the mailed link. */
async function mailedLink(address: string, token: string): Promise<string> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${address}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
    return res.json();
  };
  await call('POST', '/api/v1/tenants/import', { tenants: [buildTenant('acme')] });
  const [contact] = (await call('GET', '/api/v1/tenants/acme/contacts')) as { id: string }[];
  await call('POST', `/api/v1/tenants/acme/contacts/${contact?.id}/test-email`);

  const outbox = join(dir, 'data', 'outbox');
  for (let i = 0; i < 300; i++) {
    const files = await readdir(outbox).catch(() => [] as string[]);
    const eml = files.find((f) => f.endsWith('.eml'));
    if (eml) {
      const mail = await simpleParser(await readFile(join(outbox, eml)));
      const link = /^\S+\/confirm-contact#token=bdc_\S+$/m.exec(mail.text ?? '')?.[0];
      if (link) return link;
    }
    await sleep(100);
  }
  throw new Error('no test e-mail was mailed');
}

it('links to the address serve listens on', { timeout: 60_000 }, async () => {
  const { address, token } = await serve();
  expect(address).not.toMatch(/:8080$/);

  const link = await mailedLink(address, token);
  expect(link.startsWith(`${address}/confirm-contact#token=bdc_`)).toBe(true);
});

it('links to BREACHDESK_CONSOLE_URL when it is set', { timeout: 60_000 }, async () => {
  const { address, token } = await serve({
    BREACHDESK_CONSOLE_URL: 'https://console.provider.example/',
  });

  const link = await mailedLink(address, token);
  expect(link.startsWith('https://console.provider.example/confirm-contact#token=bdc_')).toBe(true);
});

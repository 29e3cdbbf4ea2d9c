/**
 * `breachdesk demo --serve` as a new user runs it: a real child process on PGlite that prints
 * the console's URL and the accounts made for the run, serves the console and the API there,
 * and stops cleanly on SIGTERM. A bad port is refused before any demo folder is made.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/breachdesk.js', import.meta.url).pathname;

function run(args: string[]): ChildProcess {
  const env = { ...process.env, DATABASE_URL: '', BREACHDESK_LOG_LEVEL: 'warn' };
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with stdout once it holds `pattern`, or rejects when the child exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) resolve(out);
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code} before serving:\n${err}`)));
  });
}

/** The value, or a failed test naming what was missing. */
function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}

/** The text of the first .eml in `folder` that mentions `needle`, waiting up to `ms`. */
async function waitForFile(folder: string, needle: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.eml'))) {
      const text = await readFile(join(folder, name), 'utf8');
      if (text.includes(needle)) return text;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no .eml for ${needle} in ${folder} within ${ms} ms`);
}

describe.skipIf(Boolean(process.env.BREACHDESK_QUIET_SKIP))('demo --serve', () => {
  let dir: string;
  let child: ChildProcess;
  let out: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bd-demo-serve-'));
    child = run(['--data-dir', join(dir, 'data'), 'demo', '--serve', '--port', '0']);
    out = await waitForOutput(child, /tenant_admin .*\n/);
  }, 120_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the console's URL at the demo's investigation and serves it", async () => {
    const url = /console: (http:\/\/127\.0\.0\.1:\d+\/investigations\/INV-\d+)/.exec(out)?.[1];
    expect(url).toBeDefined();

    const page = await fetch(must(url, 'console URL'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  });

  it('signs in with a printed account and reads the closed investigation', async () => {
    const [, email, password] = /responder\s+(\S+)\s+(\S+)/.exec(out) ?? [];
    const base = must(/console: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 'base URL');
    const label = must(/investigations\/(INV-\d+)/.exec(out)?.[1], 'INV label');

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const cookie = must(login.headers.get('set-cookie')?.split(';')[0], 'session cookie');

    const read = await fetch(`${base}/api/v1/investigations/${label}`, { headers: { cookie } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { stage: string }).stage).toBe('close');
  });

  it("delivers from its own outbox: a tenant admin's test e-mail links to this port", async () => {
    const [, email, password, tenantId] =
      /tenant_admin\s+(\S+)\s+(\S+)\s+\(tenant (\S+)\)/.exec(out) ?? [];
    const base = must(/console: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 'base URL');
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = {
      cookie: must(login.headers.get('set-cookie')?.split(';')[0], 'session cookie'),
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    };

    const contacts = `${base}/api/v1/tenants/${tenantId}/contacts`;
    const added = await fetch(contacts, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Demo DPO', email: 'dpo-check@tenant.example', language: 'en' }),
    });
    expect(added.status).toBe(201);
    const contactId = ((await added.json()) as { id: string }).id;
    const sent = await fetch(`${contacts}/${contactId}/test-email`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    expect(sent.status).toBe(202);

    const outbox = join(dir, 'data', 'outbox');
    const mail = await waitForFile(outbox, 'dpo-check@tenant.example', 30_000);
    expect(mail).toContain(`${base}/confirm-contact#token=`);
  }, 60_000);

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a port in use before running the demo', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const target = join(dir, 'busy');

    const busy = run(['--data-dir', target, 'demo', '--serve', '--port', String(port)]);
    let err = '';
    busy.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => busy.once('exit', resolve));
    taken.close();

    expect(code).not.toBe(0);
    expect(err).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a bad port before making the demo folder', async () => {
    const target = join(dir, 'never');
    const bad = run(['--data-dir', target, 'demo', '--serve', '--port', 'http']);
    let err = '';
    bad.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));

    expect(code).not.toBe(0);
    expect(err).toContain('--port must be a whole number');
    expect(existsSync(target)).toBe(false);
  });
});

/**
 * DKIM signing of the worker's mail (RFC 6376), checked on what a real SMTP server received:
 * the signature names the configured domain and selector, and verifies against the public
 * half of the key with Node's own crypto (relaxed/relaxed canonicalisation, written out here
 * independently of nodemailer's signer).
 */
import { createHash, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, dkimFromEnv, type DkimKey } from '../../src/notify/transport.ts';
import { startScriptedSink, type ScriptedSink } from '../support/delivery-fixtures.ts';
import { buildMessage } from './build-message.ts';

let dir: string;
let keyFile: string;
let publicKey: KeyObject;
let sink: ScriptedSink;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bd-dkim-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  publicKey = pair.publicKey;
  keyFile = join(dir, 'dkim.pem');
  await writeFile(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  sink = await startScriptedSink();
});
afterAll(async () => {
  await sink.close();
  await rm(dir, { recursive: true, force: true });
});

function env(over: Record<string, string>): NodeJS.ProcessEnv {
  return {
    BREACHDESK_DKIM_DOMAIN: 'provider.example',
    BREACHDESK_DKIM_SELECTOR: 'bd2026',
    BREACHDESK_DKIM_KEY_FILE: keyFile,
    ...over,
  };
}

async function sendSigned(key: DkimKey | null, text = 'Dear  team,\n\nsee   below.\n\n\n') {
  const transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent', dkim: key });
  const msg = buildMessage({ text });
  const result = await transport.send(msg);
  await transport.close();
  expect(result.status).toBe('sent');
  const copy = sink.received.find((r) => r.messageId === msg.messageId);
  if (!copy) throw new Error('message not received');
  return copy.raw;
}

describe('DKIM signing', () => {
  it('signs with the configured domain (d=) and selector (s=)', async () => {
    const raw = await sendSigned(dkimFromEnv(env({})));

    const tags = dkimTags(raw);
    expect([tags.get('d'), tags.get('s'), tags.get('a')]).toEqual([
      'provider.example',
      'bd2026',
      'rsa-sha256',
    ]);
  });

  it('produces a signature that verifies against the public key', async () => {
    const raw = await sendSigned(dkimFromEnv(env({})));

    expect(verifyDkim(raw, publicKey)).toEqual({ bodyHash: true, signature: true });
  });

  it('produces a signature that a changed body no longer matches', async () => {
    const raw = await sendSigned(dkimFromEnv(env({})), 'The original text.\n');

    const tampered = raw.replace('The original text.', 'The altered text.');
    expect(verifyDkim(tampered, publicKey).bodyHash).toBe(false);
  });

  it('produces a signature that a changed subject no longer matches', async () => {
    const raw = await sendSigned(dkimFromEnv(env({})));

    const tampered = raw.replace(/^Subject: .*$/m, 'Subject: Nothing to see here');
    expect(verifyDkim(tampered, publicKey)).toEqual({ bodyHash: true, signature: false });
  });

  it('sends unsigned mail when no key is configured', async () => {
    const raw = await sendSigned(dkimFromEnv({}));

    expect(/^DKIM-Signature:/im.test(raw)).toBe(false);
  });

  it('refuses a configuration with only some of the three settings', () => {
    expect(() => dkimFromEnv({ BREACHDESK_DKIM_DOMAIN: 'provider.example' })).toThrow(
      /BREACHDESK_DKIM_SELECTOR, BREACHDESK_DKIM_KEY_FILE unset/,
    );
  });

  it('refuses a key file that is not a PEM private key', async () => {
    const bad = join(dir, 'not-a-key.pem');
    await writeFile(bad, 'hello');

    expect(() => dkimFromEnv(env({ BREACHDESK_DKIM_KEY_FILE: bad }))).toThrow(
      expect.objectContaining({ code: 'BD_CONFIG_INVALID', field: 'dkimKeyFile' }),
    );
  });
});

// ---- an independent DKIM verifier (RFC 6376 §3.4.2, §3.4.4, §3.7) -------------------------

function splitMessage(raw: string): { headers: string[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end);
  // Header fields, each with its folded continuation lines (RFC 5322 §2.2.3).
  const headers = head.split(/\r\n(?![ \t])/);
  return { headers, body: raw.slice(end + 4) };
}

function dkimHeader(raw: string): string {
  const field = splitMessage(raw).headers.find((h) => /^dkim-signature:/i.test(h));
  if (!field) throw new Error('no DKIM-Signature header');
  return field;
}

function dkimTags(raw: string): Map<string, string> {
  const value = dkimHeader(raw).replace(/^[^:]*:/, '');
  const tags = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return tags;
}

function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

function verifyDkim(raw: string, key: KeyObject): { bodyHash: boolean; signature: boolean } {
  const { headers, body } = splitMessage(raw);
  const tags = dkimTags(raw);
  const bodyHash =
    createHash('sha256').update(relaxedBody(body)).digest('base64') === tags.get('bh');

  // §5.4.2: for each name in h=, the last not-yet-used instance, from the bottom up.
  const used = new Set<number>();
  const signed: string[] = [];
  for (const name of (tags.get('h') ?? '').split(':')) {
    for (let i = headers.length - 1; i >= 0; i--) {
      const field = headers[i] ?? '';
      if (
        used.has(i) ||
        field.slice(0, field.indexOf(':')).trim().toLowerCase() !== name.toLowerCase()
      )
        continue;
      used.add(i);
      signed.push(`${relaxedHeader(field)}\r\n`);
      break;
    }
  }
  // The signature header itself, with an empty b= and no trailing CRLF (§3.7).
  const own = relaxedHeader(dkimHeader(raw))
    .replace(/b=[^;]*$/, 'b=')
    .replace(/(;\s*b=)[^;]*(;|$)/, '$1$2');
  const data = signed.join('') + own;
  const signature = verify(
    'sha256',
    Buffer.from(data),
    key,
    Buffer.from(tags.get('b') ?? '', 'base64'),
  );
  return { bodyHash, signature };
}

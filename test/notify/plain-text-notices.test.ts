/**
 * Notices go out as text/plain only, so markup in user text (a breach description, measures,
 * a tenant name) reaches the reader as the characters written and never as HTML. If an HTML
 * part is ever added, it must go through src/domain/user-text-html.ts; this test then fails.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderNotice, SAMPLE_FACTS } from '../../src/notify/render.ts';
import { createTransport, emlFileName } from '../../src/notify/transport.ts';
import { buildMessage } from './build-message.ts';

const SCRIPT = '<script>alert(1)</script>';
const IMAGE = '<img src=x onerror=alert(1)>';
const LINK = '[x](javascript:alert(1))';

let outboxDir: string;
beforeAll(async () => {
  outboxDir = await mkdtemp(path.join(tmpdir(), 'breachdesk-plain-'));
});
afterAll(() => rm(outboxDir, { recursive: true, force: true }));

it('sends hostile notice text as plain text with no HTML part', async () => {
  const rendering = renderNotice({
    audience: 'tenant',
    facts: { ...SAMPLE_FACTS, tenantName: `Acme ${IMAGE}`, nature: SCRIPT, measures: LINK },
    languages: ['en'],
  });
  const msg = buildMessage({ subject: rendering.subject, text: rendering.body });

  await createTransport({ smtpUrl: null, outboxDir }).send(msg);
  const raw = await readFile(path.join(outboxDir, emlFileName(msg.messageId)), 'utf8');
  const mail = await simpleParser(raw);

  expect(mail.html).toBe(false);
  expect(raw).not.toMatch(/text\/html/i);
  expect(mail.text).toContain(SCRIPT);
  expect(mail.text).toContain(LINK);
});

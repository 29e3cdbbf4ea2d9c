/**
 * Delivers one OutgoingMessage: over SMTP through a nodemailer pool when an SMTP URL is
 * configured, otherwise as an .eml file in an outbox folder (for demos and air-gapped
 * installs), DKIM-signed when a key is configured. A delivery attempt returns a value; it
 * never throws for a failed delivery.
 */
import { createHash, createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions, SentMessageInfo, Transporter } from 'nodemailer';
import { fail } from '../domain/errors.ts';
import { toSubjectLine } from '../domain/notice-content.ts';
import { NOTICE_HEADER, findMessageProblem, toHeaderText } from './message.ts';
import type { OutgoingMessage } from './message.ts';

/**
 * The outcome of one attempt.
 * - `sent`: the server answered 250 to the end of DATA (or the .eml file is on disk).
 * - `failed`: the message was certainly not accepted. `permanent` says whether trying the
 *   same message again could succeed: false for 4xx replies and for connections that failed
 *   before the session began, true for 5xx replies and for messages we refuse to send at all.
 * - `uncertain`: the session broke without a reply after it had begun (connection dropped,
 *   socket timeout), so the server may have accepted the message. See docs/delivery.md.
 */
export type DeliveryResult =
  | { status: 'sent'; response: string }
  | { status: 'failed'; response: string; permanent: boolean }
  | { status: 'uncertain'; response: string };

/** A way of delivering messages. `close` lets deliveries in flight finish first. */
export interface Transport {
  readonly kind: 'smtp' | 'eml';
  /** How many sends are worth having in flight at once (the SMTP pool size); default 1. */
  readonly concurrency?: number;
  send(msg: OutgoingMessage): Promise<DeliveryResult>;
  close(): Promise<void>;
}

/** A DKIM signing key (RFC 6376): the d= domain, the s= selector and the PEM private key. */
export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** Where messages go: an SMTP server, or (when `smtpUrl` is null or blank) `outboxDir`. */
export interface TransportOptions {
  smtpUrl: string | null;
  outboxDir: string;
  /** Signs every message with this key; null or absent sends unsigned. */
  dkim?: DkimKey | null;
  /**
   * The envelope sender (MAIL FROM), where receiving servers send delivery status
   * notifications (RFC 5321 §4.5.5); the bounce listener's address. Defaults to the From.
   */
  envelopeFrom?: string | null;
  /** SMTP connections kept open at once; default 5. */
  poolSize?: number;
}

// Longer than any subject the notice renderer produces, so this cap only bites on input
// that did not come through it.
const SUBJECT_CAP = 300;

/**
 * Creates the transport for the configuration. Throws BD_CONFIG_INVALID for an SMTP URL that
 * is not smtp:// or smtps:// (a startup problem, not a delivery failure).
 */
export function createTransport(opts: TransportOptions): Transport {
  const url = opts.smtpUrl?.trim() ?? '';
  const envelopeFrom = opts.envelopeFrom?.trim() || null;
  if (envelopeFrom !== null && /[\s<>,;"\\]/.test(envelopeFrom)) {
    fail('BD_CONFIG_INVALID', 'envelopeFrom must be one plain address, like bounces@example.org');
  }

  const common = { dkim: opts.dkim ?? null, envelopeFrom };
  return url === ''
    ? new EmlTransport(opts.outboxDir, common)
    : new SmtpTransport(url, common, opts.poolSize ?? DEFAULT_POOL);
}

// RFC 6376 §3.1: a selector is one or more DNS labels.
const SELECTOR =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * The DKIM key configured by BREACHDESK_DKIM_DOMAIN, BREACHDESK_DKIM_SELECTOR and
 * BREACHDESK_DKIM_KEY_FILE, or null when none of them is set. Setting only some of them, or
 * pointing at a file that is not a PEM private key, is a BD_CONFIG_INVALID startup error
 * rather than silently unsigned mail.
 */
export function dkimFromEnv(env: NodeJS.ProcessEnv = process.env): DkimKey | null {
  const domain = env.BREACHDESK_DKIM_DOMAIN?.trim() ?? '';
  const selector = env.BREACHDESK_DKIM_SELECTOR?.trim() ?? '';
  const keyFile = env.BREACHDESK_DKIM_KEY_FILE?.trim() ?? '';
  if (domain === '' && selector === '' && keyFile === '') return null;

  const missing = [
    domain === '' ? 'BREACHDESK_DKIM_DOMAIN' : null,
    selector === '' ? 'BREACHDESK_DKIM_SELECTOR' : null,
    keyFile === '' ? 'BREACHDESK_DKIM_KEY_FILE' : null,
  ].filter((name) => name !== null);
  if (missing.length > 0) {
    fail('BD_CONFIG_INVALID', `DKIM signing needs all three settings; ${missing.join(', ')} unset`);
  }
  if (!HOSTNAME.test(domain)) {
    fail('BD_CONFIG_INVALID', 'BREACHDESK_DKIM_DOMAIN must be a domain name', 'dkimDomain');
  }
  if (!SELECTOR.test(selector)) {
    fail('BD_CONFIG_INVALID', 'BREACHDESK_DKIM_SELECTOR must be DNS labels', 'dkimSelector');
  }

  let privateKey: string;
  try {
    privateKey = readFileSync(keyFile, 'utf8');
    createPrivateKey(privateKey);
  } catch {
    // The path is ours to name; the file's content (a secret) is never echoed.
    fail(
      'BD_CONFIG_INVALID',
      `BREACHDESK_DKIM_KEY_FILE ${keyFile} is not a readable PEM private key`,
      'dkimKeyFile',
    );
  }
  return { domainName: domain.toLowerCase(), keySelector: selector.toLowerCase(), privateKey };
}

/**
 * The .eml file name for a Message-ID: only letters, digits and `._@-`, no leading dot, and
 * a hash of the full id so that two ids that clean up to the same text stay apart. A hostile
 * id therefore cannot name a path outside the outbox folder.
 */
export function emlFileName(messageId: string): string {
  const readable = messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._@-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  const tag = createHash('sha256').update(messageId).digest('hex').slice(0, 12);
  return `${readable === '' ? 'message' : readable}-${tag}.eml`;
}

const DEFAULT_POOL = 5;

interface Signing {
  dkim: DkimKey | null;
  envelopeFrom: string | null;
}

class SmtpTransport implements Transport {
  readonly kind = 'smtp';
  readonly concurrency: number;
  private readonly mailer: Transporter;
  private readonly inFlight = new Set<Promise<DeliveryResult>>();
  private closed = false;

  constructor(
    url: string,
    private readonly signing: Signing,
    poolSize: number,
  ) {
    if (!/^smtps?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
      // The URL may carry a password, so it is not echoed back.
      fail('BD_CONFIG_INVALID', 'smtpUrl must be an smtp:// or smtps:// URL', 'smtpUrl');
    }
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
      fail('BD_CONFIG_INVALID', 'poolSize must be a whole number from 1 to 100', 'poolSize');
    }

    this.concurrency = poolSize;
    this.mailer = nodemailer.createTransport({
      pool: true,
      url,
      maxConnections: poolSize,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 120_000,
      // The pool re-sends on another connection only a message of which not a byte was
      // written; anything riskier comes back to the outbox worker as 'uncertain'.
      ...(signing.dkim ? { dkim: signing.dkim } : {}),
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(msg: OutgoingMessage): Promise<DeliveryResult> {
    const problem = findMessageProblem(msg);
    if (problem !== null) return { status: 'failed', response: problem, permanent: true };
    if (this.closed) return { status: 'failed', response: 'transport is closed', permanent: false };

    const attempt = this.deliver(msg);
    this.inFlight.add(attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(attempt);
    }
  }

  async close(): Promise<void> {
    this.closed = true;

    // Let messages already handed to the server finish rather than cut them off mid-DATA.
    await Promise.allSettled([...this.inFlight]);
    this.mailer.close();
  }

  private async deliver(msg: OutgoingMessage): Promise<DeliveryResult> {
    try {
      const info: SentMessageInfo = await this.mailer.sendMail(toMailOptions(msg, this.signing));
      return { status: 'sent', response: info.response ?? '' };
    } catch (err) {
      return smtpFailure(err);
    }
  }
}

class EmlTransport implements Transport {
  readonly kind = 'eml';
  readonly concurrency = 4;
  private readonly composer: Transporter;

  constructor(
    private readonly outboxDir: string,
    private readonly signing: Signing,
  ) {
    this.composer = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      // RFC 5322 §2.1: lines end in CRLF, the same as on the wire.
      newline: 'windows',
      ...(signing.dkim ? { dkim: signing.dkim } : {}),
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(msg: OutgoingMessage): Promise<DeliveryResult> {
    const problem = findMessageProblem(msg);
    if (problem !== null) return { status: 'failed', response: problem, permanent: true };

    try {
      const info = await this.composer.sendMail(toMailOptions(msg, this.signing));
      if (!Buffer.isBuffer(info.message)) throw new Error('stream transport returned no buffer');
      const file = await writeAtomically(this.outboxDir, emlFileName(msg.messageId), info.message);
      return { status: 'sent', response: `written to ${file}` };
    } catch (err) {
      // A full disk or a permission problem can be fixed, so the outbox should retry.
      return { status: 'failed', response: `eml: ${describe(err)}`, permanent: false };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The nodemailer message for `msg`; assumes findMessageProblem(msg) returned null. */
function toMailOptions(msg: OutgoingMessage, signing: Signing): SendMailOptions {
  const headers: Record<string, string> = {};
  let noticeTag = msg.messageId;
  for (const [name, value] of Object.entries(msg.headers)) {
    if (name.toLowerCase() === NOTICE_HEADER.toLowerCase()) noticeTag = toHeaderText(value);
    else headers[name] = toHeaderText(value);
  }

  return {
    messageId: msg.messageId,
    from: { name: toHeaderText(msg.from.name), address: msg.from.address },
    to: { name: toHeaderText(msg.to.name), address: msg.to.address },
    subject: toSubjectLine(msg.subject, SUBJECT_CAP),
    text: msg.text,
    headers: {
      ...headers,
      [NOTICE_HEADER]: noticeTag,
      // RFC 3834 §5: tells auto-responders (vacation replies) not to answer.
      'Auto-Submitted': 'auto-generated',
    },
    // An explicit envelope makes the one RCPT TO this recipient, whatever the headers hold.
    envelope: { from: signing.envelopeFrom ?? msg.from.address, to: [msg.to.address] },
    xMailer: false,
  };
}

function smtpFailure(err: unknown): DeliveryResult {
  const e = (err instanceof Error ? err : new Error(String(err))) as NodemailerError;

  // Credentials are our configuration, not the recipient's fault: retry once they are fixed.
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return { status: 'failed', response: e.response ?? describe(e), permanent: false };
  }
  if (typeof e.responseCode === 'number') {
    const response = e.response ?? `${e.responseCode} ${e.message}`;
    return { status: 'failed', response, permanent: isPermanentReply(e.responseCode) };
  }
  if (neverReachedTheServer(e))
    return { status: 'failed', response: describe(e), permanent: false };

  // The session had begun and broke without a reply: if the end of DATA had been written,
  // the server may have accepted the message (RFC 5321 §4.1.1.4 leaves that to its reply).
  return { status: 'uncertain', response: describe(e) };
}

// Socket errors raised while connecting: no SMTP session existed, so nothing was sent.
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/** True when the error proves the message never reached the point where it could be accepted. */
function neverReachedTheServer(e: NodemailerError): boolean {
  const extra = e as NodemailerError & { originalCode?: string; timeoutType?: string };
  if (extra.originalCode !== undefined && CONNECT_ERRORS.has(extra.originalCode)) return true;
  if (extra.timeoutType !== undefined && SETUP_TIMEOUTS.has(extra.timeoutType)) return true;
  if (e.code === 'EDNS' || e.code === 'ETLS' || e.code === 'EPROXY') return true;

  // nodemailer's pool re-queues only a message of which not a byte was read, and says this
  // when it has re-queued one too often.
  return e.message.startsWith('Reached maximum number of retries after connection was closed');
}

/**
 * RFC 5321 §4.2.1: 5yz is a permanent negative reply, 4yz a transient one. 503 (bad sequence
 * of commands) is a session-state problem on our side, not a verdict on the message.
 */
function isPermanentReply(code: number): boolean {
  return code >= 500 && code <= 599 && code !== 503;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? err.message : `${code}: ${err.message}`;
}

/** Writes `data` to `dir/name` so that a reader never sees a half-written file. */
async function writeAtomically(dir: string, name: string, data: Buffer): Promise<string> {
  const root = path.resolve(dir);
  const target = path.resolve(root, name);
  if (path.dirname(target) !== root) throw new Error(`refusing to write outside ${root}`);

  // Notices describe breaches: keep the folder and files readable by this user only.
  await mkdir(root, { recursive: true, mode: 0o700 });

  // Same folder as the target, so rename() is atomic; the dot hides it from *.eml readers.
  const temp = path.join(root, `.${name}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }

  return target;
}

/**
 * Delivers one OutgoingMessage: over SMTP through a nodemailer pool when an SMTP URL is
 * configured, otherwise as an .eml file in an outbox folder (for demos and air-gapped
 * installs). A delivery attempt returns a value; it never throws for a failed delivery.
 */
import { randomUUID, createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions, SentMessageInfo, Transporter } from 'nodemailer';
import { fail } from '../domain/errors.ts';
import { toSubjectLine } from '../domain/notice-content.ts';
import { NOTICE_HEADER, findMessageProblem, toHeaderText } from './message.ts';
import type { OutgoingMessage } from './message.ts';

/**
 * The outcome of one attempt. `permanent` says whether trying the same message again could
 * succeed: false for 4xx replies and connection trouble, true for 5xx replies and for
 * messages we refuse to send at all.
 */
export type DeliveryResult =
  { status: 'sent'; response: string } | { status: 'failed'; response: string; permanent: boolean };

/** A way of delivering messages. `close` lets deliveries in flight finish first. */
export interface Transport {
  readonly kind: 'smtp' | 'eml';
  send(msg: OutgoingMessage): Promise<DeliveryResult>;
  close(): Promise<void>;
}

/** Where messages go: an SMTP server, or (when `smtpUrl` is null or blank) `outboxDir`. */
export interface TransportOptions {
  smtpUrl: string | null;
  outboxDir: string;
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
  return url === '' ? new EmlTransport(opts.outboxDir) : new SmtpTransport(url);
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

class SmtpTransport implements Transport {
  readonly kind = 'smtp';
  private readonly mailer: Transporter;
  private readonly inFlight = new Set<Promise<DeliveryResult>>();
  private closed = false;

  constructor(url: string) {
    if (!/^smtps?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
      // The URL may carry a password, so it is not echoed back.
      fail('BD_CONFIG_INVALID', 'smtpUrl must be an smtp:// or smtps:// URL', 'smtpUrl');
    }

    this.mailer = nodemailer.createTransport({
      pool: true,
      url,
      maxConnections: 5,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 120_000,
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
      const info: SentMessageInfo = await this.mailer.sendMail(toMailOptions(msg));
      return { status: 'sent', response: info.response ?? '' };
    } catch (err) {
      return smtpFailure(err);
    }
  }
}

class EmlTransport implements Transport {
  readonly kind = 'eml';
  private readonly composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    // RFC 5322 §2.1: lines end in CRLF, the same as on the wire.
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  constructor(private readonly outboxDir: string) {}

  async send(msg: OutgoingMessage): Promise<DeliveryResult> {
    const problem = findMessageProblem(msg);
    if (problem !== null) return { status: 'failed', response: problem, permanent: true };

    try {
      const info = await this.composer.sendMail(toMailOptions(msg));
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
function toMailOptions(msg: OutgoingMessage): SendMailOptions {
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
    envelope: { from: msg.from.address, to: [msg.to.address] },
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
  return { status: 'failed', response: describe(e), permanent: false };
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

/**
 * The e-mail a transport delivers, and the checks every transport runs on it before handing
 * it to nodemailer. Names, subjects and header values come from people (tenant admins,
 * responders), so nothing here trusts them to be a single line.
 */
import { createHash } from 'node:crypto';
import { toSubjectLine } from '../domain/notice-content.ts';
import { fail } from '../domain/errors.ts';

/** A mailbox: display name (may be empty or non-ASCII) and address. */
export interface Mailbox {
  name: string;
  address: string;
}

/** One message to one recipient. Each recipient of a notice gets its own message. */
export interface OutgoingMessage {
  /** RFC 5322 msg-id with angle brackets, `<id@domain>`; see buildMessageId. */
  messageId: string;
  from: Mailbox;
  to: Mailbox;
  subject: string;
  text: string;
  /** Extra `X-…` headers, e.g. the notice id under NOTICE_HEADER. */
  headers: Record<string, string>;
}

/** Marks mail Breachdesk generated; its value is the notice id when the caller gives one. */
export const NOTICE_HEADER = 'X-Breachdesk-Notice';

// RFC 5322 §3.6.4: id-left and id-right are dot-atoms; we allow the usual atext subset.
const MESSAGE_ID = /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>$/;

// RFC 5322 §3.6.8: a field name is printable US-ASCII other than the colon.
const HEADER_NAME = /^[!-9;-~]+$/;

// A hostname as RFC 1035 allows it, which is also a valid RFC 5322 id-right.
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * A Message-ID that is the same every time for one notice and one recipient, so a retried
 * delivery carries the same id and the recipient's mail system can drop the duplicate.
 * The ids are hashed because they may hold characters a msg-id cannot.
 */
export function buildMessageId(noticeId: string, recipientId: string, domain: string): string {
  const host = domain.trim().toLowerCase();
  if (!DOMAIN.test(host)) {
    fail(
      'BD_CONFIG_INVALID',
      `message-id domain must be a hostname, got ${JSON.stringify(domain)}`,
      'domain',
    );
  }

  // JSON keeps ("a.b", "c") and ("a", "b.c") apart, which a plain separator would not.
  const digest = createHash('sha256')
    .update(JSON.stringify([noticeId, recipientId]))
    .digest();
  return `<bd.${digest.toString('hex').slice(0, 40)}@${host}>`;
}

/**
 * Why `msg` cannot be sent, or null when it can. Every reason is permanent: sending the same
 * message again would fail the same way.
 */
export function findMessageProblem(msg: OutgoingMessage): string | null {
  if (!MESSAGE_ID.test(msg.messageId)) return 'messageId is not of the form <id@domain>';

  const fromProblem = findAddressProblem(msg.from.address);
  if (fromProblem) return `from address ${fromProblem}`;

  const toProblem = findAddressProblem(msg.to.address);
  if (toProblem) return `recipient address ${toProblem}`;

  for (const name of Object.keys(msg.headers)) {
    if (!HEADER_NAME.test(name) || !/^x-/i.test(name)) {
      return `header "${toSubjectLine(name, 60)}" is not an X- header name`;
    }
  }

  return null;
}

/**
 * Flattens a display name or header value to one line. nodemailer encodes a CR/LF inside a
 * display name as an RFC 2047 encoded word rather than removing it, so the recipient's
 * client would decode a line break into the name; we remove it before it gets that far.
 */
export function toHeaderText(value: string): string {
  return toSubjectLine(value, 200);
}

function findAddressProblem(address: string): string | null {
  // Control characters first: a CR/LF here is a header- or SMTP-injection attempt.
  if (/\p{Cc}/u.test(address)) return 'contains a control character';
  if (address.length > 254) return 'is longer than 254 characters';

  // One mailbox only: commas, spaces, brackets or quotes would let nodemailer's address
  // parser read a second recipient (or a quoted local part) into it.
  const parts = address.split('@');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    return 'must contain exactly one @ between a local part and a domain';
  }
  if (/[\s,;:<>()[\]"\\]/u.test(address)) return 'contains a character not allowed in a mailbox';
  return null;
}

/** The domain of Message-IDs and of the sender address (BREACHDESK_MAIL_FROM). */
export function mailDomain(): string {
  const from = process.env.BREACHDESK_MAIL_FROM ?? 'breachdesk@breachdesk.invalid';
  return from.split('@')[1] ?? 'breachdesk.invalid';
}

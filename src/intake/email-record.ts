/**
 * One e-mail message turned into the record the `email` adapter reads. MIME parsing is
 * asynchronous (mailparser) while adapters are synchronous, so the parsing happens here, in
 * the reader, and the record that comes out is plain JSON that can be validated and stored.
 */

import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

import { type EvidenceFileInput, evidenceFileOf } from './evidence.ts';
import { runsAsText } from './legacy-text.ts';

/** The SMTP envelope of a message received by the listener; null for messages read from files. */
export interface EmailEnvelope {
  /** MAIL FROM, '' for the null sender of bounces and other automatic mail. */
  mailFrom: string;
  rcptTo: string[];
  clientAddress: string | null;
}

/** What the `email` adapter takes: one message, parsed, with its files as evidence. */
export interface EmailRecord {
  messageId: string | null;
  /** The Date header exactly as written (unfolded), or null when there is none. */
  date: string | null;
  from: { address: string; name: string } | null;
  /** The Subject, RFC 2047 encoded words decoded. */
  subject: string | null;
  /** A few header fields as written, unfolded, first occurrence only; see KEPT_HEADERS. */
  headers: Record<string, string>;
  /** The plain-text body (HTML converted when there is no text part). */
  text: string;
  attachments: EvidenceFileInput[];
  /** The whole message as received: signatures (PGP/MIME, DKIM) verify only over these bytes. */
  message: EvidenceFileInput;
  envelope: EmailEnvelope | null;
}

// Identity, threading and the fields that tell automatic or list mail apart (RFC 3834 §2).
const KEPT_HEADERS = new Set([
  'message-id',
  'date',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'subject',
  'in-reply-to',
  'references',
  'auto-submitted',
  'precedence',
  'list-id',
]);

// An HTML-only message this long is not converted to text: a pathological one takes seconds.
const MAX_HTML_TO_TEXT = 2 * 1024 * 1024;

/**
 * Parses one message. Throws only when mailparser cannot read it at all; a message with odd
 * or missing headers still becomes a record, and the adapter decides whether it is usable.
 */
export async function toEmailRecord(
  raw: Buffer,
  envelope: EmailEnvelope | null = null,
): Promise<EmailRecord> {
  const mail = await simpleParser(raw, {
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: MAX_HTML_TO_TEXT,
  });

  const headers = keptHeaders(mail);
  return {
    messageId: textOf(mail.messageId),
    date: headers.date ?? null,
    from: firstMailbox(mail.from),
    subject: subjectOf(mail.subject, headers.subject),
    headers,
    text: storable(mail.text ?? ''),
    attachments: mail.attachments.map((part, index) =>
      evidenceFileOf(
        storable(part.filename?.trim() || `part-${part.partId ?? index + 1}`),
        storable(part.contentType.toLowerCase()),
        part.content,
      ),
    ),
    message: evidenceFileOf('message.eml', 'message/rfc822', raw),
    envelope,
  };
}

/**
 * Decoded text as PostgreSQL can store it: NUL and lone surrogates become U+FFFD. This only
 * touches the readable copy; the exact bytes are kept in `message`, hashed.
 */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').toWellFormed();
}

function textOf(value: string | undefined): string | null {
  const text = value === undefined ? '' : storable(value).trim();
  return text === '' ? null : text;
}

function keptHeaders(mail: ParsedMail): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const { key, line } of mail.headerLines) {
    if (!KEPT_HEADERS.has(key) || Object.hasOwn(kept, key)) continue;

    // RFC 5322 §2.2.3: unfolding removes each CRLF that is followed by white space.
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '');
    kept[key] = storable(headerText(value).trim());
  }
  return kept;
}

/**
 * A header as written: mailparser hands header lines over one byte per character, so text in
 * UTF-8 (RFC 6532 allows it) reads as two or three Latin-1 characters per letter. Each UTF-8
 * sequence is read as UTF-8, other 8-bit bytes (a sender's raw legacy charset) as Windows-1252
 * (legacy-text.ts), so one header may hold both.
 */
function headerText(value: string): string {
  // Only a string of bytes can be taken back to its bytes; anything else is already text.
  if (/[^\p{ASCII}\u0080-\u00ff]/u.test(value)) return value;

  return runsAsText(value);
}

/**
 * mailparser reads a Subject's raw 8-bit bytes as UTF-8 only, so a sender's legacy charset
 * (Latin-1 "Sicherheitsl\xfccke") came out as U+FFFD. Where the header holds no encoded-words
 * for it to decode, the header as read byte run by byte run (headerText) is the better text.
 */
function subjectOf(parsed: string | undefined, header: string | undefined): string | null {
  const text = textOf(parsed);
  if (text === null || header === undefined || !text.includes('\uFFFD')) return text;
  return header.includes('=?') ? text : textOf(header);
}

/** The first mailbox of an address header, looking inside a group when it opens with one. */
function firstMailbox(header: AddressObject | undefined): { address: string; name: string } | null {
  const first = header?.value[0];
  const mailbox = first?.group ? first.group[0] : first;
  const address = textOf(mailbox?.address);
  if (mailbox === undefined || address === null) return null;
  return { address, name: storable(mailbox.name.trim()) };
}

/**
 * The acknowledgement a reporter gets for a report taken by the SMTP listener: the tracking
 * reference, and the SHA-256 of every file kept, so the reporter can check that what we hold
 * is what they sent. Whether to send one at all follows RFC 3834 (automatic responses).
 */
import { toSubjectLine } from '../domain/notice-content.ts';
import {
  buildMessageId,
  findMessageProblem,
  type Mailbox,
  type OutgoingMessage,
} from '../notify/message.ts';
import type { EmailRecord } from './email-record.ts';
import type { StoredEvidence } from './evidence.ts';

/** Where an acknowledgement goes, or why none is sent. */
export type AckDecision = { to: string } | { skip: string };

/**
 * The acknowledgement goes only to the envelope sender of the accepted message (RFC 3834 §4:
 * automatic responses go to the Return-Path, never to an address taken from the headers),
 * and never to the null sender, to automatic mail or to mailing-list traffic (§2), which
 * would answer back or reach people who did not write.
 */
export function acknowledgementTarget(record: EmailRecord): AckDecision {
  if (record.envelope === null) return { skip: 'not received over SMTP' };

  const sender = record.envelope.mailFrom.trim();
  if (sender === '') return { skip: 'null envelope sender (a bounce or other automatic mail)' };

  const auto = record.headers['auto-submitted']?.trim().toLowerCase();
  if (auto !== undefined && !auto.startsWith('no')) return { skip: `Auto-Submitted: ${auto}` };
  const precedence = record.headers.precedence?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') {
    return { skip: `Precedence: ${precedence}` };
  }
  if (record.headers['list-id'] !== undefined) return { skip: 'mailing-list traffic (List-Id)' };

  const probe = { ...ACK_PROBE, to: { name: '', address: sender } };
  const problem = findMessageProblem(probe);
  return problem === null ? { to: sender } : { skip: problem };
}

const ACK_PROBE: OutgoingMessage = {
  messageId: '<probe@breachdesk.invalid>',
  from: { name: '', address: 'probe@breachdesk.invalid' },
  to: { name: '', address: 'probe@breachdesk.invalid' },
  subject: '',
  text: '',
  headers: {},
};

// Our tracking reference as the acknowledgement's Subject carries it, `[VR-…]`.
const REFERENCE_TAG = /\s*\[\s*vr-[0-9a-z]+\s*\]/gi;

/**
 * The Message-ID of the acknowledgement of signal `signalId` sent to `to`: the same on a
 * retry, so the recipient's system can drop a duplicate, and naming the signal, so that a
 * reply (whose In-Reply-To carries it) finds the report it answers (email-thread.ts). The
 * hash part binds it to the recipient: see isAcknowledgementOf.
 */
export function acknowledgementMessageId(signalId: string, to: string, domain: string): string {
  const hashed = buildMessageId(`ack:${signalId}`, to, domain);
  return hashed.replace('<bd.', `<bd.ack.${signalId}.`);
}

// acknowledgementMessageId's shape: the signal id (a UUID), the hash, our domain.
const ACK_ID = /^<bd\.ack\.([0-9a-f-]{36})\.[0-9a-f]{40}@([a-z0-9.-]+)>$/;

/** The signal id an acknowledgement Message-ID names, or null for any other Message-ID. */
export function acknowledgedSignalId(messageId: string): string | null {
  return ACK_ID.exec(messageId)?.[1] ?? null;
}

/**
 * Whether `messageId` is the one we gave the acknowledgement of `signalId` sent to `to`:
 * an id made up from a signal id alone does not pass.
 */
export function isAcknowledgementOf(messageId: string, signalId: string, to: string): boolean {
  const domain = ACK_ID.exec(messageId)?.[2];
  if (domain === undefined || to.trim() === '') return false;

  try {
    return acknowledgementMessageId(signalId, to.trim(), domain) === messageId;
  } catch {
    // Not a host name we could have written (buildMessageId refuses it): not ours.
    return false;
  }
}

export interface AcknowledgementInput {
  from: Mailbox;
  to: string;
  reference: string;
  /** The stored signal, for a Message-ID that stays the same if the send is retried. */
  signalId: string;
  subject: string | null;
  receivedAt: Date;
  evidence: readonly StoredEvidence[];
}

/** The acknowledgement message for one stored report. */
export function buildAcknowledgement(input: AcknowledgementInput): OutgoingMessage {
  const domain = input.from.address.slice(input.from.address.lastIndexOf('@') + 1);
  // A follow-up's Subject carries the reference already; it is written once, at the end.
  const subjectText = input.subject?.replace(REFERENCE_TAG, ' ') ?? '';
  const about = toSubjectLine(subjectText, 150);
  const subject =
    about === ''
      ? `Your vulnerability report [${input.reference}]`
      : `${/^re\s*:/i.test(about) ? '' : 'Re: '}${about} [${input.reference}]`;

  const files = input.evidence.map(
    (file) => `  ${toSubjectLine(file.fileName, 80)} (${file.size} bytes)\n    ${file.sha256}`,
  );
  const text = [
    'Thank you for your report. It has been received and will be looked into.',
    '',
    `Reference: ${input.reference}`,
    `Received:  ${input.receivedAt.toISOString()}`,
    ...(about === '' ? [] : [`Subject:   ${about}`]),
    '',
    'Files kept as evidence, with their SHA-256:',
    ...files,
    '',
    'Please keep the reference in the subject of any follow-up.',
    'This acknowledgement was sent automatically.',
    '',
  ].join('\n');

  return {
    messageId: acknowledgementMessageId(input.signalId, input.to, domain),
    from: input.from,
    to: { name: '', address: input.to },
    subject,
    text,
    headers: {},
  };
}

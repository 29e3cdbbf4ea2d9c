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
  const about = input.subject === null ? '' : toSubjectLine(input.subject, 150);
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
    messageId: buildMessageId(`ack:${input.signalId}`, input.to, domain),
    from: input.from,
    to: { name: '', address: input.to },
    subject,
    text,
    headers: {},
  };
}

/**
 * Vulnerability reports by e-mail (`email`): `.eml` files, mbox archives and messages taken by
 * the SMTP listener (smtp-intake.ts). The reader parses each message into an EmailRecord
 * (email-record.ts); the adapter validates that record and makes it a `vulnerability_report`
 * signal. docs/intake-email.md is the reference for operators.
 */
import { fail } from '../domain/errors.ts';
import { fingerprint } from './fingerprint.ts';
import { toEmailRecord } from './email-record.ts';
import { storeEmailEvidence } from './email-evidence.ts';
import { readByteLines } from './byte-lines.ts';
import { digestOf } from './evidence.ts';
import { parseMailDate } from './mail-date.ts';
import { refusingUnicodeMail, wideTextHeader } from './mail-encoding.ts';
import { splitMailbox } from './mailbox.ts';
import { collectObservables, extractObservables } from './observables.ts';
import { describe, objectOf, outcomeOf, skipped, textOrNull, valueAt } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import type { RecordItem, RecordReader } from './records.ts';

const FORMAT = 'email';

/** Largest message read from a file or taken over SMTP, in bytes (before transfer decoding). */
export const EMAIL_MAX_BYTES = 10 * 1024 * 1024;

/** Longest title kept, in characters; a longer Subject is cut, not refused. */
const MAX_TITLE = 500;

// Observables are an aid to correlation: past this many characters the body is not searched.
const MAX_SCANNED_TEXT = 1024 * 1024;

// A reply to an acknowledgement: the Date a claim, a day of clock error is already generous.
const MAX_FUTURE_MS = 24 * 3_600_000;
const MIN_PLAUSIBLE = Date.parse('1970-01-01T00:00:00Z');

/** Reads .eml files and mbox archives, plain or gzipped, one message at a time. */
export const emailReader: RecordReader = {
  file: (source) => readMailFile(source),
  takesBodies: false,
  body: () => [
    {
      line: 1,
      error:
        'the email format is read from .eml and mbox files and by the SMTP listener; ' +
        'HTTP bodies are not taken (MIME parsing is asynchronous)',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'format',
    },
  ],
};

/** E-mail adapter: one message, parsed by emailReader, becomes one vulnerability report. */
export const emailAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: emailReader,
  parse: (record, receivedAt) => outcomeOf(() => parseEmail(record, receivedAt)),
  afterStore: async (tx, stored, signal) => {
    await storeEmailEvidence(tx, stored, signal.raw);
  },
};

/**
 * The messages of a file as EmailRecords. A message over EMAIL_MAX_BYTES or one mailparser
 * cannot read becomes a rejected item on its first line; the messages after it are read on.
 */
export async function* readMailFile(
  source: string | NodeJS.ReadableStream,
  maxBytes = EMAIL_MAX_BYTES,
): AsyncGenerator<RecordItem> {
  const lines = refusingUnicodeMail(readByteLines(source, maxBytes));
  for await (const item of splitMailbox(lines, maxBytes)) {
    if ('crLineEnds' in item) {
      yield {
        line: item.line,
        error:
          'this mbox separator line holds a CR not followed by LF: lines that end in CR alone ' +
          "are not read; convert them to LF first (for example tr '\\r' '\\n')",
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'message',
      };
      continue;
    }
    if ('tooLarge' in item) {
      yield {
        line: item.line,
        error: `message of ${item.bytes} bytes is larger than the ${maxBytes}-byte limit`,
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'message',
      };
      continue;
    }

    if (wideTextHeader(item.raw)) {
      yield {
        line: item.line,
        error:
          'this message is text in UTF-16 or UTF-32 (its header is full of NUL bytes), not ' +
          'mail as sent; convert the file first (for example iconv -f UTF-16LE -t UTF-8)',
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'message',
      };
      continue;
    }

    try {
      yield { line: item.line, record: await toEmailRecord(item.raw) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      yield {
        line: item.line,
        error: `message cannot be read as MIME: ${reason.slice(0, 200)}`,
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'message',
      };
    }
  }
}

function parseEmail(input: unknown, receivedAt: Date): ParseOutcome {
  const record = objectOf(input);

  // RFC 3834 §2: an automatic reply (a vacation notice answering our acknowledgement) is not
  // a report. Other automatic mail, e.g. a scanner's findings, still is.
  const autoSubmitted = textOrNull(valueAt(record, 'headers.auto-submitted'));
  if (autoSubmitted?.toLowerCase().startsWith('auto-replied')) {
    return skipped('Auto-Submitted: auto-replied is an automatic reply, not a report');
  }

  const reporter = reporterOf(record);
  const subject = optionalString(record, 'subject');
  const text = requiredString(record, 'text');
  const time = occurredAt(record, receivedAt);
  const messageId = optionalString(record, 'messageId');
  const message = evidenceFile(valueAt(record, 'message'), 'message');
  const attachments = attachmentsOf(record);

  const title = titleOf(subject, reporter);
  const subjectCves = cvesIn(subject ?? '');
  const scanned = `${subject ?? ''}\n${text.slice(0, MAX_SCANNED_TEXT)}`;

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'vulnerability_report',
      // A message without a Message-ID is recognised when resent by its exact bytes.
      sourceEventId: messageId ?? `sha256:${message.sha256}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      // An outside report carries no severity we could map; the responder rates it.
      severity: 'medium',
      fingerprint: reportFingerprint(reporter, subject ?? '', subjectCves),
      host: null,
      sourceIp: null,
      destinationIp: null,
      // The reporter is not an entity of ours: as a principal, every report one researcher
      // sends would be grouped into one investigation. It is kept as the signal's reporter.
      principal: null,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'email', value: reporter, tag: 'reporter' },
        ...extractObservables(scanned),
        ...attachments.map((a) => ({ kind: 'hash' as const, value: a.sha256, tag: 'attachment' })),
      ]),
      raw: input,
    },
  };
}

/**
 * The identity of "the same report again": who sent it and what it is about. When the
 * Subject names CVE ids they are the subject of the report, whatever the wording around
 * them; otherwise the Subject without reply and forward prefixes. The body is left out: a
 * follow-up quotes, adds and corrects, and is still the same report.
 */
export function reportFingerprint(reporter: string, subject: string, cves: string[]): string {
  const about = cves.length > 0 ? ['cve', cves.join(' ')] : ['subject', normalizedSubject(subject)];
  return fingerprint(FORMAT, [reporter.toLowerCase(), ...about]);
}

// Reply and forward prefixes in the languages mail clients commonly write them in.
const PREFIX = /^(?:re|fwd?|aw|wg|sv|vs|tr|rv|antw|odp|res|enc)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*/i;
const TAG = /^\[[^\]]*\]\s*/;
// Our own tracking reference, which the acknowledgement adds and a reply to it carries.
const REFERENCE_TAG = /\[\s*vr-[a-z0-9]+\s*\]/gi;

/**
 * The Subject as it stays across a thread: lower case, whitespace collapsed, without `Re:`,
 * `Fwd:` and the like or our reference tag, and with leading list tags (`[oss-security]`)
 * kept once whether a prefix came before or after them.
 */
export function normalizedSubject(subject: string): string {
  let rest = subject.normalize('NFC').toLowerCase().replace(REFERENCE_TAG, ' ');
  rest = rest.replace(/\s+/g, ' ').trim();

  const tags: string[] = [];
  for (let guard = 0; guard < 100; guard++) {
    const prefix = PREFIX.exec(rest);
    const tag = prefix ? null : TAG.exec(rest);
    if (prefix) rest = rest.slice(prefix[0].length);
    else if (tag) {
      const name = tag[0].trim();
      if (!tags.includes(name)) tags.push(name);
      rest = rest.slice(tag[0].length);
    } else break;
  }
  return [...tags, rest].join(' ').trim();
}

/** CVE ids (CVE-YYYY-NNNN…) named in `text`, upper case, sorted, each once. */
export function cvesIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\bCVE-\d{4}-\d{4,}\b/gi)) found.add(match[0].toUpperCase());
  return [...found].sort();
}

function titleOf(subject: string | null, reporter: string): string {
  const line = (subject ?? '').replace(/\s+/g, ' ').trim();
  if (line === '') return `Vulnerability report from ${reporter} (no subject)`;
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

// One mailbox: something@domain, no spaces, brackets or control characters.
const MAILBOX = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[^\s@<>()[\]\\,;:"\p{Cc}]+$/u;

/** The From address, lower case (mail systems treat addresses without regard to case). */
function reporterOf(record: Record<string, unknown>): string {
  const value = valueAt(record, 'from.address');
  if (value === undefined || value === null || value === '') {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'from.address is required: a report needs a From address to be attributed to',
      'from.address',
    );
  }
  if (typeof value !== 'string' || value.length > 254 || !MAILBOX.test(value.trim())) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `from.address must be one mailbox like name@example.org, got ${describe(value)}`,
      'from.address',
    );
  }
  return value.trim().toLowerCase();
}

/**
 * When the report was made. The Date header is the sender's claim, the time of receipt a
 * fact: a Date that is missing, cannot be read (RFC 5322 §3.3), lies before 1970 or more
 * than a day after receipt is not believed, and the receipt time is used. originalTimestamp
 * is then the receipt time too; the Date as written stays in the raw record.
 */
function occurredAt(
  record: Record<string, unknown>,
  receivedAt: Date,
): { utc: string; original: string } {
  const written = optionalString(record, 'date');
  const utc = written === null ? null : parseMailDate(written);
  const at = utc === null ? Number.NaN : Date.parse(utc);

  if (at >= MIN_PLAUSIBLE && at <= receivedAt.getTime() + MAX_FUTURE_MS) {
    return { utc: utc as string, original: written as string };
  }
  const receipt = receivedAt.toISOString();
  return { utc: receipt, original: receipt };
}

function attachmentsOf(record: Record<string, unknown>) {
  const value = valueAt(record, 'attachments');
  if (!Array.isArray(value)) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `attachments must be an array, got ${describe(value)}`,
      'attachments',
    );
  }
  return value.map((file: unknown, index) => evidenceFile(file, `attachments[${index}]`));
}

/**
 * One file of the record, checked: the hash and size must be those of the content, so the
 * evidence stored later is exactly what the hash says.
 */
function evidenceFile(value: unknown, path: string) {
  if (value === undefined || value === null) {
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail('BD_INTAKE_FIELD_INVALID', `${path} must be an object, got ${describe(value)}`, path);
  }
  const file = value as Record<string, unknown>;
  const fileName = requiredString(file, 'fileName', path);
  const contentType = requiredString(file, 'contentType', path);
  const sha256 = requiredString(file, 'sha256', path);
  const contentBase64 = requiredString(file, 'contentBase64', path);

  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64)) {
    const field = `${path}.contentBase64`;
    fail('BD_INTAKE_FIELD_INVALID', `${field} must be base64`, field);
  }
  const actual = digestOf(Buffer.from(contentBase64, 'base64'));
  const size = valueAt(file, 'size');
  if (size !== actual.size) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${path}.size must be the byte count of the decoded content, ${actual.size}; ` +
        `got ${describe(size)}`,
      `${path}.size`,
    );
  }
  if (sha256 !== actual.sha256) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${path}.sha256 must be the SHA-256 (lower-case hex) of the decoded content`,
      `${path}.sha256`,
    );
  }
  return { fileName, contentType, size: actual.size, sha256, contentBase64 };
}

/** A string at `key` (blank allowed); anything else is refused, naming the field's path. */
function requiredString(record: Record<string, unknown>, key: string, parent?: string): string {
  const path = parent === undefined ? key : `${parent}.${key}`;
  const value = valueAt(record, key);
  if (value === undefined || value === null) {
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);
  }
  if (typeof value !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `${path} must be a string, got ${describe(value)}`, path);
  }
  return value;
}

/** A trimmed non-blank string, or null when absent, null or blank. */
function optionalString(record: Record<string, unknown>, path: string): string | null {
  const value = valueAt(record, path);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `${path} must be a string, got ${describe(value)}`, path);
  }
  return value.trim() === '' ? null : value.trim();
}

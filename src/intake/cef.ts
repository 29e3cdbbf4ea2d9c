/**
 * ArcSight Common Event Format (CEF), one record per line of a file or per syslog message.
 * A record may stand alone (`CEF:0|…`) or follow a syslog header (RFC 5424 or RFC 3164, with
 * or without PRI as syslog daemons write files). The record's own date wins over the header's
 * time, which is a fallback: for a record without a date, or one whose date has no zone behind
 * an RFC 5424 header. cef-record.ts reads the text, cef-time.ts its dates.
 */
import type { Zone } from 'luxon';

import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { type CefRecord, parseCefText } from './cef-record.ts';
import { parseCefDate } from './cef-time.ts';
import { eventIdOrContent } from './content-event-id.ts';
import { fingerprint } from './fingerprint.ts';
import { type ObservableInput, collectObservables } from './observables.ts';
import { describe, ipOrNull, outcomeOf, textOrNull } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { lineReader } from './records.ts';
import { type SyslogMessage, parseSyslog, stampIsLocal } from './syslog.ts';
import type { NormalizedTimestamp } from './timestamp.ts';
import { zoneNamed } from './wall-clock.ts';

const FORMAT = 'cef';

// CEF spec, "Date formats" and key table: rt (receipt time) is the event's time; end and start
// stand in when a sender only writes the activity's span.
const TIME_KEYS = ['rt', 'end', 'start'] as const;

export interface CefAdapterOptions {
  /**
   * Zone of RFC 3164 syslog stamps, which carry none: UTC (default), an offset or an IANA name.
   * Set it to the senders' zone when they log local time. CEF dates without a zone behind
   * such a stamp are read in it too.
   */
  zone?: string;
}

/**
 * A CEF adapter reading year- and zone-less syslog stamps in `opts.zone`. Throws
 * BD_CONFIG_INVALID when the zone is neither UTC, an offset nor an IANA name.
 */
export function createCefAdapter(opts: CefAdapterOptions = {}): IntakeAdapter {
  const zone = opts.zone ?? 'UTC';
  const local = zoneNamed(zone);
  if (local === null) {
    fail(
      'BD_CONFIG_INVALID',
      `syslog zone ${describe(zone)} must be UTC, an offset such as +02:00, ` +
        'or an IANA name such as Europe/Berlin (abbreviations such as CET are ambiguous)',
      'zone',
    );
  }

  return {
    format: FORMAT,
    reader: lineReader,
    parse: (record, receivedAt) =>
      outcomeOf(() => parseCefLine(record, receivedAt, { name: zone, zone: local })),
  };
}

/** The configured zone of RFC 3164 stamps, as given (for syslog.ts) and as read. */
type LocalZone = { name: string; zone: Zone };

/** The CEF adapter for files and HTTP bodies: syslog stamps without a zone are read as UTC. */
export const cefAdapter: IntakeAdapter = createCefAdapter();

function parseCefLine(input: unknown, receivedAt: Date, local: LocalZone): ParseOutcome {
  if (typeof input !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `record must be a CEF line of text, got ${describe(input)}`);
  }

  const { header, text } = splitSyslog(input, receivedAt, local.name);
  const record = parseCefText(text);
  const time = occurredAt(record, header, receivedAt, local.zone);
  const ext = (key: string): string | null => textOrNull(record.extension.get(key));

  // Ports stay out of the fingerprint: a client's ephemeral port changes on every connection.
  const sourceIp = ipOrNull(ext('src'));
  const destinationIp = ipOrNull(ext('dst'));
  // duser is the account acted upon (a login target); suser is who acted.
  const principal = ext('duser') ?? ext('suser');
  const eventClass = record.signatureId.trim() || record.name;

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // Without externalId the line itself is the id, so a resent record is a repeat.
      sourceEventId: eventIdOrContent(ext('externalId'), input),
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title: record.name,
      severity: severityOf(record.severity),
      fingerprint: fingerprint(FORMAT, [
        record.deviceVendor.trim(),
        record.deviceProduct.trim(),
        eventClass,
        sourceIp,
        destinationIp,
        principal,
      ]),
      // The destination host is the one acted upon; the reporting device stands in for it.
      host: ext('dhost') ?? ext('dvchost') ?? header?.hostname ?? null,
      sourceIp,
      destinationIp,
      principal,
      exerciseId: null,
      observables: collectObservables(observablesOf(record)),
      raw: input,
    },
  };
}

/** The CEF text and the syslog header in front of it, if any. */
function splitSyslog(
  input: string,
  receivedAt: Date,
  zone: string,
): { header: SyslogMessage | null; text: string } {
  const line = input.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
  if (line.trimStart().startsWith('CEF:')) return { header: null, text: line.trimStart() };

  // A stamp that cannot be placed only matters when the record has no date of its own.
  const parsed = parseSyslog(line, {
    receivedAt,
    zone,
    requirePri: false,
    keepUnplacedStamp: true,
  });
  if (!parsed.ok) fail(parsed.code, parsed.reason, parsed.field ?? undefined);

  // The record follows the header directly or a TAG such as `CEF:` or `securityd[12]:`.
  const { msg } = parsed.message;
  const start = /(?:^|\s)CEF:\d/.exec(msg);
  if (!start) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      `the syslog message holds no CEF record (CEF:0|…), got ${describe(msg)}`,
      'cef',
    );
  }
  return { header: parsed.message, text: msg.slice(start.index).trimStart() };
}

/**
 * The first of rt, end, start that is present; the syslog header's time only when the record
 * has none. A date without a zone behind an RFC 3164 stamp is read like that stamp, in the
 * configured zone, so that its own year wins over the stamp's nearest-year guess. Behind an
 * RFC 5424 header, or with an abbreviation such as EST, a zone-less date is not guessed: the
 * header's time is used instead, and without a header the record is refused.
 */
function occurredAt(
  record: CefRecord,
  header: SyslogMessage | null,
  receivedAt: Date,
  zone: Zone,
): NormalizedTimestamp {
  const key = TIME_KEYS.find((k) => textOrNull(record.extension.get(k)) !== null);
  const headerTime = header?.timestamp ?? null;

  if (key === undefined) {
    if (headerTime !== null) return headerTime;
    if (header?.unplacedStamp !== undefined) {
      fail('BD_INTAKE_FIELD_INVALID', header.unplacedStamp, 'syslog.timestamp');
    }
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'extension.rt (or end, start) is required when no syslog header gives the time',
      'extension.rt',
    );
  }

  const original = record.extension.get(key) ?? '';
  const localZone = header !== null && stampIsLocal(header) ? zone : undefined;
  const date = parseCefDate(original, receivedAt, localZone);
  if (date.kind === 'instant') return { utc: date.utc, original };
  if (date.kind === 'invalid')
    fail('BD_INTAKE_FIELD_INVALID', `${key} ${date.why}`, `extension.${key}`);
  if (headerTime !== null) return headerTime;

  fail(
    'BD_INTAKE_FIELD_INVALID',
    `${key} ${date.why}; add a zone (UTC, +02:00 or an IANA name such as Europe/Berlin), ` +
      'send epoch milliseconds, or send the record over syslog, whose header time is used',
    `extension.${key}`,
  );
}

/**
 * CEF spec, "Severity": 0–3 Low, 4–6 Medium, 7–8 High, 9–10 Very-High, or those words (and
 * Unknown). Very-High is our high; Unknown reads as low, like a rule that sets no severity.
 */
function severityOf(text: string): Severity {
  if (/^\d{1,2}$/.test(text) && Number(text) <= 10) {
    const level = Number(text);
    if (level >= 7) return 'high';
    return level >= 4 ? 'medium' : 'low';
  }

  switch (text.toLowerCase().replace(/[\s_]+/g, '-')) {
    case 'unknown':
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
    case 'very-high':
      return 'high';
    default:
      fail(
        'BD_INTAKE_FIELD_INVALID',
        `header.severity ${describe(text)} must be 0–10 or Unknown, Low, Medium, High, Very-High`,
        'header.severity',
      );
  }
}

function observablesOf(record: CefRecord): ObservableInput[] {
  const ext = (key: string): string | null => textOrNull(record.extension.get(key));

  const inputs: ObservableInput[] = [
    { kind: 'ip', value: ext('src'), tag: 'source' },
    { kind: 'ip', value: ext('dst'), tag: 'destination' },
    { kind: 'ip', value: ext('dvc'), tag: 'device' },
    { kind: 'principal', value: ext('suser'), tag: 'source' },
    { kind: 'principal', value: ext('duser'), tag: 'destination' },
    // CEF spec: e-mail addresses are often mapped into the user name fields.
    { kind: 'email', value: ext('suser'), tag: 'source' },
    { kind: 'email', value: ext('duser'), tag: 'destination' },
    hostObservable(ext('shost'), 'source'),
    hostObservable(ext('dhost'), 'destination'),
    { kind: 'url', value: ext('request'), tag: 'request' },
    { kind: 'hash', value: ext('fileHash'), tag: 'file' },
  ];

  // Custom fields carry indicators only their label explains (e.g. cs3Label=SHA256).
  for (const field of record.custom) {
    const kind = customKind(field.key, field.label ?? '');
    if (kind !== null) inputs.push({ kind, value: field.value, tag: field.label ?? field.key });
  }
  return inputs;
}

function customKind(key: string, label: string): ObservableInput['kind'] | null {
  if (key.startsWith('c6a')) return 'ip';
  if (/sha-?\d|md5|hash/i.test(label)) return 'hash';
  if (/\bur[il]\b/i.test(label)) return 'url';
  return /domain|fqdn/i.test(label) ? 'domain' : null;
}

/** A host field holds an address or a DNS name; a bare NetBIOS-style name is neither. */
function hostObservable(value: string | null, tag: string): ObservableInput {
  if (value !== null && ipOrNull(value) !== null) return { kind: 'ip', value, tag };
  return { kind: 'domain', value: value?.includes('.') ? value : null, tag };
}

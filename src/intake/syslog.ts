/**
 * Syslog message headers, RFC 5424 and RFC 3164, read into plain values. Pure: text in, a
 * message or a coded rejection naming the header field out, nothing thrown.
 *
 * RFC 3164 stamps carry neither year nor zone. The zone is the one the operator configured
 * for the senders (default UTC) and the year is the one nearest to receipt (wall-clock.ts);
 * the stamp is kept exactly as sent next to the instant it was read as.
 */
import { BreachdeskError, type ErrorCode, fail } from '../domain/errors.ts';
import { describe } from './outcome.ts';
import { type NormalizedTimestamp, normalizeTimestamp, outsideSignalYears } from './timestamp.ts';
import { instantOf, monthNumber, zoneNamed } from './wall-clock.ts';

/** One SD-ELEMENT (RFC 5424 §6.3): its SD-ID and its parameters in the order sent. */
export interface StructuredDataElement {
  id: string;
  params: { name: string; value: string }[];
}

/** A syslog message as sent; null marks what the sender left out (or wrote as `-`). */
export interface SyslogMessage {
  rfc: '5424' | '3164';
  /** PRI = facility × 8 + severity (RFC 5424 §6.2.1); null for a line without one (a file). */
  pri: number | null;
  facility: number | null;
  severity: number | null;
  timestamp: NormalizedTimestamp | null;
  hostname: string | null;
  /** RFC 5424 APP-NAME, or the RFC 3164 TAG. */
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredDataElement[];
  /** The free-form message (RFC 3164 CONTENT after the TAG), without a leading BOM. */
  msg: string;
  /**
   * Why the RFC 3164 stamp could not be placed in time (`timestamp` is then null); set only
   * when the message was read with `keepUnplacedStamp`.
   */
  unplacedStamp?: string;
}

export interface SyslogOptions {
  /** When the message arrived: a year-less RFC 3164 stamp takes the year nearest to it. */
  receivedAt: Date;
  /** Zone of RFC 3164 stamps: UTC (default), an offset or an IANA name; see wall-clock.ts. */
  zone?: string;
  /** Lines in files written by a syslog daemon have lost their PRI; allow that (default no). */
  requirePri?: boolean;
  /**
   * Read the message although its RFC 3164 stamp names no instant that can be taken (no year
   * within half a year of receipt has its date, the zone skips its time, its year is outside
   * SIGNAL_YEARS): `timestamp` is then null and `unplacedStamp` says why. For records that
   * carry a time of their own and need the header's only as a fallback (CEF). Default no: the
   * message is refused, naming syslog.timestamp.
   */
  keepUnplacedStamp?: boolean;
}

export type SyslogParse =
  | { ok: true; message: SyslogMessage }
  | { ok: false; code: ErrorCode; field: string | null; reason: string };

/**
 * True when the message's stamp carries no zone of its own: an RFC 3164 `Mmm dd hh:mm:ss`
 * stamp, read (or not placeable) in the configured zone. False for RFC 5424 and RFC 3339
 * stamps, and when there is no stamp.
 */
export function stampIsLocal(message: SyslogMessage): boolean {
  if (message.rfc !== '3164') return false;
  if (message.unplacedStamp !== undefined) return true;
  return message.timestamp !== null && !ISO_STAMP.test(message.timestamp.original);
}

/** Reads one syslog message (no framing, no trailing newline). Never throws. */
export function parseSyslog(text: string, opts: SyslogOptions): SyslogParse {
  try {
    return { ok: true, message: parseMessage(text, opts) };
  } catch (error) {
    if (!(error instanceof BreachdeskError)) throw error;
    return { ok: false, code: error.code, field: error.field ?? null, reason: error.message };
  }
}

// RFC 5424 §6: header fields are printable US-ASCII, of at most these lengths.
const LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;
const PRINTABLE = /^[\x21-\x7e]+$/;
// One character past the limit is read so that an over-long name is refused, not cut.
const SD_NAME = /^[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,33}/;

function parseMessage(text: string, opts: SyslogOptions): SyslogMessage {
  if (typeof text !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `syslog message must be text, got ${describe(text)}`);
  }

  const { pri, rest } = splitPri(text, opts.requirePri ?? true);
  const header = {
    pri,
    facility: pri === null ? null : pri >> 3,
    severity: pri === null ? null : pri & 7,
  };

  // RFC 5424 §6.2.2: VERSION follows PRI directly; a 3164 header starts with a month name.
  const version = /^(\d{1,2}) /.exec(rest);
  if (version) {
    if (version[1] !== '1') {
      fail(
        'BD_INTAKE_FIELD_INVALID',
        `syslog.version ${describe(version[1])} is not supported; RFC 5424 version 1 is`,
        'syslog.version',
      );
    }
    return { ...header, ...parse5424(rest.slice(version[0].length)) };
  }
  return { ...header, ...parse3164(rest, opts) };
}

function splitPri(text: string, required: boolean): { pri: number | null; rest: string } {
  if (!text.startsWith('<')) {
    if (required) {
      fail(
        'BD_INTAKE_FIELD_MISSING',
        'syslog.pri is required: start with <0> to <191>',
        'syslog.pri',
      );
    }
    return { pri: null, rest: text };
  }

  const match = /^<(\d{1,3})>/.exec(text);
  const pri = match ? Number(match[1]) : Number.NaN;
  if (!match || pri > 191) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `syslog.pri ${describe(text.slice(0, 6))} must be <0> to <191> (facility × 8 + severity)`,
      'syslog.pri',
    );
  }
  return { pri, rest: text.slice(match[0].length) };
}

type Header = Omit<SyslogMessage, 'pri' | 'facility' | 'severity'>;

/** RFC 5424 §6 after `VERSION SP`: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]. */
function parse5424(text: string): Header {
  const reader = { text, pos: 0 };

  const stamp = token(reader, 'syslog.timestamp');
  const timestamp = stamp === '-' ? null : checkedStamp(stamp);
  const hostname = headerField(reader, 'hostname');
  const appName = headerField(reader, 'appName');
  const procId = headerField(reader, 'procId');
  const msgId = headerField(reader, 'msgId');
  const structuredData = readStructuredData(reader);

  if (reader.pos < text.length && text[reader.pos] !== ' ') {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      'syslog.structuredData must be followed by a space and the message',
      'syslog.structuredData',
    );
  }
  const msg = stripBom(text.slice(reader.pos + 1));
  return { rfc: '5424', timestamp, hostname, appName, procId, msgId, structuredData, msg };
}

type Reader = { text: string; pos: number };

/** The next header token, up to a space or the end; a field the text ends before is missing. */
function token(reader: Reader, field: string): string {
  if (reader.pos >= reader.text.length) {
    fail('BD_INTAKE_FIELD_MISSING', `${field} is missing; write - for none`, field);
  }

  const space = reader.text.indexOf(' ', reader.pos);
  const end = space < 0 ? reader.text.length : space;
  const value = reader.text.slice(reader.pos, end);
  reader.pos = end + 1;
  if (!value) fail('BD_INTAKE_FIELD_INVALID', `${field} is empty; write - for none`, field);
  return value;
}

function headerField(reader: Reader, name: keyof typeof LIMITS): string | null {
  const field = `syslog.${name}`;
  const value = token(reader, field);

  if (!PRINTABLE.test(value) || value.length > LIMITS[name]) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} ${describe(value)} must be 1–${LIMITS[name]} printable ASCII characters or -`,
      field,
    );
  }
  return value === '-' ? null : value;
}

// RFC 5424 §6.2.3 is RFC 3339 with a mandatory offset; timestamp.ts reads exactly that.
function checkedStamp(value: string): NormalizedTimestamp {
  const time = normalizeTimestamp(value, 'syslog.timestamp');
  if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, 'syslog.timestamp');
  return time;
}

/** RFC 5424 §6.3: `-`, or one or more `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]`. */
function readStructuredData(reader: Reader): StructuredDataElement[] {
  const { text } = reader;
  if (reader.pos >= text.length) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'syslog.structuredData is missing; write - for none',
      'syslog.structuredData',
    );
  }
  if (text[reader.pos] === '-') {
    reader.pos += 1;
    return [];
  }
  if (text[reader.pos] !== '[') {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      'syslog.structuredData must be - or [id name="value" …]',
      'syslog.structuredData',
    );
  }

  const elements: StructuredDataElement[] = [];
  while (text[reader.pos] === '[') {
    const field = `syslog.structuredData[${elements.length}]`;
    reader.pos += 1;
    const id = sdName(reader, field);
    const params: StructuredDataElement['params'] = [];

    while (text[reader.pos] === ' ') {
      reader.pos += 1;
      const name = sdName(reader, field);
      if (text.slice(reader.pos, reader.pos + 2) !== '="') {
        fail('BD_INTAKE_FIELD_INVALID', `${field} parameter ${name} must be name="value"`, field);
      }
      reader.pos += 2;
      params.push({ name, value: paramValue(reader, field) });
    }

    if (text[reader.pos] !== ']') {
      fail('BD_INTAKE_FIELD_INVALID', `${field} is not closed with ]`, field);
    }
    reader.pos += 1;
    elements.push({ id, params });
  }
  return elements;
}

/** SD-NAME (RFC 5424 §6.3.2): 1–32 printable ASCII characters other than `=`, SP, `]`, `"`. */
function sdName(reader: Reader, field: string): string {
  const name = SD_NAME.exec(reader.text.slice(reader.pos))?.[0] ?? '';

  if (!name || name.length > 32) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} needs a name of 1–32 printable ASCII characters without = ] " or space`,
      field,
    );
  }
  reader.pos += name.length;
  return name;
}

/** PARAM-VALUE up to its closing quote; RFC 5424 §6.3.3 escapes `"`, `\` and `]` only. */
function paramValue(reader: Reader, field: string): string {
  const { text } = reader;
  let value = '';

  for (let i = reader.pos; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      reader.pos = i + 1;
      return value;
    }
    const next = text[i + 1];
    if (char === '\\' && (next === '"' || next === '\\' || next === ']')) {
      value += next;
      i += 1;
    } else {
      value += char;
    }
  }
  fail('BD_INTAKE_FIELD_INVALID', `${field} has a parameter value without its closing "`, field);
}

// RFC 3164 §4.1.2: `Mmm dd hh:mm:ss`, the day space-padded. Zero padding, a fraction and a
// year after the day (as some network devices write) are read too.
const BSD_STAMP =
  /^([A-Za-z]{3}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?= |$)/;
// rsyslog's file format puts an RFC 3339 stamp where RFC 3164 has its own.
const ISO_STAMP = /^\d{4}-\d{2}-\d{2}T\S+(?= |$)/;
// RFC 3164 §4.1.3: TAG is the program name, often with `[pid]`, ended by a colon.
const TAG = /^([\w./-]{1,48})(?:\[([^\]\s]{1,128})\])?:(?: |$)/;
const HOST = /^[A-Za-z0-9][\w.:%-]*$/;

/** RFC 3164 §4.1: `TIMESTAMP SP HOSTNAME SP TAG: CONTENT`, every part of it optional. */
function parse3164(text: string, opts: SyslogOptions): Header {
  const stamp = ISO_STAMP.exec(text) ?? BSD_STAMP.exec(text);
  // RFC 3164 §4.3.3: without a recognisable TIMESTAMP the whole text is the message.
  const placed = stamp === null ? null : bsdTimestamp(stamp, opts);
  const timestamp = placed === null || 'unplaced' in placed ? null : placed;
  let rest = stamp === null ? text : text.slice(stamp[0].length + 1);

  let hostname: string | null = null;
  const space = rest.indexOf(' ');
  const first = space < 0 ? rest : rest.slice(0, space);
  // Many devices leave HOSTNAME out; a first word with `|`, `[` or a trailing colon is a tag
  // or the message itself, not a host.
  if (stamp !== null && HOST.test(first) && !first.endsWith(':') && first.length <= 255) {
    hostname = first;
    rest = space < 0 ? '' : rest.slice(space + 1);
  }

  const tag = TAG.exec(rest);
  const msg = stripBom(tag ? rest.slice(tag[0].length) : rest);
  return {
    rfc: '3164',
    timestamp,
    hostname,
    appName: tag?.[1] ?? null,
    procId: tag?.[2] ?? null,
    msgId: null,
    structuredData: [],
    msg,
    ...(placed !== null && 'unplaced' in placed ? { unplacedStamp: placed.unplaced } : {}),
  };
}

function bsdTimestamp(
  stamp: RegExpExecArray,
  opts: SyslogOptions,
): NormalizedTimestamp | { unplaced: string } {
  const original = stamp[0];
  if (ISO_STAMP.test(original)) return checkedStamp(original);

  const [, monthName = '', day, year, hour, minute, second, fraction] = stamp;
  const month = monthNumber(monthName);
  if (month === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `syslog.timestamp ${describe(original)} has no English month abbreviation (Jan … Dec)`,
      'syslog.timestamp',
    );
  }

  const zone = zoneNamed(opts.zone ?? 'UTC');
  if (zone === null) {
    fail(
      'BD_CONFIG_INVALID',
      `syslog zone ${describe(opts.zone)} must be UTC, an offset such as +02:00, ` +
        'or an IANA name such as Europe/Berlin',
      'zone',
    );
  }

  const wall = {
    year: year === undefined ? null : Number(year),
    month,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number((fraction ?? '').slice(0, 3).padEnd(3, '0')),
  };
  const instant = instantOf(wall, zone, opts.receivedAt);
  const problem = 'error' in instant ? instant.error : outsideSignalYears(new Date(instant.utc));
  if ('utc' in instant && problem === null) return { utc: instant.utc, original };

  const reason = `syslog.timestamp ${describe(original)} ${problem}`;
  if (opts.keepUnplacedStamp) return { unplaced: reason };
  fail('BD_INTAKE_FIELD_INVALID', reason, 'syslog.timestamp');
}

// RFC 5424 §6.4: a UTF-8 MSG may start with a byte-order mark.
function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

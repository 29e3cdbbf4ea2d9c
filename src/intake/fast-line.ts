/**
 * The layout of one IDS "fast" alert line (Suricata fast.log, Snort alert_fast), read into
 * plain values. Each part that does not fit is refused by its own name, so a rejection says
 * which part of the line to look at. The timestamp is kept as wall-clock fields: placing it
 * in time needs the sensor's zone, which is fast.ts's business.
 */
import { fail } from '../domain/errors.ts';
import { describe, ipOrNull } from './outcome.ts';
import type { WallTime } from './zone-time.ts';

const TIMESTAMP =
  /^(\d{2})\/(\d{2})(?:\/(\d{4}|\d{2}))?-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?=\s|$)/;
const TIMESTAMP_EXAMPLES = '03/10/2024-01:30:00.123456 (Suricata) or 03/10-01:30:00.123456 (Snort)';
// Protocols whose endpoints are always written with a port, in both Suricata and Snort.
const PORTED = new Set(['TCP', 'UDP', 'SCTP']);

/** One alert line as written; the year is null when the sensor left it out (Snort). */
export interface FastAlert {
  timestamp: { text: string; wall: Omit<WallTime, 'year'>; year: number | null };
  gid: number;
  sid: number;
  message: string;
  priority: number | null;
  protocol: string;
  sourceIp: string;
  destinationIp: string;
}

/** Reads the line left to right; each part that does not fit is refused by its own name. */
export function readFastLine(line: string): FastAlert {
  if (!line)
    fail('BD_INTAKE_FIELD_MISSING', 'the line is empty; timestamp is required', 'timestamp');

  const time = TIMESTAMP.exec(line);
  if (!time) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `the line must start with a timestamp such as ${TIMESTAMP_EXAMPLES}, ` +
        `got ${describe(line.split(/\s/)[0])}`,
      'timestamp',
    );
  }
  const [text, month, day, year, hour, minute, second, fraction = ''] = time;
  let rest = line.slice(text.length).trimStart();

  // Suricata in IPS mode marks what it dropped, or would have dropped, before the first [**].
  rest = rest.replace(/^\[\w+\]\s+(?=\[\*\*\])/, '');
  const rule = /^\[\*\*\]\s+\[(\d{1,10}):(\d{1,10}):(\d{1,10})\]\s*/.exec(rest);
  if (!rule) {
    fail('BD_INTAKE_FIELD_INVALID', 'expected "[**] [gid:sid:rev]" after the timestamp', 'rule');
  }
  rest = rest.slice(rule[0].length);

  const end = rest.indexOf('[**]');
  if (end < 0) fail('BD_INTAKE_FIELD_INVALID', 'the message must be followed by [**]', 'signature');
  const message = unquoted(rest.slice(0, end).trim());
  if (!message) fail('BD_INTAKE_FIELD_MISSING', 'signature is required', 'signature');

  const tail = readTail(rest.slice(end + 4));
  return {
    timestamp: {
      text,
      year: year === undefined ? null : year.length === 2 ? 2000 + Number(year) : Number(year),
      wall: {
        month: Number(month),
        day: Number(day),
        hour: Number(hour),
        minute: Number(minute),
        second: Number(second),
        millisecond: Number(fraction.slice(0, 3).padEnd(3, '0')),
      },
    },
    gid: Number(rule[1]),
    sid: Number(rule[2]),
    message,
    ...tail,
  };
}

/** `[Classification: …] [Priority: n] {PROTO} source -> destination`, tags optional. */
function readTail(
  text: string,
): Pick<FastAlert, 'priority' | 'protocol' | 'sourceIp' | 'destinationIp'> {
  let rest = text.trimStart();
  const tags = new Map<string, string>();
  for (let tag = /^\[([A-Za-z][\w ]*):\s*([^\]]*)\]\s*/.exec(rest); tag;) {
    tags.set((tag[1] ?? '').toLowerCase(), (tag[2] ?? '').trim());
    rest = rest.slice(tag[0].length);
    tag = /^\[([A-Za-z][\w ]*):\s*([^\]]*)\]\s*/.exec(rest);
  }

  const proto = /^\{([^}\s]+)\}\s*/.exec(rest);
  if (!proto) fail('BD_INTAKE_FIELD_MISSING', 'protocol is required, as in {TCP}', 'protocol');
  const protocol = (proto[1] ?? '').toUpperCase();
  rest = rest.slice(proto[0].length);

  const endpoints = /^(\S+)\s+->\s+(\S+)$/.exec(rest.trimEnd());
  if (!endpoints) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'expected "source -> destination" after the protocol',
      'source',
    );
  }

  return {
    priority: priorityOf(tags.get('priority')),
    protocol,
    sourceIp: addressOf(endpoints[1] ?? '', protocol, 'source'),
    destinationIp: addressOf(endpoints[2] ?? '', protocol, 'destination'),
  };
}

/**
 * The address of an endpoint written as `a.b.c.d[:port]`, `[v6]:port`, or a bare IPv6
 * address. Suricata writes IPv6 uncompressed, so eight groups and a ninth are address and
 * port. Snort writes it compressed: there a TCP, UDP or SCTP endpoint ends in its port, any
 * other protocol's endpoint is the address alone.
 */
function addressOf(text: string, protocol: string, field: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  let address = bracketed ? (bracketed[1] ?? '') : text;

  if (!bracketed) {
    const groups = text.split(':');
    const lastIsPort = /^\d{1,5}$/.test(groups.at(-1) ?? '');
    const uncompressedWithPort = groups.length === 9 && !text.includes('::');
    const portedV6 = groups.length > 2 && PORTED.has(protocol) && lastIsPort;
    if (groups.length === 2 || uncompressedWithPort || portedV6) {
      address = groups.slice(0, -1).join(':');
    }
  }

  const ip = ipOrNull(address);
  if (ip === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} ${describe(text)} is not an IPv4 or IPv6 address with an optional port`,
      field,
    );
  }
  return ip;
}

function priorityOf(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d{1,3}$/.test(value)) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `priority must be a whole number, got ${describe(value)}`,
      'priority',
    );
  }
  return Number(value);
}

/** Snort 3 writes the message in double quotes; the quotes are not part of it. */
function unquoted(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"')
    ? text.slice(1, -1).trim()
    : text;
}

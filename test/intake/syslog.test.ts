import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ERROR_CODES } from '../../src/domain/errors.ts';
import { type SyslogOptions, parseSyslog, stampIsLocal } from '../../src/intake/syslog.ts';

const RECEIVED_AT = new Date('2024-03-10T07:00:00Z');

function parse(text: string, opts: Partial<SyslogOptions> = {}) {
  return parseSyslog(text, { receivedAt: RECEIVED_AT, ...opts });
}

function messageOf(text: string, opts: Partial<SyslogOptions> = {}) {
  const parsed = parse(text, opts);
  if (!parsed.ok) throw new Error(`expected a message, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

/** The UTC instant a year-less RFC 3164 stamp is read as, or the rejection. */
function bsdInstant(stamp: string, receivedAt: string, zone?: string): unknown {
  const parsed = parse(`<13>${stamp} host app: text`, { receivedAt: new Date(receivedAt), zone });
  return parsed.ok ? parsed.message.timestamp?.utc : parsed;
}

describe('RFC 5424 messages', () => {
  it('reads every header field, structured data and the message', () => {
    const text =
      '<165>1 2024-03-10T07:30:00.123456+01:00 ids01.corp.example sensord 4711 ALERT ' +
      '[origin@32473 ip="10.0.0.2" software="sensord"][meta sequenceId="29"] port scan seen';

    expect(messageOf(text)).toEqual({
      rfc: '5424',
      pri: 165,
      facility: 20,
      severity: 5,
      timestamp: { utc: '2024-03-10T06:30:00.123Z', original: '2024-03-10T07:30:00.123456+01:00' },
      hostname: 'ids01.corp.example',
      appName: 'sensord',
      procId: '4711',
      msgId: 'ALERT',
      structuredData: [
        {
          id: 'origin@32473',
          params: [
            { name: 'ip', value: '10.0.0.2' },
            { name: 'software', value: 'sensord' },
          ],
        },
        { id: 'meta', params: [{ name: 'sequenceId', value: '29' }] },
      ],
      msg: 'port scan seen',
    });
  });

  it('reads - as nothing in every nil-able field', () => {
    expect(messageOf('<14>1 - - - - - -')).toMatchObject({
      timestamp: null,
      hostname: null,
      appName: null,
      procId: null,
      msgId: null,
      structuredData: [],
      msg: '',
    });
  });

  it('unescapes \\", \\\\ and \\] in parameter values and keeps other backslashes', () => {
    const text = '<14>1 - - - - - [x@1 v="a\\"b\\\\c\\]d\\ne"] m';

    expect(messageOf(text).structuredData[0]?.params[0]?.value).toBe('a"b\\c]d\\ne');
  });

  it('drops the byte-order mark that starts a UTF-8 message', () => {
    expect(messageOf('<14>1 - - - - - - \uFEFFZugriff verweigert für müller').msg).toBe(
      'Zugriff verweigert für müller',
    );
  });

  it.each([
    ['<192>1 - - - - - -', 'syslog.pri'],
    ['<1a>1 - - - - - -', 'syslog.pri'],
    ['1 - - - - - -', 'syslog.pri'],
    ['<14>2 - - - - - -', 'syslog.version'],
    ['<14>1 2024-03-10T06:30:00 host app - - -', 'syslog.timestamp'],
    ['<14>1 2024-02-30T06:30:00Z host app - - -', 'syslog.timestamp'],
    [`<14>1 - ${'h'.repeat(256)} app - - -`, 'syslog.hostname'],
    ['<14>1 - host  app - - -', 'syslog.appName'],
    ['<14>1 - host app', 'syslog.procId'],
    ['<14>1 - host app - -', 'syslog.structuredData'],
    ['<14>1 - host app - - x', 'syslog.structuredData'],
    ['<14>1 - host app - - [id a="1"', 'syslog.structuredData[0]'],
    ['<14>1 - host app - - [id a="1] m', 'syslog.structuredData[0]'],
    ['<14>1 - host app - - [ok][b=c]', 'syslog.structuredData[1]'],
    ['<14>1 - host app - - [id]m', 'syslog.structuredData'],
  ])('refuses %j naming %s', (text, field) => {
    expect(parse(text)).toMatchObject({ ok: false, field, code: expect.stringMatching(/^BD_/) });
  });
});

describe('RFC 3164 messages', () => {
  it('reads timestamp, host, tag with pid and content, keeping the stamp as sent', () => {
    expect(messageOf('<38>Mar  9 23:05:01 bastion sshd[2201]: Failed password for root')).toEqual({
      rfc: '3164',
      pri: 38,
      facility: 4,
      severity: 6,
      timestamp: { utc: '2024-03-09T23:05:01.000Z', original: 'Mar  9 23:05:01' },
      hostname: 'bastion',
      appName: 'sshd',
      procId: '2201',
      msgId: null,
      structuredData: [],
      msg: 'Failed password for root',
    });
  });

  it('reads the stamp in the configured zone', () => {
    expect(bsdInstant('Mar 10 07:30:00', '2024-03-10T07:00:00Z', 'Europe/Berlin')).toBe(
      '2024-03-10T06:30:00.000Z',
    );
  });

  it('treats a first word that is no host name as the message (devices that omit HOSTNAME)', () => {
    expect(messageOf('<38>Mar 10 06:30:00 CEF:0|a|b|c|d|e|5|')).toMatchObject({
      hostname: null,
      msg: 'CEF:0|a|b|c|d|e|5|',
    });
  });

  it('takes text without a timestamp as the whole message (RFC 3164 §4.3.3)', () => {
    expect(messageOf('<13>printer on fire')).toMatchObject({
      timestamp: null,
      msg: 'printer on fire',
    });
  });

  it('reads a daemon file line without PRI when allowed', () => {
    expect(messageOf('Mar 10 06:30:00 fw01 kernel: drop', { requirePri: false })).toMatchObject({
      pri: null,
      hostname: 'fw01',
      appName: 'kernel',
      msg: 'drop',
    });
  });

  it('reads an RFC 3339 stamp in the RFC 3164 layout (rsyslog file format)', () => {
    const line = '2024-03-10T07:30:00.5+01:00 fw01 kernel: drop';

    expect(messageOf(line, { requirePri: false }).timestamp?.utc).toBe('2024-03-10T06:30:00.500Z');
  });

  it.each([
    ['Feb 30 10:00:00', 'is not a real date'],
    ['Mar 10 24:00:00', 'is not a real date'],
    ['Foo 10 10:00:00', 'month'],
  ])('refuses the stamp %j naming syslog.timestamp', (stamp, why) => {
    expect(bsdInstant(stamp, '2024-03-10T07:00:00Z')).toMatchObject({
      ok: false,
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'syslog.timestamp',
      reason: expect.stringContaining(why) as unknown,
    });
  });

  it('refuses a configured zone that is only an abbreviation', () => {
    expect(bsdInstant('Mar 10 06:30:00', '2024-03-10T07:00:00Z', 'CET')).toMatchObject({
      code: 'BD_CONFIG_INVALID',
      field: 'zone',
    });
  });
});

describe('the year of a year-less stamp', () => {
  it('is last year for Dec 31 23:59 received Jan 1 00:01', () => {
    expect(bsdInstant('Dec 31 23:59:00', '2025-01-01T00:01:00Z')).toBe('2024-12-31T23:59:00.000Z');
  });

  it('is next year for Jan 1 00:01 received Dec 31 23:59 (a sender clock slightly ahead)', () => {
    expect(bsdInstant('Jan  1 00:01:00', '2024-12-31T23:59:00Z')).toBe('2025-01-01T00:01:00.000Z');
  });

  it('follows the zone: New Year in Tokyo is still last year in UTC', () => {
    expect(bsdInstant('Jan  1 08:30:00', '2024-12-31T23:31:00Z', 'Asia/Tokyo')).toBe(
      '2024-12-31T23:30:00.000Z',
    );
  });

  it('is the leap year for Feb 29 when its leap day is within half a year of receipt', () => {
    expect(bsdInstant('Feb 29 12:00:00', '2024-03-01T00:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
    expect(bsdInstant('Feb 29 12:00:00', '2023-12-01T00:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
  });

  it('refuses Feb 29 when no leap day is within half a year of receipt', () => {
    for (const receivedAt of ['2025-01-15T00:00:00Z', '2026-02-28T00:00:00Z']) {
      expect(bsdInstant('Feb 29 12:00:00', receivedAt)).toMatchObject({
        ok: false,
        field: 'syslog.timestamp',
        reason: expect.stringContaining('half a year') as unknown,
      });
    }
  });

  it('picks, of a time daylight saving repeats, the one nearer to receipt', () => {
    // Europe/Berlin 2024-10-27: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
    expect(bsdInstant('Oct 27 02:30:00', '2024-10-27T00:31:00Z', 'Europe/Berlin')).toBe(
      '2024-10-27T00:30:00.000Z',
    );
    expect(bsdInstant('Oct 27 02:30:00', '2024-10-27T01:31:00Z', 'Europe/Berlin')).toBe(
      '2024-10-27T01:30:00.000Z',
    );
  });

  it('refuses a time the zone skips when daylight saving starts', () => {
    expect(bsdInstant('Mar 31 02:30:00', '2024-03-31T01:00:00Z', 'Europe/Berlin')).toMatchObject({
      ok: false,
      field: 'syslog.timestamp',
      reason: expect.stringContaining('daylight saving') as unknown,
    });
  });
});

describe('a stamp that cannot be placed, for records with a time of their own', () => {
  const late = { receivedAt: new Date('2025-01-15T00:00:00Z'), keepUnplacedStamp: true };

  it('reads the message with no timestamp and says why', () => {
    expect(messageOf('<13>Feb 29 12:00:00 host app: text', late)).toMatchObject({
      timestamp: null,
      hostname: 'host',
      msg: 'text',
      unplacedStamp: expect.stringMatching(/^syslog\.timestamp "Feb 29 12:00:00" .*half a year/),
    });
  });

  it('refuses an RFC 3164 stamp in a year outside 1970–2200, naming syslog.timestamp', () => {
    expect(parse('<13>Mar 10 1969 06:30:00 host app: text')).toMatchObject({
      ok: false,
      field: 'syslog.timestamp',
      reason: expect.stringContaining('year 1969') as unknown,
    });
  });

  it('tells a stamp read in the configured zone from one that carries its own', () => {
    const local = (text: string) => stampIsLocal(messageOf(text, late));

    expect(local('<13>Mar 10 06:30:00 host app: text')).toBe(true);
    expect(local('<13>Feb 29 12:00:00 host app: text')).toBe(true);
    expect(local('<13>2024-03-10T06:30:00Z host app: text')).toBe(false);
    expect(local('<13>1 2024-03-10T06:30:00Z host app - - - text')).toBe(false);
  });
});

describe('syslog parser under random text', () => {
  const codes = Object.keys(ERROR_CODES);
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string().map((s) => `<${s}`),
    fc.string().map((s) => `<14>1 ${s}`),
    fc.string().map((s) => `<14>1 - h a p m [${s}`),
    fc.string().map((s) => `<14>Feb 29 ${s}`),
    fc
      .array(fc.constantFrom(' ', '[', ']', '"', '=', '\\', '-', 'x', '<14>1', 'Dec 31'))
      .map((parts) => parts.join('')),
  );

  it('never throws, and every rejection carries a known code and a field', () => {
    fc.assert(
      fc.property(text, fc.date(), fc.boolean(), (line, receivedAt, requirePri) => {
        const parsed = parseSyslog(line, { receivedAt, requirePri });
        if (parsed.ok) return;
        expect(codes).toContain(parsed.code);
        expect(parsed.field).toEqual(expect.any(String));
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * Suricata fast.log and Snort alert_fast lines written for these tests after the layouts the
 * two projects document (no fast log is among the public samples).
 */
import { describe, expect, it } from 'vitest';

import { BreachdeskError } from '../../src/domain/errors.ts';
import type { NormalizedSignal } from '../../src/domain/types.ts';
import { fastAdapter } from '../../src/intake/fast.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { adapterFor, bodyRecords } from '../../src/intake/registry.ts';

const RECEIVED_AT = new Date('2024-03-10T07:00:00Z');
const utc = fastAdapter('UTC');

const SURICATA =
  '03/10/2024-01:30:00.123456  [**] [1:2100498:7] GPL ATTACK_RESPONSE id check returned root ' +
  '[**] [Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 10.0.0.1:80 -> ' +
  '10.0.0.2:51234';

/** A Suricata line with the parts a test cares about replaced. */
function suricataLine(parts: { time?: string; rule?: string; tail?: string } = {}): string {
  const time = parts.time ?? '03/10/2024-01:30:00.123456';
  const rule = parts.rule ?? '1:2100498:7';
  const tail =
    parts.tail ??
    '[Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 10.0.0.1:80 -> 10.0.0.2:51234';
  return `${time}  [**] [${rule}] GPL ATTACK_RESPONSE id check returned root [**] ${tail}`;
}

function parse(line: unknown, at = RECEIVED_AT, adapter = utc): ParseOutcome {
  return adapter.parse(line, at);
}

function signalOf(line: unknown, at = RECEIVED_AT, adapter = utc): NormalizedSignal {
  const outcome = parse(line, at, adapter);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal;
}

describe('fast adapter', () => {
  it('turns a Suricata fast.log line into a signal in the configured zone', () => {
    expect(signalOf(SURICATA)).toMatchObject({
      format: 'fast',
      sourceKind: 'automated_alert',
      // Fast lines carry no id: the line's own hash is one (content-event-id.ts).
      sourceEventId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
      occurredAt: '2024-03-10T01:30:00.123Z',
      originalTimestamp: '03/10/2024-01:30:00.123456',
      title: 'GPL ATTACK_RESPONSE id check returned root',
      severity: 'medium',
      sourceIp: '10.0.0.1',
      destinationIp: '10.0.0.2',
      raw: SURICATA,
    });
  });

  it('reads the wall time in an IANA zone (EST, five hours behind UTC)', () => {
    const newYork = fastAdapter('America/New_York');

    expect(signalOf(SURICATA, RECEIVED_AT, newYork).occurredAt).toBe('2024-03-10T06:30:00.123Z');
  });

  it('reads the wall time at a fixed offset', () => {
    expect(signalOf(SURICATA, RECEIVED_AT, fastAdapter('+01:00')).occurredAt).toBe(
      '2024-03-10T00:30:00.123Z',
    );
  });

  it('reads Snort lines without a year and with a two-digit year', () => {
    const line = (time: string): string =>
      `${time}  [**] [1:1000001:1] ICMP test [**] [Priority: 3] {ICMP} 10.0.0.1 -> 10.0.0.2`;

    expect(signalOf(line('03/10-01:30:00.123456')).occurredAt).toBe('2024-03-10T01:30:00.123Z');
    expect(signalOf(line('03/10/24-01:30:00.123456')).occurredAt).toBe('2024-03-10T01:30:00.123Z');
  });

  it.each([
    ['12/31-23:59:59.000000', '2025-01-01T00:00:10Z', '2024-12-31T23:59:59.000Z'],
    ['01/01-00:00:05.000000', '2024-12-31T23:59:00Z', '2025-01-01T00:00:05.000Z'],
    ['07/01-12:00:00.000000', '2024-03-10T07:00:00Z', '2024-07-01T12:00:00.000Z'],
  ])('gives %s the year nearest to receipt at %s', (time, receivedAt, occurredAt) => {
    const line = `${time}  [**] [1:1:1] m [**] {TCP} 10.0.0.1:1 -> 10.0.0.2:2`;

    expect(signalOf(line, new Date(receivedAt)).occurredAt).toBe(occurredAt);
  });

  it('reads Snort 3 lines: quoted message, priority 0, ICMP without ports', () => {
    const line =
      '08/27-13:04:33.347064 [**] [1:1000000:0] "ICMP Test" [**] [Priority: 0] ' +
      '[AppID: ICMP] {ICMP} 192.168.1.1 -> 192.168.1.2';

    expect(signalOf(line, new Date('2024-08-28T00:00:00Z'))).toMatchObject({
      title: 'ICMP Test',
      severity: 'low',
      sourceIp: '192.168.1.1',
      destinationIp: '192.168.1.2',
    });
  });

  it('reads a Suricata [Drop] line', () => {
    const line = SURICATA.replace('  [**]', '  [Drop] [**]');

    expect(signalOf(line).title).toBe('GPL ATTACK_RESPONSE id check returned root');
  });

  it.each([
    [
      'Suricata uncompressed with port',
      '{UDP} fe80:0000:0000:0000:0250:56ff:fe9c:5e09:546 -> ' +
        'ff02:0000:0000:0000:0000:0000:0001:0002:547',
      'fe80::250:56ff:fe9c:5e09',
      'ff02::1:2',
    ],
    [
      'bracketed with port',
      '{TCP} [2001:db8::1]:80 -> [2001:db8::2]:51234',
      '2001:db8::1',
      '2001:db8::2',
    ],
    [
      'Snort compressed TCP with port',
      '{TCP} 2001:db8::1:80 -> 2001:db8::2:51234',
      '2001:db8::1',
      '2001:db8::2',
    ],
    [
      'compressed ICMPv6 without port',
      '{IPV6-ICMP} 2001:db8::1 -> 2001:db8::2',
      '2001:db8::1',
      '2001:db8::2',
    ],
  ])('reads IPv6 endpoints: %s', (_label, endpoints, sourceIp, destinationIp) => {
    const signal = signalOf(suricataLine({ tail: `[Priority: 1] ${endpoints}` }));

    expect(signal).toMatchObject({ sourceIp, destinationIp, severity: 'high' });
  });

  it.each([
    ['[Priority: 1]', 'high'],
    ['[Priority: 2]', 'medium'],
    ['[Priority: 3]', 'low'],
    ['[Priority: 4]', 'low'],
    ['', 'low'],
  ])('rates %j as %s', (priority, severity) => {
    const line = suricataLine({ tail: `${priority} {TCP} 10.0.0.1:80 -> 10.0.0.2:51234` });

    expect(signalOf(line).severity).toBe(severity);
  });

  it('takes lines from a body one by one, as text', () => {
    const records = [...bodyRecords(utc, `${SURICATA}\n\n${SURICATA}\n`)];

    expect(records).toEqual([
      { line: 1, record: SURICATA },
      { line: 3, record: SURICATA },
    ]);
  });

  describe('zone', () => {
    it('refuses every line with BD_INTAKE_ZONE_REQUIRED when no zone is configured', () => {
      expect(parse(SURICATA, RECEIVED_AT, fastAdapter())).toEqual({
        kind: 'rejected',
        code: 'BD_INTAKE_ZONE_REQUIRED',
        field: 'zone',
        reason:
          'timestamp "03/10/2024-01:30:00.123456" has no time zone and none was configured; ' +
          'give the zone the sensor writes in (--zone UTC, --zone +01:00, --zone Europe/Berlin)',
      });
    });

    it('is refused by the registered adapter too, which has no zone', () => {
      expect(parse(SURICATA, RECEIVED_AT, adapterFor('fast'))).toMatchObject({
        code: 'BD_INTAKE_ZONE_REQUIRED',
      });
    });

    it('throws BD_CONFIG_INVALID at once for an unknown zone or an abbreviation', () => {
      expect(() => fastAdapter('Mars/Olympus_Mons')).toThrow(BreachdeskError);
      expect(() => fastAdapter('EST')).toThrow(BreachdeskError);
      expect(() => fastAdapter('+25:00')).toThrow(/zone "\+25:00" is not a time zone/);
    });

    it('refuses a wall time that daylight saving time skips', () => {
      const line = suricataLine({ time: '03/10/2024-02:30:00.000000' });

      expect(parse(line, RECEIVED_AT, fastAdapter('America/New_York'))).toMatchObject({
        kind: 'rejected',
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'timestamp',
        reason: expect.stringContaining('does not exist in America/New_York') as unknown,
      });
    });

    it('refuses a wall time that happens twice when daylight saving time ends', () => {
      const line = suricataLine({ time: '11/03/2024-01:30:00.000000' });

      expect(parse(line, RECEIVED_AT, fastAdapter('America/New_York'))).toMatchObject({
        kind: 'rejected',
        field: 'timestamp',
        reason: expect.stringContaining(
          '(2024-11-03T05:30:00.000Z and 2024-11-03T06:30:00.000Z)',
        ) as unknown,
      });
    });
  });

  describe('fingerprint', () => {
    it('ignores the time, the ports and the rule revision', () => {
      const again = suricataLine({
        time: '03/11/2024-09:00:00.000001',
        rule: '1:2100498:8',
        tail: '[Priority: 2] {TCP} 10.0.0.1:8080 -> 10.0.0.2:60000',
      });

      expect(signalOf(again).fingerprint).toBe(signalOf(SURICATA).fingerprint);
    });

    it('differs for another signature id', () => {
      expect(signalOf(suricataLine({ rule: '1:2100499:7' })).fingerprint).not.toBe(
        signalOf(SURICATA).fingerprint,
      );
    });
  });

  describe('rejections', () => {
    it.each([
      ['an empty line', '   ', 'BD_INTAKE_FIELD_MISSING', 'timestamp'],
      ['a line without timestamp', 'alert tcp any any', 'BD_INTAKE_FIELD_INVALID', 'timestamp'],
      [
        'an ISO timestamp',
        SURICATA.replace('03/10/2024-', '2024-03-10T'),
        'BD_INTAKE_FIELD_INVALID',
        'timestamp',
      ],
      [
        'February 30',
        suricataLine({ time: '02/30/2024-01:00:00' }),
        'BD_INTAKE_FIELD_INVALID',
        'timestamp',
      ],
      [
        'hour 25',
        suricataLine({ time: '03/10/2024-25:00:00' }),
        'BD_INTAKE_FIELD_INVALID',
        'timestamp',
      ],
      [
        'a missing rule',
        '03/10/2024-01:30:00  [**] no rule [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2',
        'BD_INTAKE_FIELD_INVALID',
        'rule',
      ],
      [
        'a message without closing [**]',
        '03/10/2024-01:30:00  [**] [1:2:3] msg {TCP} 1.2.3.4:1 -> 5.6.7.8:2',
        'BD_INTAKE_FIELD_INVALID',
        'signature',
      ],
      [
        'an empty message',
        '03/10/2024-01:30:00  [**] [1:2:3] [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2',
        'BD_INTAKE_FIELD_MISSING',
        'signature',
      ],
      [
        'a missing protocol',
        suricataLine({ tail: '[Priority: 2] 10.0.0.1:80 -> 10.0.0.2:1' }),
        'BD_INTAKE_FIELD_MISSING',
        'protocol',
      ],
      [
        'missing endpoints',
        suricataLine({ tail: '[Priority: 2] {TCP}' }),
        'BD_INTAKE_FIELD_MISSING',
        'source',
      ],
      [
        'a bad source',
        suricataLine({ tail: '{TCP} 10.0.0.300:80 -> 10.0.0.2:1' }),
        'BD_INTAKE_FIELD_INVALID',
        'source',
      ],
      [
        'a host name as destination',
        suricataLine({ tail: '{TCP} 10.0.0.1:80 -> db.local:1' }),
        'BD_INTAKE_FIELD_INVALID',
        'destination',
      ],
      [
        'a priority in words',
        suricataLine({ tail: '[Priority: high] {TCP} 10.0.0.1:80 -> 10.0.0.2:1' }),
        'BD_INTAKE_FIELD_INVALID',
        'priority',
      ],
    ])('rejects %s with its field path', (_label, line, code, field) => {
      expect(parse(line)).toMatchObject({ kind: 'rejected', code, field });
    });

    it('rejects a year-less 02/29 when no year near receipt has one', () => {
      const line = '02/29-12:00:00.000000  [**] [1:1:1] m [**] {TCP} 10.0.0.1:1 -> 10.0.0.2:2';

      expect(parse(line, new Date('2026-06-01T00:00:00Z'))).toMatchObject({
        kind: 'rejected',
        field: 'timestamp',
        reason: expect.stringContaining('2025–2027') as unknown,
      });
    });

    it('rejects a record that is not text, with no field', () => {
      expect(parse({ line: SURICATA })).toMatchObject({ kind: 'rejected', field: null });
    });
  });
});

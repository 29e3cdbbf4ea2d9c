/**
 * CEF records written for these tests in the shapes real senders use (a perimeter firewall,
 * an endpoint agent, a WAF); there is no public CEF sample to read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { BreachdeskError, ERROR_CODES } from '../../src/domain/errors.ts';
import { parseCefText } from '../../src/intake/cef-record.ts';
import { cefAdapter, createCefAdapter } from '../../src/intake/cef.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { lineReader } from '../../src/intake/records.ts';
import { adapterFor, bodyRecords } from '../../src/intake/registry.ts';

const RECEIVED_AT = new Date('2024-03-10T07:00:00Z');

const FIREWALL_HEADER = 'CEF:0|Northwind Networks|Edge Firewall|7.4.2|100042|C2 beacon blocked|8|';

/** A firewall record; `ext` replaces or adds extension pairs (null removes one). */
function firewallLine(ext: Record<string, string | null> = {}, header = FIREWALL_HEADER): string {
  const pairs: Record<string, string | null> = {
    rt: '1710052200123',
    src: '203.0.113.9',
    spt: '51234',
    dst: '10.0.0.5',
    dpt: '443',
    proto: 'TCP',
    act: 'blocked',
    duser: 'svc-backup',
    dhost: 'db01.corp.example',
    request: 'https://c2.bad.example/beacon?id\\=7',
    externalId: 'nw-884213',
    msg: 'Outbound session matched threat feed entry',
    ...ext,
  };
  const text = Object.entries(pairs)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return header + text;
}

function parse(line: unknown, at = RECEIVED_AT): ParseOutcome {
  return cefAdapter.parse(line, at);
}

function signalOf(line: string, at = RECEIVED_AT) {
  const outcome = parse(line, at);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal;
}

describe('cef adapter', () => {
  it('turns a firewall record into a normalised signal', () => {
    const line = firewallLine();

    expect(signalOf(line)).toMatchObject({
      format: 'cef',
      sourceKind: 'automated_alert',
      sourceEventId: 'nw-884213',
      occurredAt: '2024-03-10T06:30:00.123Z',
      originalTimestamp: '1710052200123',
      title: 'C2 beacon blocked',
      severity: 'high',
      host: 'db01.corp.example',
      sourceIp: '203.0.113.9',
      destinationIp: '10.0.0.5',
      principal: 'svc-backup',
      exerciseId: null,
      raw: line,
    });
  });

  it('is registered as cef and reads one record per line', () => {
    const adapter = adapterFor('cef');
    const lines = [...bodyRecords(adapter, `${firewallLine()}\n\n${firewallLine()}\r\n`)];

    expect(adapter.reader).toBe(lineReader);
    expect(lines.map((item) => item.line)).toEqual([1, 3]);
  });

  it('extracts addresses, users, hosts, the URL and hashes as observables', () => {
    const line = firewallLine({
      suser: 'alice@corp.example',
      fileHash: '44d88612fea8a8f36de82e1278abb02f',
      cs2Label: 'SHA256',
      cs2: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    });
    const observables = signalOf(line).observables.map((o) => `${o.kind}:${o.value}`);

    expect(observables).toEqual(
      expect.arrayContaining([
        'ip:203.0.113.9',
        'ip:10.0.0.5',
        'principal:svc-backup',
        'email:alice@corp.example',
        'domain:db01.corp.example',
        'hash:44d88612fea8a8f36de82e1278abb02f',
        'hash:275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
      ]),
    );
    expect(observables.some((o) => o.startsWith('url:https://c2.bad.example/'))).toBe(true);
  });

  it('keeps the fingerprint when only the time, ports or message change', () => {
    const first = signalOf(firewallLine());
    const again = signalOf(firewallLine({ rt: '1710052260000', spt: '60001', msg: 'again' }));
    const other = signalOf(firewallLine({}, FIREWALL_HEADER.replace('100042', '100043')));

    expect(again.fingerprint).toBe(first.fingerprint);
    expect(other.fingerprint).not.toBe(first.fingerprint);
  });
});

describe('cef text', () => {
  it('unescapes \\| and \\\\ in header fields', () => {
    const record = parseCefText(
      'CEF:0|Fabrikam\\|Labs|Guard\\\\EDR|2.0|ps\\|enc|Encoded PowerShell \\| stage 2|9|',
    );

    expect(record).toMatchObject({
      deviceVendor: 'Fabrikam|Labs',
      deviceProduct: 'Guard\\EDR',
      signatureId: 'ps|enc',
      name: 'Encoded PowerShell | stage 2',
      severity: '9',
    });
  });

  it('unescapes \\=, \\\\, \\n and \\r in extension values and keeps spaces inside values', () => {
    const record = parseCefText(
      'CEF:0|Fabrikam|Guard|2.0|ps-enc|Encoded PowerShell|9|' +
        'cs1Label=Command Line cs1=powershell -enc SQBFAFgA \\= x\\\\y ' +
        'msg=line one\\nline two\\rend filePath=C:\\\\Users\\\\Public\\\\run.ps1',
    );

    expect(record.extension.get('cs1')).toBe('powershell -enc SQBFAFgA = x\\y');
    expect(record.extension.get('msg')).toBe('line one\nline two\rend');
    expect(record.extension.get('filePath')).toBe('C:\\Users\\Public\\run.ps1');
  });

  it('pairs custom fields with their labels', () => {
    const record = parseCefText(
      'CEF:0|Contoso|WAF|3|942100|SQL injection|7|cs1Label=Rule Group cs1=SQLi ' +
        'cn1Label=Anomaly Score cn1=15 cs4=unlabelled',
    );

    expect(record.custom).toEqual([
      { key: 'cs1', label: 'Rule Group', value: 'SQLi' },
      { key: 'cn1', label: 'Anomaly Score', value: '15' },
      { key: 'cs4', label: null, value: 'unlabelled' },
    ]);
  });

  it('takes a record that ends right after the severity', () => {
    expect(parseCefText('CEF:0|Contoso|WAF|3|942100|SQL injection|7').extension.size).toBe(0);
  });

  it.each([
    ['CEF:0|Contoso|WAF|3|942100', 'header.name', 'BD_INTAKE_FIELD_MISSING'],
    ['CEF:0|Contoso|WAF|3|942100| |7|', 'header.name', 'BD_INTAKE_FIELD_MISSING'],
    ['CEF:0|Contoso|WAF|3|942100|SQLi||', 'header.severity', 'BD_INTAKE_FIELD_MISSING'],
    ['CEF:7|Contoso|WAF|3|942100|SQLi|7|', 'header.version', 'BD_INTAKE_FIELD_INVALID'],
    ['CEF:0|Contoso|WAF|3|942100|SQLi|7|junk rt=1', 'extension', 'BD_INTAKE_FIELD_INVALID'],
  ])('refuses %j naming %s', (text, field, code) => {
    expect(() => parseCefText(text)).toThrow(expect.objectContaining({ code, field }));
  });
});

describe('cef severity', () => {
  const severityOf = (severity: string): unknown => {
    const outcome = parse(firewallLine({}, `CEF:0|N|FW|1|1|Name|${severity}|`));
    return outcome.kind === 'signal' ? outcome.signal.severity : outcome;
  };

  it('maps 0–3 to low, 4–6 to medium, 7–10 to high (CEF: 9–10 is Very-High)', () => {
    const levels = ['0', '3', '4', '6', '7', '8', '9', '10'];

    expect(levels.map(severityOf)).toEqual([
      ...['low', 'low', 'medium', 'medium'],
      ...['high', 'high', 'high', 'high'],
    ]);
  });

  it('maps the words Unknown, Low, Medium, High and Very-High', () => {
    const words = ['Unknown', 'low', 'Medium', 'HIGH', 'Very-High'];

    expect(words.map(severityOf)).toEqual(['low', 'low', 'medium', 'high', 'high']);
  });

  it('refuses 11 and words outside the spec, naming header.severity', () => {
    expect(severityOf('11')).toMatchObject({ kind: 'rejected', field: 'header.severity' });
    expect(severityOf('Critical')).toMatchObject({ kind: 'rejected', field: 'header.severity' });
  });
});

describe('cef dates', () => {
  const occurredAt = (rt: string, at = RECEIVED_AT): unknown => {
    const outcome = parse(firewallLine({ rt }), at);
    return outcome.kind === 'signal' ? outcome.signal.occurredAt : outcome;
  };

  it('reads one instant written with UTC, a GMT offset, a numeric offset and an IANA zone', () => {
    const spellings = [
      'Mar 10 2024 06:30:00.123 UTC',
      'Mar 10 2024 01:30:00.123 GMT-05:00',
      'Mar 10 2024 01:30:00.123 -0500',
      'Mar 10 2024 07:30:00.123 Europe/Berlin',
      '1710052200123',
    ];

    expect(new Set(spellings.map((rt) => occurredAt(rt)))).toEqual(
      new Set(['2024-03-10T06:30:00.123Z']),
    );
  });

  it('gives a year-less date the year nearest to receipt', () => {
    const newYear = new Date('2025-01-01T00:01:00Z');

    expect(occurredAt('Dec 31 23:59:00 UTC', newYear)).toBe('2024-12-31T23:59:00.000Z');
  });

  it('refuses a date without a zone when no syslog header gives the time', () => {
    expect(parse(firewallLine({ rt: 'Mar 10 2024 06:30:00' }))).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'extension.rt',
      reason: expect.stringContaining('add a zone') as unknown,
    });
  });

  it('refuses a zone abbreviation that several zones share', () => {
    expect(parse(firewallLine({ rt: 'Mar 10 2024 01:30:00 EST' }))).toMatchObject({
      kind: 'rejected',
      field: 'extension.rt',
      reason: expect.stringContaining('"EST"') as unknown,
    });
  });

  it('refuses epoch seconds sent where CEF wants milliseconds', () => {
    expect(parse(firewallLine({ rt: '1710052200' }))).toMatchObject({
      kind: 'rejected',
      field: 'extension.rt',
      reason: expect.stringContaining('not seconds') as unknown,
    });
  });

  it('falls back to end, then start, when rt is absent', () => {
    const line = firewallLine({ rt: null, start: '1710052100000', end: '1710052200000' });

    expect(signalOf(line)).toMatchObject({
      occurredAt: '2024-03-10T06:30:00.000Z',
      originalTimestamp: '1710052200000',
    });
  });

  it('refuses a record with no date at all, naming extension.rt', () => {
    expect(parse(firewallLine({ rt: null }))).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_MISSING',
      field: 'extension.rt',
    });
  });
});

describe('cef after a syslog header', () => {
  const zoneless = firewallLine({ rt: 'Mar 10 2024 06:30:00' });

  it('reads a record behind an RFC 5424 header and uses its time for a zone-less rt', () => {
    const line = `<134>1 2024-03-10T07:30:00.500+01:00 fw01 edgefw - - - ${zoneless}`;

    expect(signalOf(line)).toMatchObject({
      occurredAt: '2024-03-10T06:30:00.500Z',
      originalTimestamp: '2024-03-10T07:30:00.500+01:00',
      title: 'C2 beacon blocked',
      raw: line,
    });
  });

  it('reads a record without a date behind an RFC 3164 header with a tag, in its zone', () => {
    const line = `<134>Mar 10 07:30:00 fw01 edgefw[311]: ${firewallLine({ rt: null })}`;
    const berlin = createCefAdapter({ zone: 'Europe/Berlin' }).parse(line, RECEIVED_AT);

    expect(berlin).toMatchObject({
      kind: 'signal',
      signal: { occurredAt: '2024-03-10T06:30:00.000Z', originalTimestamp: 'Mar 10 07:30:00' },
    });
  });

  it('reads a syslog daemon file line, which has lost its PRI', () => {
    const line =
      'Mar 10 06:30:00 fw01 CEF:0|Northwind Networks|Edge Firewall|7.4|7|Scan|3|src=10.1.1.1';

    expect(signalOf(line)).toMatchObject({
      occurredAt: '2024-03-10T06:30:00.000Z',
      host: 'fw01',
      sourceIp: '10.1.1.1',
    });
  });

  it('takes rt with a year over a year-less RFC 3164 stamp, which once replaced it', () => {
    const receivedLater = new Date('2026-12-04T22:00:00Z');
    const at = (rt: string) => {
      const line = `<134>Mar 10 06:30:00 fw01 ${firewallLine({ rt })}`;
      const outcome = parse(line, receivedLater);
      return outcome.kind === 'signal' ? outcome.signal : outcome;
    };

    expect(at('Mar 10 2024 06:30:00 UTC')).toMatchObject({
      occurredAt: '2024-03-10T06:30:00.000Z',
      originalTimestamp: 'Mar 10 2024 06:30:00 UTC',
    });
    expect(at('1710052200123')).toMatchObject({ occurredAt: '2024-03-10T06:30:00.123Z' });
    expect(at('2024-03-10T06:30:00Z')).toMatchObject({ occurredAt: '2024-03-10T06:30:00.000Z' });
    expect(at('Mar 10 2024 06:30:00')).toMatchObject({
      occurredAt: '2024-03-10T06:30:00.000Z',
      originalTimestamp: 'Mar 10 2024 06:30:00',
    });
  });

  it('reads a zone-less rt behind an RFC 3164 stamp in the configured zone, as the stamp', () => {
    const line = `<134>Mar 10 09:00:00 fw01 ${firewallLine({ rt: '2024-03-10 07:30:00' })}`;
    const berlin = createCefAdapter({ zone: 'Europe/Berlin' }).parse(line, RECEIVED_AT);

    expect(berlin).toMatchObject({
      kind: 'signal',
      signal: { occurredAt: '2024-03-10T06:30:00.000Z', originalTimestamp: '2024-03-10 07:30:00' },
    });
  });

  it('takes rt although the year-less stamp in front of it names no nearby date', () => {
    const line = `<134>Feb 29 06:30:00 fw01 ${firewallLine()}`;

    expect(signalOf(line, new Date('2025-01-01T00:00:00Z')).occurredAt).toBe(
      '2024-03-10T06:30:00.123Z',
    );
  });

  it('refuses a record without a date behind such a stamp, naming syslog.timestamp', () => {
    const line = `<134>Feb 29 06:30:00 fw01 ${firewallLine({ rt: null })}`;

    expect(parse(line, new Date('2025-01-01T00:00:00Z'))).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'syslog.timestamp',
      reason: expect.stringContaining('no year within half a year') as unknown,
    });
  });

  it('prefers a zoned rt over the header time', () => {
    const line = `<134>1 2024-03-10T09:00:00Z fw01 edgefw - - - ${firewallLine()}`;

    expect(signalOf(line).occurredAt).toBe('2024-03-10T06:30:00.123Z');
  });

  it('refuses a syslog message that carries no CEF record, naming cef', () => {
    expect(parse('<13>1 2024-03-10T06:30:00Z host app - - - just text')).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_MISSING',
      field: 'cef',
    });
  });

  it('refuses a broken syslog header, naming the header field', () => {
    expect(parse(`<134>1 2024-03-10T06:30:00 fw01 edgefw - - - ${zoneless}`)).toMatchObject({
      kind: 'rejected',
      field: 'syslog.timestamp',
    });
  });

  it('refuses a zone that is neither UTC, an offset nor an IANA name', () => {
    expect(() => createCefAdapter({ zone: 'CET' })).toThrow(BreachdeskError);
  });
});

describe('cef adapter under random text', () => {
  const codes = Object.keys(ERROR_CODES);
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string().map((s) => `CEF:0|${s}`),
    fc
      .array(fc.constantFrom('|', '\\', '=', ' ', 'rt', 'src', 'CEF:0', 'a', '7', 'Mar 10'))
      .map((parts) => `CEF:0|${parts.join('')}`),
    fc.string().map((s) => `<134>Feb 29 10:00:00 host CEF:0|a|b|c|d|e|5|${s}`),
    fc.string().map((s) => `<134>1 - - - - - ${s}`),
  );

  it('never throws, and every rejection carries a known code and a field', () => {
    fc.assert(
      fc.property(text, fc.date(), (line, at) => {
        const outcome = cefAdapter.parse(line, at);
        if (outcome.kind !== 'rejected') return;
        expect(codes).toContain(outcome.code);
        expect(outcome.field).toEqual(expect.any(String));
      }),
      { numRuns: 2000 },
    );
  });
});
